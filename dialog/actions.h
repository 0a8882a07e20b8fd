// What the bot does in a turn: the policy (policy.h) decides a list of
// actions, the replies (replies.h) word them, in order. An action names what
// to say, never the words: those come from the knowledge base.
//
// Plain values.
#ifndef DIRIGO_DIALOG_ACTIONS_H_
#define DIRIGO_DIALOG_ACTIONS_H_

#include <string>
#include <utility>
#include <vector>

#include "dirigo/v1/advisor.pb.h"
#include "knowledge/knowledge_base.h"

namespace dirigo {

struct Action {
  enum class Kind {
    kPhrase,       // one of the bot's phrases
    kAcknowledge,  // the facts the message gave, said back
    kFaq,          // an FAQ answer, with its citations
    kWhy,          // why the bot asks about a slot, with its citations
    kStep,         // one step of the plan again, with its citations
    kProfile,      // what the bot knows about the person
    kAsk,          // a question about a slot, with its quick replies
    kPlan,         // steps of the plan, numbered by their place in it
    kPlanReplies,  // the quick replies offered after a plan
    kPassage,      // the article's sentence closest to a question, cited
  };
  Kind kind = Kind::kPhrase;

  // kPhrase: the phrase's key; whether to take the next variant in turn
  // (else the first); whether to say it only when nothing was said before
  // it; values for its placeholders ({"{n}", "3"}).
  std::string phrase;
  bool rotate = false;
  bool only_if_first = false;
  std::vector<std::pair<std::string, std::string>> values;
  // kAcknowledge: the slots to say back, in order; whether facts known
  // before changed ("Aggiornato").
  std::vector<std::string> slots;
  bool update = false;
  // kFaq.
  const dirigo::kb::v1::Faq* faq = nullptr;
  // kWhy and kAsk: the slot. kAsk: which question (0 first, then the
  // re-prompts) and a phrase it goes into ("refine": "{question}"), if any.
  const CompiledSlot* slot = nullptr;
  int variant = 0;
  std::string prefix;
  // kStep: the step.
  dirigo::v1::AdviceItem step;
  // kPlan: the ids of the decision's plan to show (all when empty), numbered
  // by their place in the plan.
  std::vector<std::string> only;
  // kPlan: steps the person has seen already, shown by their title only.
  std::vector<std::string> brief;
  // kPassage.
  Passage passage;

  static Action Phrase(std::string key, bool rotate = false) {
    Action a;
    a.phrase = std::move(key);
    a.rotate = rotate;
    return a;
  }
  static Action Of(Kind kind) {
    Action a;
    a.kind = kind;
    return a;
  }
};

// The policy's decision for a turn.
struct Decision {
  std::vector<Action> actions;
  // The plan this turn gives or updates, attached to the turn as advice.
  std::vector<dirigo::v1::AdviceItem> plan;
  // The person asked to erase their data: the state is already fresh; the
  // caller must erase stored copies too.
  bool erase = false;

  void Add(Action action) { actions.push_back(std::move(action)); }
};

}  // namespace dirigo

#endif  // DIRIGO_DIALOG_ACTIONS_H_
