// The dialog engine: one message through the pipeline.
//
// The engine is a pure function of (immutable knowledge base, dialog state,
// message) → (new state, the bot's turn). It knows nothing of gRPC or of
// storage: the advisor layer loads the state, calls `Respond`, and saves it.
//
// One turn runs these units, each in a file of its own:
//   1. the message is checked (UTF-8, at most kMaxMessageBytes) and its
//      control characters dropped
//      and normalised, with spelling correction (knowledge/, text/);
//   2. understanding.h: the rules that match and win, the facts, the
//      intents, the corrections → an Interpretation;
//   3. tracking.h: the facts applied to the profile, with where each came
//      from → the Changes;
//   then the register: a message with the language's formal cues ("mi
//   dica") makes the bot answer with "Lei" from then on, one with informal
//   cues brings back "tu"; each register has its own Voice (wording,
//   planner, policy, replies);
//   4. policy.h: what to do next (acknowledge, answer, ask, advise), with the
//      intent table of intents.h and the plan of planning.h → a Decision;
//   5. replies.h: the Decision worded from the knowledge base → the BotTurn.
//
// Thread-safe: an Engine is immutable; many threads may call it at once with
// different states.
//
// Example:
//   ASSIGN_OR_RETURN(std::shared_ptr<const Engine> engine, Engine::Create(kb));
//   dirigo::session::v1::DialogState state;
//   dirigo::v1::BotTurn hello = engine->Start(&state);
//   ASSIGN_OR_RETURN(EngineReply r, engine->Respond("ho una laurea", &state));
#ifndef DIRIGO_DIALOG_ENGINE_H_
#define DIRIGO_DIALOG_ENGINE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dialog/planning.h"
#include "dialog/policy.h"
#include "dialog/replies.h"
#include "dialog/tracking.h"
#include "dialog/understanding.h"
#include "dialog/wording.h"
#include "dirigo/session/v1/session.pb.h"
#include "dirigo/v1/advisor.pb.h"
#include "knowledge/knowledge_base.h"

namespace dirigo {

// The outcome of one message.
struct EngineReply {
  dirigo::v1::BotTurn turn;
  // The person asked to erase what the bot keeps: the caller must erase
  // stored copies too (the state is already reset).
  bool erase = false;
};

class Engine {
 public:
  // Longest message accepted, in bytes: a bound on the work of one turn
  // (the server's own limit, --max_message_bytes, is smaller).
  static constexpr size_t kMaxMessageBytes = size_t{64} * 1024;

  // An engine for `kb`. InvalidArgument, naming file and line, when a rule
  // names an intent the engine does not handle (intents.h) or a phrase the
  // replies need is missing.
  static absl::StatusOr<std::shared_ptr<const Engine>> Create(
      std::shared_ptr<const KnowledgeBase> kb);

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Greets and asks the first question. `state` should be fresh.
  dirigo::v1::BotTurn Start(dirigo::session::v1::DialogState* state) const;

  // The turn that welcomes a person back to their conversation (a bridge's
  // user opening the chat again): what is known, and what comes next.
  dirigo::v1::BotTurn Welcome(dirigo::session::v1::DialogState* state) const;

  // Handles one message, read without its control characters. A message
  // with no words gets the question pending again. InvalidArgument (state
  // untouched) when the text is not valid UTF-8 or is longer than
  // kMaxMessageBytes.
  // `current_year` (from the caller's clock) turns "dal 2018" into years;
  // 0 leaves such answers unread.
  absl::StatusOr<EngineReply> Respond(absl::string_view text,
                                      dirigo::session::v1::DialogState* state,
                                      int current_year = 0) const;

  // The plan for a profile, most important first.
  std::vector<dirigo::v1::AdviceItem> Advise(
      const dirigo::v1::Profile& profile) const;

  // The slots the bot would still ask about, in order.
  std::vector<std::string> MissingSlots(
      const dirigo::session::v1::DialogState& state) const;

  // The question the bot waits to have answered, as it would ask it now, in
  // the person's register ("Che lavoro fai, o hai fatto finora?"); empty
  // when it waits for nothing. Changes nothing.
  std::string PendingQuestion(
      const dirigo::session::v1::DialogState& state) const;

  const KnowledgeBase& knowledge() const { return *kb_; }

 private:
  explicit Engine(std::shared_ptr<const KnowledgeBase> kb);

  // `nothing`, or the message read as the answer to the one other open
  // question it fits.
  Interpretation AnswerToAnotherQuestion(const NormalizedText& normalized,
                                         absl::string_view text,
                                         const std::string& awaiting,
                                         const session::v1::DialogState& state,
                                         int current_year,
                                         Interpretation nothing) const;

  // The parts that decide and word a turn, in one register.
  struct Voice {
    Voice(const KnowledgeBase& kb, bool formal)
        : wording(kb, formal),
          planner(kb, wording),
          policy(kb, planner),
          replies(kb, wording) {}
    // Its parts point at each other: never copied.
    Voice(const Voice&) = delete;
    Voice& operator=(const Voice&) = delete;
    Wording wording;
    Planner planner;
    Policy policy;
    Replies replies;
  };
  // The voice of the register the person writes in (DialogState.formal).
  const Voice& VoiceFor(const dirigo::session::v1::DialogState& state) const {
    return state.formal() ? formal_ : informal_;
  }

  std::shared_ptr<const KnowledgeBase> kb_;
  Understanding understanding_;
  Tracker tracker_;
  Voice informal_;
  Voice formal_;
};

}  // namespace dirigo

#endif  // DIRIGO_DIALOG_ENGINE_H_
