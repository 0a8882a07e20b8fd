// Text normalisation shared by the knowledge compiler and the dialog engine.
//
// A person's message and every term of the knowledge base go through the same
// steps, so that patterns are written once, over plain words:
//   - the text must be valid UTF-8 (else InvalidArgument);
//   - words are case-folded and lose their accents ("Università" →
//     "universita");
//   - apostrophes and quotes, straight or typographic, split words, so
//     elisions come apart ("dell’azienda" → "dell azienda"); other
//     punctuation goes;
//   - optionally, unknown words are corrected by a `WordCorrector`;
//   - number words become digits by the language's rules ("trentatré" → "33",
//     "un anno e mezzo" → "1.5 anni"); words that are also ordinary words
//     ("un", "sei") only before a unit of time, or alone.
// The result keeps, for every normalised word, where it came from in the
// original text, so that facts can be said back in the person's own words.
//
// Thread-safe: a Normalizer is immutable.
//
// Example:
//   Normalizer italian(rules);  // rules from knowledge/it/language.textproto
//   absl::StatusOr<NormalizedText> n = italian.Normalize("Ho tre anni, l’Uni");
//   // n->text == "ho 3 anni l uni"
#ifndef DIRIGO_TEXT_NORMALIZER_H_
#define DIRIGO_TEXT_NORMALIZER_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "text/language_rules.h"

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
  // A clause: the words between two marks that end one in writing (. , ; :
  // ! ? … or a line break).
  struct Clause {
    size_t begin = 0, end = 0;  // in `text`
    // It ends with a question mark.
    bool question = false;
    // Only a comma comes before it: the sentence goes on ("sono entrata in
    // Comune, dove lavoro da 30 anni").
    bool after_comma = false;
  };
  // Words separated by single spaces.
  std::string text;
  std::vector<Token> tokens;
  // The clauses, in order; together they hold every token.
  std::vector<Clause> clauses;
  std::vector<SpellingFix> fixes;
  // The ICU locale of the language, for DisplaySpan.
  std::string icu_locale;

  // The original words behind `text[begin, end)`, or "" if none.
  std::string OriginalSpan(absl::string_view original, size_t begin,
                           size_t end) const;

  // The same words fit to be said back: corrected words replace misspelt
  // ones, and the text is lower-cased unless it is a short acronym ("MBA").
  std::string DisplaySpan(absl::string_view original, size_t begin,
                          size_t end) const;

  // The index of the clause holding `text[at]`, or -1.
  int ClauseAt(size_t at) const;
};

// Given a folded word and the same word lower-cased with its accents, returns
// the known word it should be read as, or nullopt to keep it.
using WordCorrector = std::function<std::optional<std::string>(
    const std::string& folded, const std::string& lower)>;

class Normalizer {
 public:
  // Words of a message given to the corrector, at most: the rest are read
  // as written. A person's message is rarely a third as long; the bound
  // keeps a long message of made-up words from costing many normal ones.
  static constexpr int kMaxSpellingChecks = 100;

  explicit Normalizer(const LanguageRules& rules);

  // Runs every step. `corrector` may be null (no spelling correction); it
  // sees the first kMaxSpellingChecks words only.
  absl::StatusOr<NormalizedText> Normalize(
      absl::string_view text, const WordCorrector* corrector = nullptr) const;

  // A knowledge-base term: the same steps, but number words stay words (the
  // article "una" alone would read as the number 1). The term as given if it
  // is not valid UTF-8.
  std::string NormalizeTerm(absl::string_view term) const;

  // The value of a folded number word, if it is one.
  std::optional<int> NumberValue(absl::string_view folded) const;

  const std::string& icu_locale() const { return rules_.icu_locale; }

 private:
  struct Word;
  std::vector<Word> Split(absl::string_view text) const;
  void ConvertNumbers(std::vector<Word>& words) const;
  size_t AddFraction(const std::vector<Word>& words, size_t i, Word* number,
                     std::vector<Word>* out) const;
  absl::StatusOr<NormalizedText> Run(absl::string_view text,
                                     const WordCorrector* corrector,
                                     bool numbers) const;

  // Folded forms of the rules' words.
  LanguageRules rules_;
  // The fractions' words, split.
  std::vector<std::pair<std::vector<std::string>, double>> fractions_;
};

}  // namespace dirigo

#endif  // DIRIGO_TEXT_NORMALIZER_H_
