// What the fuzz targets share: the bundled knowledge base, loaded once.
#ifndef DIRIGO_FUZZ_FUZZ_SUPPORT_H_
#define DIRIGO_FUZZ_FUZZ_SUPPORT_H_

#include <cstdlib>
#include <iostream>
#include <memory>

#include "dialog/engine.h"
#include "knowledge/knowledge_base.h"

namespace dirigo {

// The engine of the knowledge base in DIRIGO_FUZZ_KB_DIR; exits when it
// cannot be loaded (the target cannot run without it).
inline const Engine& BundledEngine() {
  static const Engine* engine = [] {
    auto kb = KnowledgeBase::LoadDirectory(DIRIGO_FUZZ_KB_DIR, {});
    if (!kb.ok()) {
      std::cerr << "fuzz: the knowledge base: " << kb.status() << "\n";
      std::exit(1);
    }
    auto made = Engine::Create(*kb);
    if (!made.ok()) {
      std::cerr << "fuzz: the engine: " << made.status() << "\n";
      std::exit(1);
    }
    return new std::shared_ptr<const Engine>(*made);
  }()->get();
  return *engine;
}

}  // namespace dirigo

#endif  // DIRIGO_FUZZ_FUZZ_SUPPORT_H_
