// The dialog engine: understanding, slots, policy and advice.
//
// The engine is a pure function of (immutable knowledge base, dialog state,
// message) → (new state, the bot's turn). It knows nothing of gRPC or of
// storage: the advisor layer loads the state, calls `Respond`, and saves it.
//
// One turn:
//   1. the message is checked (UTF-8, not empty, at most kMaxMessageBytes) and
//      normalised, with spelling correction against the knowledge base;
//   2. one RE2::Set pass finds candidate patterns; the candidates run again
//      for their captures; patterns tied to a question apply only while the
//      bot waits for that answer;
//   3. overlapping matches are ranked: higher priority, then the longer match;
//   4. facts change the profile (corrections and "anzi" replace; education
//      only goes up unless corrected); commands, questions and "why?" are
//      answered;
//   5. the policy asks for the next missing fact, re-prompts differently when
//      it did not understand, or gives (and later updates) the plan.
//
// Thread-safe: an Engine is immutable; many threads may call it at once with
// different states.
//
// Example:
//   Engine engine(kb);
//   dirigo::kb::v1::DialogState state;
//   BotTurn hello = engine.Start(&state);
//   absl::StatusOr<EngineReply> r = engine.Respond("ho una laurea", &state);
#ifndef DIRIGO_DIALOG_ENGINE_H_
#define DIRIGO_DIALOG_ENGINE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dirigo/kb/v1/knowledge.pb.h"
#include "dirigo/v1/advisor.pb.h"
#include "knowledge/knowledge_base.h"

namespace dirigo {

// The commands the engine carries out, as intents "command.<name>".
inline constexpr const char* kCommands[] = {"restart", "profile", "erase",
                                            "help", "advice"};

// The outcome of one message.
struct EngineReply {
  dirigo::v1::BotTurn turn;
  // The person asked to erase what the bot keeps: the caller must erase
  // stored copies too (the state is already reset).
  bool erase = false;
};

class Engine {
 public:
  // Longest message accepted, in bytes.
  static constexpr size_t kMaxMessageBytes = 2000;

  explicit Engine(std::shared_ptr<const KnowledgeBase> kb);

  // Greets and asks the first question. `state` should be fresh.
  dirigo::v1::BotTurn Start(dirigo::kb::v1::DialogState* state) const;

  // Handles one message. InvalidArgument (state untouched) when the text is
  // not valid UTF-8, is empty, or is longer than kMaxMessageBytes.
  // `current_year` (from the caller's clock) turns "dal 2018" into years;
  // 0 leaves such answers unread.
  absl::StatusOr<EngineReply> Respond(absl::string_view text,
                                      dirigo::kb::v1::DialogState* state,
                                      int current_year = 0) const;

  // The plan for a profile, most important first. `words` holds the person's
  // own words by slot, if known.
  std::vector<dirigo::v1::AdviceItem> Advise(
      const dirigo::v1::Profile& profile,
      const std::map<std::string, std::string>& words = {}) const;

  // The slots the bot would still ask about, in order.
  std::vector<std::string> MissingSlots(
      const dirigo::kb::v1::DialogState& state) const;

  const KnowledgeBase& knowledge() const { return *kb_; }

 private:
  struct Match;
  std::vector<Match> FindMatches(const NormalizedText& n,
                                 absl::string_view original,
                                 const std::string& awaiting) const;
  std::string FactText(const dirigo::kb::v1::DialogState& state,
                       const std::string& slot) const;
  std::string Fill(const std::string& text, const dirigo::v1::Profile& profile,
                   const std::map<std::string, std::string>& words) const;
  dirigo::v1::Citation ToCitation(const dirigo::kb::v1::Citation& c) const;
  const dirigo::kb::v1::Slot* NextSlot(
      const dirigo::kb::v1::DialogState& state) const;
  void Ask(const dirigo::kb::v1::Slot& slot, int variant,
           const std::string& prefix_phrase, dirigo::kb::v1::DialogState* state,
           dirigo::v1::BotTurn* turn) const;
  void GivePlan(const std::string& intro_key,
                dirigo::kb::v1::DialogState* state,
                dirigo::v1::BotTurn* turn) const;
  void AddPlanItems(const std::vector<dirigo::v1::AdviceItem>& items,
                    const std::vector<std::string>& only,
                    dirigo::v1::BotTurn* turn) const;
  void AddAfterPlanReplies(dirigo::v1::BotTurn* turn) const;
  // Marks a slot as not to be asked again (once).
  static void Skip(const std::string& slot, dirigo::kb::v1::DialogState* state);
  std::string NextPhrase(absl::string_view key,
                         dirigo::kb::v1::DialogState* state) const;

  std::shared_ptr<const KnowledgeBase> kb_;
};

}  // namespace dirigo

#endif  // DIRIGO_DIALOG_ENGINE_H_
