// The knowledge-base loader: the bundled files, with one of them (chosen by
// the input's first byte, its low 7 bits) replaced by the rest of the
// input, parsed and validated; and, when the first byte's high bit is set,
// compiled too (regexes, the speller's index: slow, so not every time). Any
// text gets a knowledge base or an error naming file and line, never a
// crash.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "knowledge/knowledge_base.h"
#include "knowledge/loader.h"
#include "knowledge/problems.h"
#include "knowledge/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::map<std::string, std::string> bundled = [] {
    auto files = dirigo::ReadKnowledgeFiles(DIRIGO_FUZZ_KB_DIR);
    if (!files.ok()) __builtin_trap();
    return *std::move(files);
  }();
  if (size == 0) return 0;
  std::map<std::string, std::string> files = bundled;
  auto it = files.begin();
  std::advance(it, (data[0] & 0x7f) % files.size());
  it->second.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] & 0x80) {
    dirigo::KnowledgeBaseOptions options;
    options.hunspell_dir = "";  // the dictionary is not what is fuzzed
    (void)dirigo::KnowledgeBase::LoadFiles(files, options);
    return 0;
  }
  auto source = dirigo::ParseKnowledgeFiles(files);
  if (!source.ok()) return 0;
  dirigo::Problems problems(source->where);
  dirigo::ValidateKnowledge(source->proto, &problems);
  (void)problems.ToStatus();
  return 0;
}
