#include "dialog/tracking.h"

#include <algorithm>

#include "absl/algorithm/container.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "knowledge/profile_fields.h"
#include "text/unicode.h"

namespace dirigo {
namespace {

namespace kbv1 = ::dirigo::kb::v1;

// Order of values for keep_highest slots: an enum's number (the API lists
// education levels from lowest to highest), or the number itself.
int ValueRank(const FieldDescriptor* f, const std::string& v) {
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
    for (int i = 0; i < f->enum_type()->value_count(); ++i) {
      const std::string& name = f->enum_type()->value(i)->name();
      if (name.size() >= v.size() &&
          name.compare(name.size() - v.size(), v.size(), v) == 0) {
        return f->enum_type()->value(i)->number();
      }
    }
    return 0;
  }
  int n = 0;
  return absl::SimpleAtoi(v, &n) ? n : 0;
}

std::string KnownWords(const sessionv1::DialogState& state,
                       const std::string& slot) {
  auto it = state.sources().find(slot);
  return it == state.sources().end() ? "" : it->second.words();
}

void Unskip(const std::string& slot, sessionv1::DialogState* state) {
  auto* skipped = state->mutable_skipped();
  skipped->erase(std::remove(skipped->begin(), skipped->end(), slot),
                 skipped->end());
}

}  // namespace

bool Changes::Contains(const std::string& slot) const {
  return std::find(slots.begin(), slots.end(), slot) != slots.end();
}

const Fact* Tracker::Choose(const CompiledSlot* slot,
                            const FieldDescriptor* field,
                            const std::vector<Fact>& facts, bool correction,
                            const std::vector<std::string>& before) const {
  // The last word on it, unless a more specific rule said otherwise ("mi sono
  // appena laureata e lavoro come stagista": a graduate). A correction
  // ("anzi…") always takes the last.
  const Fact* chosen = &facts.back();
  if (correction) return chosen;
  // The whole said ("anni di lavoro: 8") replaces what was known, even where
  // values otherwise only go up.
  for (const Fact& f : facts) {
    if (f.total) return &f;
  }
  for (const Fact& f : facts) {
    if (f.priority > chosen->priority) chosen = &f;
  }
  if (slot != nullptr && !before.empty() && chosen->value != before[0] &&
      chosen->rule != nullptr &&
      chosen->rule->def->band() == kbv1::Pattern::WEAK &&
      absl::c_linear_search(slot->def->held(), before[0])) {
    return nullptr;  // "lavoro in un negozio" after "studio economia".
  }
  if (slot == nullptr || !slot->def->keep_highest()) return chosen;
  for (const Fact& f : facts) {
    if (ValueRank(field, f.value) > ValueRank(field, chosen->value))
      chosen = &f;
  }
  if (!before.empty() &&
      ValueRank(field, before[0]) >= ValueRank(field, chosen->value)) {
    return nullptr;  // "ho anche la triennale" after a master: nothing new.
  }
  return chosen;
}

// "3 anni in negozio e poi 4 in banca": the numbers of one message, added
// up; of those that run up to now ("da 25 anni impiegato, da 8 coordino")
// only the longest; unless one of them is the whole ("in tutto 9"). Nullopt
// when they are no numbers or add up beyond a working life.
std::optional<std::string> Tracker::AddUp(const FieldDescriptor* field,
                                          const std::vector<Fact>& facts,
                                          dirigo::v1::Profile* profile,
                                          std::string* rule_id) const {
  int total = 0, longest_ongoing = 0;
  const Fact* longest = nullptr;
  std::vector<std::string> words;
  for (const Fact& f : facts) {
    int n = 0;
    if (!absl::SimpleAtoi(f.value, &n)) return std::nullopt;
    if (!f.ongoing) {
      total += n;
      if (!f.words.empty()) words.push_back(f.words);
    } else if (longest == nullptr || n > longest_ongoing) {
      longest_ongoing = n;
      longest = &f;
    }
  }
  total += longest_ongoing;
  // Only the words of the span that counts.
  if (longest != nullptr && !longest->words.empty()) {
    words.insert(words.begin(), longest->words);
  }
  // The fact that decides the value: the last part, unless one is the whole.
  const Fact* decided_by = &facts.back();
  // "13 anni: prima 5 da tecnico, poi 8 da tl": a number that is the sum of
  // all the others is their whole; one that runs up to now only when said
  // first ("1 anno in negozio, 2 in banca e da 3 receptionist": 6), and one
  // of the parts a rule reads as a list only when it is the first of them
  // ("10 anni in banca, 4 come cassiere e 6 come consulente": 10; "2 in
  // banca, 3 in posta e 5 in comune": 10).
  if (facts.size() >= 3) {
    const Fact* first = &facts.front();
    for (const Fact& f : facts) {
      if (f.begin < first->begin) first = &f;
    }
    auto later_in_a_list = [&](const Fact& f) {
      return absl::c_any_of(facts, [&](const Fact& o) {
        return &o < &f && o.rule == f.rule && o.begin == f.begin;
      });
    };
    for (const Fact& f : facts) {
      int n = 0;
      if ((f.ongoing && &f != first) || later_in_a_list(f)) continue;
      if (absl::SimpleAtoi(f.value, &n) && 2 * n == total) {
        total = n;
        words = {f.words};
        decided_by = &f;
        break;
      }
    }
  }
  // "3 in negozio e 6 in albergo, in tutto 9": the whole said wins.
  for (const Fact& f : facts) {
    if (f.total && absl::SimpleAtoi(f.value, &total)) {
      words = {f.words};
      decided_by = &f;
    }
  }
  if (total > kMaxYearsExperience) return std::nullopt;
  (void)SetSlotValue(profile, field, absl::StrCat(total));
  *rule_id = decided_by->rule->def->id();
  return absl::StrJoin(words, ", ");
}

