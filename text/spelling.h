// Spelling tolerance: reads a misspelt word as the known word it most likely
// is.
//
// A word is left alone when the knowledge base knows it or when it is a valid
// word of the language (Hunspell with a Debian dictionary such as it_IT;
// spellings that type an accented ending plainly, such as "perche" or
// "universita", count as valid when the accented form is: the language's
// `plain_endings`; names the dictionary has capitalised, such as "parma",
// count too).
// Otherwise it is corrected to a vocabulary word within edit distance 1, or 2
// for words of eight letters or more (transpositions count as one edit), when
// exactly one candidate is nearest. Words shorter than four letters are never
// corrected.
//
// Candidates come from a symmetric-deletion index (every form of a
// vocabulary word with up to two letters deleted): a word is compared only
// with the few vocabulary words that share such a form with it, so a
// correction costs about the same whatever the vocabulary's size, and a
// message of made-up words costs little more than a normal one.
//
// Thread-safe: Hunspell is not, so calls into it are serialised.
//
// Example:
//   SpellingCorrector c(vocabulary, speller.get(), {{"e", "è"}});
//   c.Correct("lauera", "lauera");  // "laurea"
#ifndef DIRIGO_TEXT_SPELLING_H_
#define DIRIGO_TEXT_SPELLING_H_

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

class Hunspell;

namespace dirigo {

// A dictionary of valid words.
class Speller {
 public:
  // Opens `<dir>/<lang>.aff` and `.dic` (e.g. /usr/share/hunspell, it_IT).
  static absl::StatusOr<std::unique_ptr<Speller>> Open(const std::string& dir,
                                                       const std::string& lang);
  ~Speller();

  // Whether `word` (UTF-8) is a valid word of the language.
  bool IsWord(const std::string& word) const;

 private:
  explicit Speller(std::unique_ptr<Hunspell> hunspell);
  mutable absl::Mutex mu_;
  std::unique_ptr<Hunspell> hunspell_ ABSL_GUARDED_BY(mu_);
};

// Words shorter than this are never corrected.
inline constexpr size_t kMinCorrectedLength = 4;
// Words this long or longer may be two edits away; shorter ones one.
inline constexpr size_t kTwoEditsLength = 8;

// Optimal string alignment distance (Levenshtein plus adjacent
// transpositions), stopping early once it exceeds `limit`.
int EditDistance(const std::string& a, const std::string& b, int limit);

// Corrects words to a vocabulary.
class SpellingCorrector {
 public:
  // `speller` may be null: then only the vocabulary counts as known.
  // `plain_endings`: accented endings typed plainly ({"e", "è"}, …).
  SpellingCorrector(
      std::set<std::string> vocabulary, const Speller* speller,
      std::vector<std::pair<std::string, std::string>> plain_endings);

  // The known word `folded` should be read as, or nullopt to keep it.
  // `lower` is the same word lower-cased with its accents.
  std::optional<std::string> Correct(const std::string& folded,
                                     const std::string& lower) const;

  const std::set<std::string>& vocabulary() const { return vocabulary_; }

 private:
  bool IsValid(const std::string& folded, const std::string& lower) const;
  // The vocabulary words that may be within `limit` edits of `word`.
  std::vector<const std::string*> Candidates(const std::string& word,
                                             int limit) const;
  std::set<std::string> vocabulary_;
  // Each form of a vocabulary word with up to two letters deleted → the
  // words (in vocabulary_) it comes from.
  absl::flat_hash_map<std::string, std::vector<const std::string*>> deletions_;
  // The longest vocabulary word that may be a correction, in bytes.
  size_t longest_ = 0;
  const Speller* speller_;
  std::vector<std::pair<std::string, std::string>> plain_endings_;
};

}  // namespace dirigo

#endif  // DIRIGO_TEXT_SPELLING_H_
