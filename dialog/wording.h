// How known facts are said: a fact said back (in the person's words when the
// slot says it so, else the value's text from the knowledge base), facts
// joined into a list by the language's separators, advice texts with their
// {slot} placeholders filled, and citations with their section headings.
// Shared by planning (advice texts) and replies (acknowledgements, the
// profile summary).
//
// A Wording speaks in one register: informal ("tu"), or formal ("Lei"),
// where every text of the knowledge base that has a formal form is said in
// it (knowledge/<locale>/formal.textproto).
//
// Thread-safe: immutable.
//
// Example:
//   Wording wording(kb);
//   wording.FactText(profile, words, "educationLevel");  // "laurea triennale"
//   wording.JoinFacts({"a", "b", "c"});                   // "a, b e c"
#ifndef DIRIGO_DIALOG_WORDING_H_
#define DIRIGO_DIALOG_WORDING_H_

#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "dirigo/session/v1/session.pb.h"
#include "dirigo/v1/advisor.pb.h"
#include "knowledge/knowledge_base.h"

namespace dirigo {

// The person's own words for the facts: a view of a dialog state's sources,
// without copying them. Empty words count as none.
class FactWords {
 public:
  // No words at all.
  FactWords() = default;
  // The words of `state`, which must outlive this view.
  explicit FactWords(const dirigo::session::v1::DialogState& state)
      : sources_(&state.sources()) {}

  // The person's words for `slot`, or null.
  const std::string* Find(const std::string& slot) const;

 private:
  const google::protobuf::Map<std::string, dirigo::v1::FactSource>* sources_ =
      nullptr;
};

class Wording {
 public:
  // `kb` must outlive this object.
  explicit Wording(const KnowledgeBase& kb, bool formal = false);

  // A text of the knowledge base as this register says it.
  const std::string& Say(const std::string& text) const {
    return kb_.InRegister(text, formal_);
  }
  // It may return its argument: never a temporary.
  const std::string& Say(std::string&& text) const = delete;

  // A known fact said back; "" when the slot is unknown or has no text for
  // the value. Several values are joined by the language's last separator.
  std::string FactText(const dirigo::v1::Profile& profile,
                       const FactWords& words, const std::string& slot) const;

  // "a", "a e b", "a, b e c", "a ed e…", with the language's separators.
  std::string JoinFacts(const std::vector<std::string>& facts) const;

  // `text` (already in this register) with each {slot} replaced by the person's
  // words for it, else the fact said back; {<companion>} falls back to its
  // slot's fact.
  std::string Fill(const std::string& text, const dirigo::v1::Profile& profile,
                   const FactWords& words) const;

  // A citation of the knowledge base as the API shows it.
  dirigo::v1::Citation Cite(const dirigo::kb::v1::Citation& citation) const;

 private:
  // The separator before the last of a list that ends with `next`.
  const std::string& LastSeparator(const std::string& next) const;
  std::string FillOne(const std::string& name,
                      const dirigo::v1::Profile& profile,
                      const FactWords& words) const;

  const KnowledgeBase& kb_;
  const bool formal_;
  // Slots by the name of their companion text field.
  absl::flat_hash_map<std::string, const CompiledSlot*> by_companion_;
};

}  // namespace dirigo

#endif  // DIRIGO_DIALOG_WORDING_H_