std::optional<std::string> Tracker::SetValues(const std::string& slot_name,
                                              const FieldDescriptor* field,
                                              const std::vector<Fact>& facts,
                                              bool correction,
                                              sessionv1::DialogState* state,
                                              std::string* rule_id) const {
  dirigo::v1::Profile* profile = state->mutable_profile();
  const CompiledSlot* slot = kb_.FindSlot(slot_name);
  if (slot != nullptr && slot->def->adds_up() && !correction &&
      facts.size() > 1) {
    if (std::optional<std::string> words =
            AddUp(field, facts, profile, rule_id)) {
      return words;
    }
  }
  if (!field->is_repeated()) {
    const Fact* chosen =
        Choose(slot, field, facts, correction, GetSlotValues(*profile, field));
    if (chosen == nullptr) return std::nullopt;
    (void)SetSlotValue(profile, field, chosen->value);
    *rule_id = chosen->rule->def->id();
    return chosen->words;
  }
  // A list: the values add up, and so do the person's words for them.
  if (correction) ClearSlot(profile, field);
  std::vector<std::string> words;
  std::string known = KnownWords(*state, slot_name);
  if (!correction && !known.empty()) words.push_back(known);
  for (const Fact& f : facts) {
    (void)SetSlotValue(profile, field, f.value);
    if (!f.words.empty() &&
        std::find(words.begin(), words.end(), f.words) == words.end()) {
      words.push_back(f.words);
    }
    *rule_id = f.rule->def->id();
  }
  return absl::StrJoin(words, ", ");
}

// Drops `words` from the person's words for a list slot ("tecnico,
// consulenza" less "consulenza").
static void ForgetFactWords(const std::string& slot_name,
                            const std::string& words,
                            sessionv1::DialogState* state) {
  auto source = state->mutable_sources()->find(slot_name);
  if (words.empty() || source == state->mutable_sources()->end()) return;
  std::vector<std::string> kept;
  for (absl::string_view w : absl::StrSplit(source->second.words(), ", ")) {
    if (FoldCase(w) != FoldCase(words)) kept.emplace_back(w);
  }
  source->second.set_words(absl::StrJoin(kept, ", "));
}

// Takes back the values the message's removals name, unless a more specific
// fact of the message says otherwise; returns the facts left to set.
std::vector<Fact> Tracker::TakeBack(const std::string& slot_name,
                                    const FieldDescriptor* field,
                                    const std::vector<Fact>& facts,
                                    sessionv1::DialogState* state,
                                    Changes* changes,
                                    dirigo::v1::Trace* trace) const {
  if (std::none_of(facts.begin(), facts.end(),
                   [](const Fact& f) { return f.remove; })) {
    return facts;
  }
  std::vector<Fact> left;
  const std::vector<std::string> before =
      GetSlotValues(state->profile(), field);
  bool removed = false;
  // A fact of the message that a stronger removal contradicts is not set
  // ("non è in corso" after "studio informatica"); one of another value is.
  auto contradicted = [&facts](const Fact& f) {
    return std::any_of(facts.begin(), facts.end(), [&f](const Fact& r) {
      return r.remove && r.priority >= f.priority &&
             (r.value.empty() || r.value == f.value);
    });
  };
  for (const Fact& f : facts) {
    if (f.remove) {
      if (!RemoveSlotValue(state->mutable_profile(), field, f.value)) continue;
      removed = true;
      ForgetFactWords(slot_name, f.words, state);
    } else if (field->is_repeated() || !contradicted(f)) {
      left.push_back(f);
    }
  }
  if (!removed) return left;
  changes->removed.push_back(slot_name);
  if (GetSlotValues(state->profile(), field).empty()) {
    state->mutable_sources()->erase(slot_name);
  }
  auto* change = trace->add_slot_changes();
  change->set_slot(slot_name);
  change->set_old_value(absl::StrJoin(before, ","));
  change->set_new_value(
      absl::StrJoin(GetSlotValues(state->profile(), field), ","));
  return left;
}

