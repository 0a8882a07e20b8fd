// What the fuzz targets share: the bundled knowledge base, loaded once.
#ifndef DIRIGO_FUZZ_FUZZ_SUPPORT_H_
#define DIRIGO_FUZZ_FUZZ_SUPPORT_H_

#include <iostream>
#include <memory>

#include "dialog/engine.h"
#include "knowledge/knowledge_base.h"

namespace dirigo {

// The engine of the knowledge base in DIRIGO_FUZZ_KB_DIR; stops the target
// when it cannot be loaded (nothing can run without it).
inline const Engine& BundledEngine() {
  static const std::shared_ptr<const Engine> engine = [] {
    auto kb = KnowledgeBase::LoadDirectory(DIRIGO_FUZZ_KB_DIR, {});
    auto made = kb.ok() ? Engine::Create(*kb) : kb.status();
    if (!made.ok()) {
      std::cerr << "fuzz: the bundled knowledge base: " << made.status()
                << "\n";
      __builtin_trap();
    }
    return *made;
  }();
  return *engine;
}

}  // namespace dirigo

// libFuzzer calls this once, before the first input: the knowledge base is
// compiled here (seconds, under the sanitizers and the coverage counters),
// so that its load never counts against an input's -timeout. The replay
// build (replay_main.cc) does not call it: its first input loads it.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  (void)dirigo::BundledEngine();
  return 0;
}

#endif  // DIRIGO_FUZZ_FUZZ_SUPPORT_H_
