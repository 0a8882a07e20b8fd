// The normaliser on any bytes: Unicode folding, words, numbers, clauses.
// Whatever comes in, it answers or refuses (not UTF-8) without harm, and
// its spans stay inside the text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.h"
#include "text/normalizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const dirigo::Normalizer& normalizer =
      dirigo::BundledEngine().knowledge().normalizer();
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto normalized = normalizer.Normalize(text);
  if (normalized.ok()) {
    const std::string& folded = normalized->text;
    for (const auto& token : normalized->tokens) {
      if (token.begin > token.end || token.end > folded.size() ||
          token.orig_begin > token.orig_end || token.orig_end > size) {
        __builtin_trap();  // a span outside its text
      }
    }
    for (const auto& clause : normalized->clauses) {
      if (clause.begin > clause.end || clause.end > folded.size()) {
        __builtin_trap();
      }
    }
    for (size_t at = 0; at <= folded.size(); at += 7) {
      (void)normalized->ClauseAt(at);
      (void)normalized->OriginalSpan(text, at, folded.size());
      (void)normalized->DisplaySpan(text, 0, at);
    }
  }
  (void)normalizer.NormalizeTerm(text);
  (void)normalizer.NumberValue(text);
  return 0;
}
