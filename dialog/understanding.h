// Understanding: a normalised message → an Interpretation (interpretation.h):
// the rules that match, which of them win, the facts they say (with the
// person's words), the intents, and which facts are corrections.
//
//   1. One RE2::Set pass finds the candidate rules; only those run again, for
//      their captures. A rule tied to a question (`context`) applies only
//      while the bot waits for that answer.
//   2. Overlapping matches compete; the ranking (ranking.h) picks the winner.
//   3. The winners' assignments become facts: a number from a capture (years
//      "dal 2018" counted from the current year, months divided into years),
//      words kept for text fields.
//   4. A negation (`replaces`) corrects its slots; a rule marked
//      `corrects_next` ("anzi") corrects the first fact said after it.
// Understanding never changes the state: tracking (tracking.h) does.
//
// Thread-safe: immutable; many threads may call it at once.
//
// Example:
//   Understanding understanding(kb);
//   ASSIGN_OR_RETURN(NormalizedText n, kb.NormalizeMessage(text));
//   Interpretation in = understanding.Understand(n, text, "", 2026);
#ifndef DIRIGO_DIALOG_UNDERSTANDING_H_
#define DIRIGO_DIALOG_UNDERSTANDING_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "dialog/interpretation.h"
#include "knowledge/knowledge_base.h"
#include "text/normalizer.h"

namespace dirigo {

class Understanding {
 public:
  // `kb` must outlive this object.
  explicit Understanding(const KnowledgeBase& kb) : kb_(kb) {}

  // `original` is the message as written; `awaiting` the slot the bot waits
  // for ("" for none); `current_year` reads "dal 2018" as years (0 leaves
  // such facts unread).
  Interpretation Understand(const NormalizedText& normalized,
                            absl::string_view original,
                            const std::string& awaiting,
                            int current_year) const;

 private:
  std::vector<Match> FindMatches(const NormalizedText& n,
                                 absl::string_view original,
                                 const std::string& awaiting) const;
  void AddMatches(const CompiledPattern& rule, const NormalizedText& n,
                  absl::string_view original, std::vector<Match>* out) const;
  // Adds to `out` the match of `rule` in `sub` (`groups` entries, [0] the
  // whole match, over `n.text`), unless it cuts a number in two; returns
  // where it ends.
  size_t RecordMatch(const CompiledPattern& rule, const NormalizedText& n,
                     absl::string_view original, const re2::StringPiece* sub,
                     int groups, std::vector<Match>* out) const;

  const KnowledgeBase& kb_;
};

}  // namespace dirigo

#endif  // DIRIGO_DIALOG_UNDERSTANDING_H_
