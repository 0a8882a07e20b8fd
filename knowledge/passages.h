// The article's sentences, indexed for questions the rules do not answer:
// the sentence that comes closest to a question, by BM25 over normalised
// words without the language's stop words, each cut to its first letters.
//
// Thread-safe: immutable once built.
//
// Example:
//   PassageIndex index(article, normalizer, stop_words);
//   std::optional<Passage> p = index.Closest("serve l inglese");
#ifndef DIRIGO_KNOWLEDGE_PASSAGES_H_
#define DIRIGO_KNOWLEDGE_PASSAGES_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "dirigo/kb/v1/knowledge.pb.h"
#include "text/normalizer.h"

namespace dirigo {

// A sentence of the article and how close it came.
struct Passage {
  std::string section;
  std::string sentence;
  double score = 0;
};

class PassageIndex {
 public:
  // BM25's parameters: how fast a word's repeats stop counting, and how much
  // a sentence's length weighs.
  static constexpr double kK1 = 1.2;
  static constexpr double kB = 0.75;
  // Words are compared by their first letters only, so that the forms of a
  // word meet ("dirigente", "dirigenti", "dirigenziale").
  static constexpr size_t kStemLength = 6;
  // A word in at least 1/kCommonShare of the sentences does not count.
  static constexpr double kCommonShare = 4;

  PassageIndex() = default;
  // Indexes every sentence of `article`; `stop_words` are folded words that
  // carry no meaning of their own ("il", "che").
  PassageIndex(const dirigo::kb::v1::Article& article,
               const Normalizer& normalizer,
               const std::set<std::string>& stop_words,
               const std::set<std::string>& subject_words = {},
               const std::vector<std::vector<std::string>>& synonyms = {});

  // The sentence closest to `normalized` (a normalised question), or nullopt
  // when it shares no word of meaning with any sentence.
  std::optional<Passage> Closest(absl::string_view normalized) const;

  // Whether `normalized` has a word about the subject (compared by stem).
  bool IsAboutTheSubject(absl::string_view normalized) const;

  // The article's first sentence: what the whole article says, for a
  // question about the subject that no sentence comes close to.
  std::optional<Passage> Opening() const;

  // How many words of meaning (not stop words) `normalized` has.
  size_t MeaningfulWords(absl::string_view normalized) const {
    return Words(normalized).size();
  }

 private:
  struct Document {
    std::string section, sentence;
    std::map<std::string, int> counts;
    int length = 0;
  };
  std::vector<std::string> Words(absl::string_view normalized) const;

  std::set<std::string> stop_words_;
  std::set<std::string> subject_stems_;
  // A stem → the stems of the words that mean the same.
  std::map<std::string, std::set<std::string>> synonyms_;
  std::vector<Document> documents_;
  std::map<std::string, int> document_frequency_;
  double average_length_ = 0;
};

}  // namespace dirigo

#endif  // DIRIGO_KNOWLEDGE_PASSAGES_H_
