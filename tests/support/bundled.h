// The bundled Italian knowledge base (DIRIGO_TEST_KB_DIR): its files, and the
// knowledge base loaded once per test binary.
#ifndef DIRIGO_TESTS_SUPPORT_BUNDLED_H_
#define DIRIGO_TESTS_SUPPORT_BUNDLED_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "knowledge/knowledge_base.h"

namespace dirigo {

// The bundled files, by path relative to the folder ("patterns/…"), for
// tests that change one and load the rest.
inline std::map<std::string, std::string> BundledFiles() {
  std::map<std::string, std::string> files;
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(DIRIGO_TEST_KB_DIR)) {
    if (e.path().extension() != ".textproto") continue;
    std::ifstream in(e.path());
    std::stringstream s;
    s << in.rdbuf();
    files[std::filesystem::relative(e.path(), DIRIGO_TEST_KB_DIR).string()] =
        s.str();
  }
  return files;
}

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

}  // namespace dirigo

#endif  // DIRIGO_TESTS_SUPPORT_BUNDLED_H_
