// The policy: the state after a message → what the bot does next, as a
// Decision (actions.h) for the replies to word.
//
// In one turn, in order: the facts the message gave are acknowledged; the
// questions, commands and remarks in it are answered (the intent table,
// intents.h), and a question no rule answers gets the article's closest
// passage, or the honest "the guide does not say" when it is about something
// else; then the conversation moves on: a goodbye ends it, a message
// not understood is re-prompted (in other words, then the question is
// skipped), a request for the plan gets it, and otherwise the bot asks for
// the next missing fact or, when none is missing, gives the plan; after a
// plan, new facts update it and the bot says what changed.
//
// The policy records in the dialog state what it decides: the slot awaited,
// re-prompts, skipped slots, the plan given. It changes the profile only to
// start afresh ("ricominciamo", "cancella i miei dati"); a restart's caller
// clears the state before tracking the message (StartsOver, StartAfresh).
//
// Thread-safe: immutable; many threads may call it at once with different
// states.
//
// Example:
//   if (Policy::StartsOver(in)) { Policy::StartAfresh(false, &state); … }
//   Changes changes = tracker.Apply(in, &state, &trace);
//   Decision d = policy.Decide(in, normalized, changes, awaiting, &state);
#ifndef DIRIGO_DIALOG_POLICY_H_
#define DIRIGO_DIALOG_POLICY_H_

#include <string>
#include <vector>

#include "dialog/actions.h"
#include "dialog/interpretation.h"
#include "dialog/planning.h"
#include "dialog/tracking.h"
#include "knowledge/knowledge_base.h"

namespace dirigo {

// Marks a slot as not to be asked again until a restart, and stops waiting
// for it.
void SkipSlot(const std::string& slot, sessionv1::DialogState* state);

class Policy {
 public:
  // `kb` and `planner` must outlive this object.
  Policy(const KnowledgeBase& kb, const Planner& planner)
      : kb_(kb), planner_(planner) {}

  // The first turn: the greeting and the first question.
  Decision Start(sessionv1::DialogState* state) const;

  // A person coming back to their conversation: welcome, what is known,
  // and the question pending (or the plan's outline, once given).
  Decision Welcome(sessionv1::DialogState* state) const;

  // A message with no words (only spaces): said so, and the question
  // pending asked again; nothing else changes.
  Decision Blank(sessionv1::DialogState* state) const;

  // Whether a message starts over (a restart that is no erase). Its caller
  // clears the state (StartAfresh) and reads the message again with no
  // question pending before tracking it, so that what the same message tells
  // ("ricominciamo, ho la laurea") is the new start's first fact; Decide
  // then only says so and asks on.
  static bool StartsOver(const Interpretation& in);

  // A fresh state: the profile and every question's record forgotten; the
  // register kept, and the turn count unless `erase`.
  static void StartAfresh(bool erase, sessionv1::DialogState* state);

  // The turn after a message. `awaiting` is the slot the bot waited for
  // before the message; `normalized` is the message as understanding read it.
  Decision Decide(const Interpretation& in, const NormalizedText& normalized,
                  const Changes& changes, const std::string& awaiting,
                  sessionv1::DialogState* state) const;

  // The next slot to ask about, or null when none is missing.
  const CompiledSlot* NextSlot(const sessionv1::DialogState& state) const;

  // Every slot the bot would still ask about, in order.
  std::vector<std::string> MissingSlots(
      const sessionv1::DialogState& state) const;

 private:
  Decision Erase(sessionv1::DialogState* state) const;
  Decision Restarted(const Changes& changes,
                     sessionv1::DialogState* state) const;
  void Acknowledge(const Changes& changes, Decision* d) const;
  bool AnswerIntents(const Interpretation& in, const Changes& changes,
                     const std::string& awaiting, sessionv1::DialogState* state,
                     Decision* d) const;
  // Questions no rule answered: the article's closest passage not quoted
  // yet (one a turn, none when a rule answered the message), the honest "the
  // guide says no more than what I quoted", or "the guide does not say".
  // Returns whether there were any.
  bool AnswerOpenQuestions(const Interpretation& in,
                           const NormalizedText& normalized,
                           bool answered_by_rules,
                           sessionv1::DialogState* state, Decision* d) const;
  void MoveOn(const Interpretation& in, const Changes& changes,
              const std::string& awaiting, bool digression, bool answered,
              sessionv1::DialogState* state, Decision* d) const;
  void Reprompt(const std::string& awaiting, sessionv1::DialogState* state,
                Decision* d) const;
  void GiveRequestedPlan(bool summary, sessionv1::DialogState* state,
                         Decision* d) const;
  void ContinueAfterPlan(const Changes& changes, const std::string& awaiting,
                         bool digression, sessionv1::DialogState* state,
                         Decision* d) const;
  void UpdatePlan(sessionv1::DialogState* state, Decision* d) const;
  void AskNextOrPlan(const Changes& changes, const std::string& awaiting,
                     bool digression, sessionv1::DialogState* state,
                     Decision* d) const;
  void Ask(const CompiledSlot& slot, int variant, const std::string& prefix,
           sessionv1::DialogState* state, Decision* d) const;
  // The plan, worded in full, or by its titles in the order shown when
  // `summary`.
  void GivePlan(const std::string& intro, sessionv1::DialogState* state,
                Decision* d, bool summary = false) const;

  const KnowledgeBase& kb_;
  const Planner& planner_;
};

}  // namespace dirigo

#endif  // DIRIGO_DIALOG_POLICY_H_