// The known whole changed by the message's changes ("in banca erano 8 anni
// non 10": 2 less), as the whole; nullopt when no whole is known, when the
// message tells other numbers too, or when the result is no career.
std::optional<Fact> Tracker::ChangedWhole(
    const std::vector<Fact>& facts, const std::vector<std::string>& before) {
  int whole = 0;
  if (before.size() != 1 || !absl::SimpleAtoi(before[0], &whole)) {
    return std::nullopt;
  }
  std::optional<Fact> out;
  for (const Fact& f : facts) {
    int delta = 0;
    if (!f.change || !absl::SimpleAtoi(f.value, &delta)) return std::nullopt;
    whole += delta;
    if (!out) out = f;
  }
  if (whole < 0 || whole > kMaxYearsExperience) return std::nullopt;
  out->value = absl::StrCat(whole);
  out->change = false;
  out->total = true;
  return out;
}

// "6 anni in ospedale, ora faccio la segretaria": parts that ended, then a
// job of now whose years are not said; the whole is not known (Slot.job_now).
bool Tracker::WholeUnknown(const CompiledSlot* slot,
                           const std::vector<Fact>& facts,
                           const Interpretation& in,
                           const std::string& awaiting) const {
  if (slot == nullptr || !slot->def->adds_up() || !slot->def->has_job_now() ||
      awaiting == slot->def->name()) {
    return false;
  }
  size_t last = 0;
  bool past = false;
  for (const Fact& f : facts) {
    if (f.ongoing || f.total || f.remove) return false;
    last = std::max(last, f.begin);
    past = past || f.past;
  }
  const kbv1::Clause& job_now = slot->def->job_now();
  auto it = in.facts.find(job_now.slot());
  if (it == in.facts.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(), [&](const Fact& f) {
    const bool works_now =
        !f.remove && !f.same_job &&
        std::find(job_now.any_of().begin(), job_now.any_of().end(), f.value) !=
            job_now.any_of().end();
    return works_now && (past || f.begin > last);
  });
}

bool Tracker::AddsToKnown(const CompiledSlot* slot,
                          const std::vector<Fact>& facts,
                          const std::vector<std::string>& before,
                          const sessionv1::DialogState& state,
                          bool correction) const {
  int known = 0;
  if (slot == nullptr || !slot->def->adds_up() || correction ||
      before.size() != 1 || !absl::SimpleAtoi(before[0], &known)) {
    return false;
  }
  for (const Fact& f : facts) {
    if (!f.past || f.ongoing || f.total || f.remove) return false;
  }
  auto source = state.sources().find(slot->def->name());
  if (source == state.sources().end()) return false;
  // Parts told again ("prima 3 anni in posta", then "sì, 3 anni in posta")
  // are no new ones.
  if (absl::c_all_of(facts, [&](const Fact& f) {
        return !f.words.empty() &&
               absl::StrContains(source->second.words(), f.words);
      })) {
    return false;
  }
  // The known number was said to be the whole ("lavoro da 12 anni"); a rule
  // no longer known (a session of an older knowledge base) may have been.
  const kbv1::Pattern* p = kb_.FindPattern(source->second.rule_id());
  return p != nullptr &&
         absl::c_none_of(p->set(), [&](const kbv1::Assignment& a) {
           return a.slot() == slot->def->name() && a.total();
         });
}

std::optional<std::string> Tracker::AddToKnown(const std::string& slot_name,
                                               const FieldDescriptor* field,
                                               const std::vector<Fact>& facts,
                                               sessionv1::DialogState* state,
                                               std::string* rule_id) const {
  int total = 0;
  if (!absl::SimpleAtoi(
          absl::StrJoin(GetSlotValues(state->profile(), field), ""), &total) ||
      total < 0 || total > kMaxYearsExperience) {
    return std::nullopt;
  }
  std::vector<std::string> words;
  const std::string known = KnownWords(*state, slot_name);
  if (!known.empty()) words.push_back(known);
  for (const Fact& f : facts) {
    int n = 0;
    if (!absl::SimpleAtoi(f.value, &n)) return std::nullopt;
    total += n;
    if (!f.words.empty()) words.push_back(f.words);
  }
  if (total > kMaxYearsExperience) return std::nullopt;
  (void)SetSlotValue(state->mutable_profile(), field, absl::StrCat(total));
  *rule_id = facts.back().rule->def->id();
  return absl::StrJoin(words, ", ");
}

