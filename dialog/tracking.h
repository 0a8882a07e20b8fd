// Tracking: an Interpretation + the dialog state → the new state and what
// changed.
//
// Each slot the message speaks of gets its new value: for a list
// (experience) the values add up; a number that adds up (adds_up: years of
// several jobs) is the sum of the message's numbers; for one value the most
// specific rule of the message wins, else the last said; values that only go up
// (keep_highest: education) never go down unless corrected. Each change records
// where it came from (the person's words, the message, the rule) and clears a
// companion text that no longer describes it. A slot given is no longer
// skipped. Every change of a value is written to the turn's trace.
//
// Thread-safe: immutable; many threads may call it at once with different
// states.
//
// Example:
//   Tracker tracker(kb);
//   Changes changes = tracker.Apply(in, &state, turn.mutable_trace());
#ifndef DIRIGO_DIALOG_TRACKING_H_
#define DIRIGO_DIALOG_TRACKING_H_

#include <string>
#include <vector>

#include "dialog/interpretation.h"
#include "dirigo/session/v1/session.pb.h"
#include "dirigo/v1/advisor.pb.h"
#include "knowledge/knowledge_base.h"

namespace dirigo {

namespace sessionv1 = ::dirigo::session::v1;

// What one message changed in the profile.
struct Changes {
  // The slots whose value changed, in the order said.
  std::vector<std::string> slots;
  // A fact the bot asks about, and knew already, changed: the bot says
  // "Aggiornato" rather than acknowledging a new fact.
  bool updated_known = false;
  // The slots a value was taken back from ("non lavoro in consulenza").
  std::vector<std::string> removed;

  bool empty() const { return slots.empty() && removed.empty(); }
  bool Contains(const std::string& slot) const;
};

class Tracker {
 public:
  // `kb` must outlive this object.
  explicit Tracker(const KnowledgeBase& kb) : kb_(kb) {}

  // Applies the facts of `in` to `state`; adds each change to `trace`.
  Changes Apply(const Interpretation& in, sessionv1::DialogState* state,
                dirigo::v1::Trace* trace) const;

 private:
  // The value to set for a one-value slot, or null to leave it alone.
  const Fact* Choose(const CompiledSlot* slot, const FieldDescriptor* field,
                     const std::vector<Fact>& facts, bool correction,
                     const std::vector<std::string>& before) const;
  std::optional<std::string> AddUp(const FieldDescriptor* field,
                                   const std::vector<Fact>& facts,
                                   dirigo::v1::Profile* profile,
                                   std::string* rule_id) const;
  // Sets the slot's facts; returns the words for it (and the rule in
  // `rule_id`), or nullopt when nothing is to change.
  std::optional<std::string> SetValues(const std::string& slot_name,
                                       const FieldDescriptor* field,
                                       const std::vector<Fact>& facts,
                                       bool correction,
                                       sessionv1::DialogState* state,
                                       std::string* rule_id) const;
  std::vector<Fact> TakeBack(const std::string& slot_name,
                             const FieldDescriptor* field,
                             const std::vector<Fact>& facts,
                             sessionv1::DialogState* state, Changes* changes,
                             dirigo::v1::Trace* trace) const;
  // Shorter words name no fact ("il", "lo").
  static constexpr size_t kMinNamingLength = 3;
  void TakeBackByWords(const std::string& words, sessionv1::DialogState* state,
                       dirigo::v1::Trace* trace, Changes* changes) const;
  bool WholeTold(const CompiledSlot* slot, const Interpretation& in,
                 const std::vector<std::string>& before,
                 const std::string& awaiting, std::vector<Fact>* facts) const;
  static std::optional<Fact> ChangedWhole(
      const std::vector<Fact>& facts, const std::vector<std::string>& before);
  bool WholeUnknown(const CompiledSlot* slot, const std::vector<Fact>& facts,
                    const Interpretation& in,
                    const std::string& awaiting) const;
  // Whether the message's numbers add to the one known: parts that ended,
  // told after it ("qui da 5 anni", then "prima avevo fatto anche 4 anni in
  // un negozio": 9), unless the known one is the whole.
  bool AddsToKnown(const CompiledSlot* slot, const std::vector<Fact>& facts,
                   const std::vector<std::string>& before,
                   const sessionv1::DialogState& state, bool correction) const;
  // Adds the message's numbers to the one known; returns the words for the
  // sum, or nullopt when they are no numbers or add up beyond a career.
  std::optional<std::string> AddToKnown(const std::string& slot_name,
                                        const FieldDescriptor* field,
                                        const std::vector<Fact>& facts,
                                        sessionv1::DialogState* state,
                                        std::string* rule_id) const;
  void ApplySlot(const std::string& slot_name, const Interpretation& in,
                 sessionv1::DialogState* state, dirigo::v1::Trace* trace,
                 Changes* changes) const;

  const KnowledgeBase& kb_;
};

}  // namespace dirigo

#endif  // DIRIGO_DIALOG_TRACKING_H_
