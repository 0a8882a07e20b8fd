// The article Dirigo's knowledge comes from, read sentence by sentence: the
// loader checks that every sentence is quoted by some citation.
//
// Thread-safe: the functions keep no state.
//
// Example:
//   SplitSentences("Uno. Due? Tre!");  // {"Uno.", "Due?", "Tre!"}
#ifndef DIRIGO_KNOWLEDGE_ARTICLE_H_
#define DIRIGO_KNOWLEDGE_ARTICLE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "dirigo/kb/v1/knowledge.pb.h"

namespace dirigo {

// A sentence of the article, with the id of its section.
struct ArticleSentence {
  std::string section;
  std::string text;
};

// Splits a paragraph into sentences (at ". ", "? ", "! ").
std::vector<std::string> SplitSentences(absl::string_view paragraph);

// Every sentence of the article, in order.
std::vector<ArticleSentence> ArticleSentences(
    const dirigo::kb::v1::Article& article);

}  // namespace dirigo

#endif  // DIRIGO_KNOWLEDGE_ARTICLE_H_