// Whether the facts of a slot that adds up tell a value to set, after a
// change of the known whole replaces them with the new whole.
bool Tracker::WholeTold(const CompiledSlot* slot, const Interpretation& in,
                        const std::vector<std::string>& before,
                        const std::string& awaiting,
                        std::vector<Fact>* facts) const {
  // "in banca erano 8 anni non 10": the known whole changes by the part's
  // difference (Assignment.change), unless the message tells numbers of its
  // own.
  if (std::any_of(facts->begin(), facts->end(),
                  [](const Fact& f) { return f.change; })) {
    // A whole told with it wins ("…8 non 10, in tutto fanno 20").
    if (std::any_of(facts->begin(), facts->end(),
                    [](const Fact& f) { return f.total; })) {
      facts->erase(std::remove_if(facts->begin(), facts->end(),
                                  [](const Fact& f) { return f.change; }),
                   facts->end());
    } else {
      std::optional<Fact> changed = ChangedWhole(*facts, before);
      if (!changed) return false;
      *facts = {*changed};
    }
  }
  // "prima facevo la cassiera, poi 3 anni in posta": the cashier's years are
  // not told, so neither is the whole, unless a number is it, the message
  // answers "how long" or corrects the years (Assignment.untimed).
  if (slot != nullptr && in.whole_untold.count(slot->def->name()) &&
      awaiting != slot->def->name() && !in.corrected.count(slot->def->name()) &&
      std::none_of(facts->begin(), facts->end(),
                   [](const Fact& f) { return f.total || f.remove; })) {
    return false;
  }
  return !WholeUnknown(slot, *facts, in, awaiting);
}

void Tracker::ApplySlot(const std::string& slot_name, const Interpretation& in,
                        sessionv1::DialogState* state, dirigo::v1::Trace* trace,
                        Changes* changes) const {
  const FieldDescriptor* field = FindProfileField(slot_name);
  const CompiledSlot* slot = kb_.FindSlot(slot_name);
  const bool correction = in.corrected.count(slot_name) > 0;
  std::vector<Fact> facts =
      TakeBack(slot_name, field, in.facts.at(slot_name), state, changes, trace);
  const std::vector<std::string> before =
      GetSlotValues(state->profile(), field);
  if (!before.empty()) {
    // "da 3 anni coordino 2 persone" after years were told: part of them.
    facts.erase(std::remove_if(facts.begin(), facts.end(),
                               [](const Fact& f) { return f.fill_only; }),
                facts.end());
  }
  // "…ma 6 anni a casa": time not worked, taken from the span told
  // (Assignment.gap).
  int gap = 0;
  facts.erase(std::remove_if(facts.begin(), facts.end(),
                             [&gap](const Fact& f) {
                               int n = 0;
                               if (f.gap && absl::SimpleAtoi(f.value, &n)) {
                                 gap += n;
                               }
                               return f.gap;
                             }),
              facts.end());
  if (facts.empty() ||
      !WholeTold(slot, in, before, state->awaiting_slot(), &facts)) {
    return;
  }
  std::string rule_id;
  std::optional<std::string> words;
  if (AddsToKnown(slot, facts, before, *state, correction)) {
    words = AddToKnown(slot_name, field, facts, state, &rule_id);
  } else {
    words = SetValues(slot_name, field, facts, correction, state, &rule_id);
  }
  if (!words) return;
  if (gap > 0 && !correction &&
      GetSlotValues(state->profile(), field) != before) {
    int n = 0;
    if (absl::SimpleAtoi(
            absl::StrJoin(GetSlotValues(state->profile(), field), ""), &n) &&
        n >= gap) {
      (void)SetSlotValue(state->mutable_profile(), field,
                         absl::StrCat(n - gap));
    }
  }
  const std::vector<std::string> after = GetSlotValues(state->profile(), field);
  const bool value_changed = after != before;
  // Same value in the same words, or in none: nothing to note.
  if (!value_changed &&
      (words->empty() || *words == KnownWords(*state, slot_name))) {
    return;
  }
  dirigo::v1::FactSource& source = (*state->mutable_sources())[slot_name];
  source.set_words(*words);
  source.set_turn(state->turn_count());
  source.set_rule_id(rule_id);
  if (!value_changed) return;
  // A companion text that this message did not give no longer describes the
  // new value ("studyFieldText").
  if (slot != nullptr && slot->companion != nullptr &&
      !in.facts.count(slot->companion->json_name())) {
    ClearSlot(state->mutable_profile(), slot->companion);
    state->mutable_sources()->erase(slot->companion->json_name());
  }
  auto* change = trace->add_slot_changes();
  change->set_slot(slot_name);
  change->set_old_value(absl::StrJoin(before, ","));
  change->set_new_value(absl::StrJoin(after, ","));
  // "Aggiornato" when a fact the bot asks about changes (not an inferred
  // one such as the stage).
  if (!before.empty() && (!field->is_repeated() || correction) &&
      slot != nullptr && slot->def->origin() == kbv1::Slot::ASKED) {
    changes->updated_known = true;
  }
  changes->slots.push_back(slot_name);
  Unskip(slot_name, state);  // a fact given is no longer skipped
}

