// The bundled Italian knowledge base and an engine on it, loaded once per
// test binary (DIRIGO_TEST_KB_DIR).
#ifndef DIRIGO_TESTS_SUPPORT_BUNDLED_H_
#define DIRIGO_TESTS_SUPPORT_BUNDLED_H_

#include <cstdlib>
#include <iostream>
#include <memory>

#include "dialog/engine.h"
#include "knowledge/knowledge_base.h"

namespace dirigo {

inline std::shared_ptr<const KnowledgeBase> BundledKb() {
  static const auto* kb = [] {
    auto loaded = KnowledgeBase::LoadDirectory(DIRIGO_TEST_KB_DIR, {});
    if (!loaded.ok()) {
      std::cerr << loaded.status() << "\n";
      std::abort();
    }
    return new std::shared_ptr<const KnowledgeBase>(*loaded);
  }();
  return *kb;
}

inline std::shared_ptr<const Engine> BundledEngine() {
  static const auto* engine = [] {
    auto created = Engine::Create(BundledKb());
    if (!created.ok()) {
      std::cerr << created.status() << "\n";
      std::abort();
    }
    return new std::shared_ptr<const Engine>(*created);
  }();
  return *engine;
}

}  // namespace dirigo

#endif  // DIRIGO_TESTS_SUPPORT_BUNDLED_H_
