// Text normalisation shared by the knowledge compiler and the dialog engine.
//
// A person's message and every term of the knowledge base go through the same
// steps, so that patterns are written once, over plain words:
//   - the text must be valid UTF-8 (else InvalidArgument);
//   - words are case-folded and lose their accents ("Università" →
//   "universita");
//   - apostrophes and quotes, straight or typographic, split words, so elisions
//     come apart ("dell’azienda" → "dell azienda"); other punctuation goes;
//   - Italian number words become digits ("trentatré" → "33", "un anno e mezzo"
//     → "1.5 anni", "sei mesi" → "6 mesi"); the ambiguous "un" and "sei" only
//     before a unit of time, or alone;
//   - optionally, unknown words are corrected by a `WordCorrector`.
// The result keeps, for every normalised word, where it came from in the
// original text, so that facts can be said back in the person's own words.
//
// Thread-safe: the functions keep no state.
//
// Example:
//   absl::StatusOr<NormalizedText> n = Normalize("Ho 30 anni, l’Università…");
//   // n->text == "ho 30 anni l universita"
#ifndef DIRIGO_KNOWLEDGE_NORMALIZER_H_
#define DIRIGO_KNOWLEDGE_NORMALIZER_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dirigo {

// A word read as another.
struct SpellingFix {
  std::string original;   // as written
  std::string corrected;  // folded form it was read as
};

// A normalised message.
struct NormalizedText {
  // One normalised word.
  struct Token {
    size_t begin = 0, end = 0;            // in `text`
    size_t orig_begin = 0, orig_end = 0;  // in the original message
    std::string corrected;  // the known word it was read as, if corrected
  };
  // Words separated by single spaces.
  std::string text;
  std::vector<Token> tokens;
  std::vector<SpellingFix> fixes;

  // The original words behind `text[begin, end)`, or "" if none.
  std::string OriginalSpan(absl::string_view original, size_t begin,
                           size_t end) const;

  // The same words fit to be said back: corrected words replace misspelt
  // ones, and the text is lower-cased unless it is a short acronym ("MBA").
  std::string DisplaySpan(absl::string_view original, size_t begin,
                          size_t end) const;
};

// Given a folded word and the same word lower-cased with its accents, returns
// the known word it should be read as, or nullopt to keep it.
using WordCorrector = std::function<std::optional<std::string>(
    const std::string& folded, const std::string& lower)>;

// InvalidArgument, with the byte offset, unless `text` is valid UTF-8.
absl::Status CheckUtf8(absl::string_view text);

// Case-folds and strips accents of one word or phrase; no other step.
std::string FoldCase(absl::string_view text);

// Lower-cases (Italian rules), keeping accents.
std::string LowerCase(absl::string_view text);

// The value of an Italian number word from 0 to 99 (folded), if it is one.
std::optional<int> ParseNumberWord(absl::string_view folded);

// Runs every step. `corrector` may be null (no spelling correction).
// `numbers` false keeps number words as words (for knowledge-base terms such
// as the article "una", which alone would read as the number 1).
absl::StatusOr<NormalizedText> Normalize(absl::string_view text,
                                         const WordCorrector* corrector,
                                         bool numbers = true);

}  // namespace dirigo

#endif  // DIRIGO_KNOWLEDGE_NORMALIZER_H_
