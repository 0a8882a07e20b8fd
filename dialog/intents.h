// The intents the engine handles, in one table: each intent's name, its role
// in the turn, and for answers the handler that decides what to say.
//
// A knowledge base whose patterns name an intent missing here is refused when
// the engine is created. The table's order is the order answers are given
// within a turn.
//
// Thread-safe: the table is immutable.
//
// Example:
//   const IntentHandler* h = FindIntent("faq.roles");  // the "faq" entry
//   if (h->role == IntentHandler::Role::kAnswer) h->answer(context, &decision);
#ifndef DIRIGO_DIALOG_INTENTS_H_
#define DIRIGO_DIALOG_INTENTS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "dialog/actions.h"
#include "dialog/interpretation.h"
#include "dialog/planning.h"
#include "dialog/tracking.h"
#include "knowledge/knowledge_base.h"

namespace dirigo {

// What a handler may read, and the state it may note a skipped slot in.
struct IntentContext {
  const KnowledgeBase& kb;
  const Planner& planner;
  const Interpretation& in;
  const Changes& changes;
  // The slot the bot waited for before this message ("" for none).
  const std::string& awaiting;
  // The intent being handled ("faq.roles").
  const std::string& intent;
  sessionv1::DialogState* state;
};

struct IntentHandler {
  // The intent's name; "faq" stands for every "faq.<id>".
  const char* name;
  // What the intent does to the turn.
  enum class Role {
    // Answered in the turn, before the next question: a digression.
    kAnswer,
    // Asks for the plan now.
    kPlan,
    // Starts the conversation afresh, keeping the count of messages; the
    // facts the same message tells are the new start's first.
    kRestart,
    // Erases everything the bot keeps, then starts afresh.
    kErase,
    // The person leaves: a goodbye, no next question.
    kGoodbye,
    // Changes how the message's facts are read ("anzi"); no answer, and
    // alone it is no answer to a question.
    kModifier,
  };
  Role role;
  // What a clause with this intent does, for the trace: "question",
  // "command", "objection", "correction", "greeting", "thanks", "goodbye",
  // "small_talk", "statement".
  const char* act;
  // For kAnswer: adds the answer to `decision`; false when the intent does
  // not count as answered in this turn (then it is no digression).
  bool (*answer)(const IntentContext& context, Decision* decision);
  // A named capture the handler reads, which every rule with this intent
  // must have (checked when the engine is created); null for none.
  const char* capture = nullptr;
};

// Every intent, in the order their answers are given.
const std::vector<IntentHandler>& IntentTable();

// The handler of an intent ("faq.roles" → the "faq" entry); null if none.
const IntentHandler* FindIntent(absl::string_view intent);

// Whether an intent of the message has this role.
bool HasRole(const Interpretation& in, IntentHandler::Role role);

}  // namespace dirigo

#endif  // DIRIGO_DIALOG_INTENTS_H_
