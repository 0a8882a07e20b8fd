// What understanding makes of one message: the data that flows from
// understanding (understanding.h) to tracking (tracking.h) and the policy
// (policy.h).
//
// Built once per message, then only read.
#ifndef DIRIGO_DIALOG_INTERPRETATION_H_
#define DIRIGO_DIALOG_INTERPRETATION_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "knowledge/compiler.h"

namespace dirigo {

// One match of a rule in the message.
struct Match {
  const CompiledPattern* rule = nullptr;
  // Where, in the normalised text.
  size_t begin = 0, end = 0;
  // The words matched, as the person wrote them.
  std::string original;
  // A named capture: the normalised words, and the words fit to say back.
  struct Capture {
    std::string normalized;
    std::string display;
    // Right after a word of Language.almost ("quasi 3 anni").
    bool after_almost = false;
  };
  std::map<std::string, Capture> captures;
  // Whether it won against the overlapping matches it competes with.
  bool applied = false;
  // The clause it starts in (an index of Interpretation::clauses), or -1.
  int clause = -1;

  const dirigo::kb::v1::Pattern& def() const { return *rule->def; }
  size_t length() const { return end - begin; }
};

// A clause of the message (between marks such as "," "." "?") and what it
// does.
struct Clause {
  // Where, in the normalised text.
  size_t begin = 0, end = 0;
  // It asks: a question mark, or a question's first words ("perché…").
  bool asks = false;
  // It supposes rather than states ("se lavorassi in banca…").
  bool supposes = false;
  // It tells of the past ("prima 2 anni in un call center"): its years are a
  // part that ended (Language.past_start).
  bool past = false;
  // The intents of the winning matches that start in it.
  std::vector<std::string> intents;
  // A winning match in it answers the question the bot asked ("5?").
  bool answers = false;
};

// A value for a slot, said by one applied match.
struct Fact {
  // As Assignment.value ("BACHELOR", "true", "3", or the words themselves
  // for a text field).
  std::string value;
  // The person's words for it, when the rule keeps them.
  std::string words;
  // The rule's priority (band and rank): the more specific rule wins.
  int priority = 0;
  // The rule that said it.
  const CompiledPattern* rule = nullptr;
  // The whole of a slot that adds up ("in tutto 9"), not one more part.
  bool total = false;
  // A part that runs up to now ("da 3 anni"): it overlaps the others that
  // do, so only the longest of them counts.
  bool ongoing = false;
  // Takes the value back (Assignment.remove).
  bool remove = false;
  // A part that ended (Assignment.past).
  bool past = false;
  // Only for a slot still unknown (Assignment.fill_only).
  bool fill_only = false;
  // The job of now is one already told (Assignment.same_job).
  bool same_job = false;
  // Time not worked inside the span told (Assignment.gap).
  bool gap = false;
  // A part whose time is not told (Assignment.untimed).
  bool untimed = false;
  // A change of the known whole (Assignment.change).
  bool change = false;
  // Where the rule matched, in the normalised text, and in which clause (-1:
  // none).
  size_t begin = 0, end = 0;
  int clause = -1;
};

// Move-only: `applied` points into `matches`.
struct Interpretation {
  Interpretation() = default;
  Interpretation(Interpretation&&) = default;
  Interpretation& operator=(Interpretation&&) = default;
  Interpretation(const Interpretation&) = delete;
  Interpretation& operator=(const Interpretation&) = delete;

  // The clauses, in order.
  std::vector<Clause> clauses;
  // Every match, in reading order (position, then rule id).
  std::vector<Match> matches;
  // The matches that won, in reading order.
  std::vector<const Match*> applied;
  // The intents of the applied matches ("why", "faq.roles").
  std::set<std::string> intents;
  // The slots the message gives facts for, in the order said.
  std::vector<std::string> slot_order;
  // The facts, by slot, in the order said.
  std::map<std::string, std::vector<Fact>> facts;
  // Slots whose new value replaces the known one outright: after "anzi",
  // and for negations.
  std::set<std::string> corrected;
  // Slots that add up whose whole the message leaves untold: a part without
  // its time next to parts with numbers (Assignment.untimed).
  std::set<std::string> whole_untold;
  // Words naming facts the person takes back (Pattern.take_back),
  // normalised: the tracker finds the facts among those known.
  std::vector<std::string> taken_back;

  bool Has(absl::string_view intent) const {
    return intents.count(std::string(intent)) > 0;
  }
};

}  // namespace dirigo

#endif  // DIRIGO_DIALOG_INTERPRETATION_H_