// "togli la segretaria", "levami la materia di studio": the known facts
// these words name are taken back. A fact is named by its slot's label (the
// whole fact goes), by the bot's words for one of its values (that value
// goes), or by the person's own words for it when it has one value. When
// several facts are named, the most precisely named go ("studi in corso"
// names the degree in progress, not "Studi").
void Tracker::TakeBackByWords(const std::string& words,
                              sessionv1::DialogState* state,
                              dirigo::v1::Trace* trace,
                              Changes* changes) const {
  const std::string padded_words = absl::StrCat(" ", words, " ");
  // How long a name `candidate` is for `words`: 0 when it names nothing.
  auto naming = [&](const std::string& candidate) -> size_t {
    const std::string c = kb_.normalizer().NormalizeTerm(candidate);
    if (c.size() < kMinNamingLength || words.size() < kMinNamingLength) {
      return 0;
    }
    const std::string padded = absl::StrCat(" ", c, " ");
    return absl::StrContains(padded_words, padded) ||
                   absl::StrContains(padded, padded_words)
               ? c.size()
               : 0;
  };
  struct Named {
    const CompiledSlot* slot;
    std::vector<std::string> gone;
    size_t length;
  };
  std::vector<Named> named;
  size_t longest = 0;
  for (const CompiledSlot& s : kb_.slots()) {
    const std::vector<std::string> values =
        GetSlotValues(state->profile(), s.field);
    if (values.empty()) continue;
    Named n{&s, {}, naming(s.def->label())};
    if (n.length > 0) {
      n.gone = values;
    } else {
      for (const std::string& v : values) {
        for (const auto& say : s.def->say()) {
          const size_t length = say.value() == v ? naming(say.text()) : 0;
          if (length > 0) {
            n.gone.push_back(v);
            n.length = std::max(n.length, length);
          }
        }
      }
      auto source = state->sources().find(s.def->name());
      if (n.gone.empty() && values.size() == 1 &&
          source != state->sources().end()) {
        n.length = naming(source->second.words());
        if (n.length > 0) n.gone = values;
      }
    }
    if (n.gone.empty()) continue;
    longest = std::max(longest, n.length);
    named.push_back(std::move(n));
  }
  for (const Named& n : named) {
    if (n.length < longest) continue;
    const CompiledSlot& s = *n.slot;
    const std::string& name = s.def->name();
    const std::vector<std::string> before =
        GetSlotValues(state->profile(), s.field);
    for (const std::string& v : n.gone) {
      (void)RemoveSlotValue(state->mutable_profile(), s.field, v);
    }
    const std::vector<std::string> after =
        GetSlotValues(state->profile(), s.field);
    if (after.empty()) {
      state->mutable_sources()->erase(name);
      if (s.companion != nullptr) {
        ClearSlot(state->mutable_profile(), s.companion);
        state->mutable_sources()->erase(s.companion->json_name());
      }
    }
    changes->removed.push_back(name);
    auto* change = trace->add_slot_changes();
    change->set_slot(name);
    change->set_old_value(absl::StrJoin(before, ","));
    change->set_new_value(absl::StrJoin(after, ","));
  }
}

Changes Tracker::Apply(const Interpretation& in, sessionv1::DialogState* state,
                       dirigo::v1::Trace* trace) const {
  Changes changes;
  for (const std::string& words : in.taken_back) {
    TakeBackByWords(words, state, trace, &changes);
  }
  for (const std::string& slot_name : in.slot_order) {
    ApplySlot(slot_name, in, state, trace, &changes);
  }
  return changes;
}

}  // namespace dirigo
