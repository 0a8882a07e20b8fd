// Replies: a Decision (actions.h) → the bot's turn, worded from the knowledge
// base's phrases, slots, FAQ answers and plan, in the register of its
// Wording.
//
// Each action becomes zero or more messages, in order. Phrases with several
// variants rotate with the dialog state's counter, so the bot does not repeat
// itself. A turn that would say nothing says "not understood" instead: the
// person is never left without an answer. The turn ends with the profile, the
// slot awaited and the knowledge base's version.
//
// Thread-safe: immutable; many threads may call it at once with different
// states.
//
// Example:
//   Replies replies(kb, wording);
//   replies.Render(decision, &state, &turn);
#ifndef DIRIGO_DIALOG_REPLIES_H_
#define DIRIGO_DIALOG_REPLIES_H_

#include <string>
#include <vector>

#include "dialog/actions.h"
#include "dialog/wording.h"
#include "dirigo/session/v1/session.pb.h"
#include "dirigo/v1/advisor.pb.h"
#include "knowledge/knowledge_base.h"

namespace dirigo {

class Replies {
 public:
  // `kb` and `wording` must outlive this object.
  Replies(const KnowledgeBase& kb, const Wording& wording)
      : kb_(kb), wording_(wording) {}

  // Words `decision` into `turn`; only the phrase counter of `state`
  // changes.
  void Render(const Decision& decision, dirigo::session::v1::DialogState* state,
              dirigo::v1::BotTurn* turn) const;

  // The question that asks for `slot`, as it would be asked now (narrowed
  // to what is known of the person), and its quick replies.
  std::string Question(
      const CompiledSlot& slot, const dirigo::session::v1::DialogState& state,
      const google::protobuf::RepeatedPtrField<kb::v1::QuickReply>** replies =
          nullptr) const;

 private:
  // A phrase in the register of `wording_`.
  const std::string& Said(absl::string_view key) const;
  std::string NextPhrase(absl::string_view key,
                         dirigo::session::v1::DialogState* state) const;
  void Phrase(const Action& a, dirigo::session::v1::DialogState* state,
              dirigo::v1::BotTurn* turn) const;
  void Acknowledge(const Action& a, dirigo::session::v1::DialogState* state,
                   dirigo::v1::BotTurn* turn) const;
  void Profile(const dirigo::session::v1::DialogState& state,
               dirigo::v1::BotTurn* turn) const;
  void Ask(const Action& a, dirigo::session::v1::DialogState* state,
           dirigo::v1::BotTurn* turn) const;
  void Plan(const Action& a, const std::vector<dirigo::v1::AdviceItem>& plan,
            dirigo::v1::BotTurn* turn) const;
  void RenderOne(const Action& a, const Decision& decision,
                 dirigo::session::v1::DialogState* state,
                 dirigo::v1::BotTurn* turn) const;

  const KnowledgeBase& kb_;
  const Wording& wording_;
};

}  // namespace dirigo

#endif  // DIRIGO_DIALOG_REPLIES_H_
