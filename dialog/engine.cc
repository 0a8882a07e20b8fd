#include "dialog/engine.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "knowledge/profile_fields.h"
#include "text/unicode.h"

namespace dirigo {

namespace kbv1 = ::dirigo::kb::v1;
using dirigo::v1::AdviceItem;
using dirigo::v1::BotMessage;
using dirigo::v1::BotTurn;
using dirigo::v1::Profile;

struct Engine::Match {
  int pattern = 0;
  size_t begin = 0, end = 0;  // in the normalised text
  // Captures: name → (normalised text, original words).
  std::map<std::string, std::pair<std::string, std::string>> captures;
  std::string original;  // matched words as written
  bool applied = false;
  const kbv1::Pattern* def = nullptr;
  int priority = 0;
};

namespace {

// The slots a pattern sets, and those it absorbs (claims without setting).
std::set<std::string> SlotsOf(const kbv1::Pattern& p) {
  std::set<std::string> s;
  for (const auto& a : p.set()) s.insert(a.slot());
  for (const auto& a : p.absorb()) s.insert(a);
  return s;
}

// Overlapping matches compete when they speak of the same slot, or when one
// of them only carries an intent.
bool Conflict(const kbv1::Pattern& a, const kbv1::Pattern& b) {
  std::set<std::string> sa = SlotsOf(a), sb = SlotsOf(b);
  if (sa.empty() || sb.empty()) return true;
  for (const auto& x : sb)
    if (sa.count(x)) return true;
  return false;
}

// "a", "a e b", "a, b e c".
std::string JoinFacts(const std::vector<std::string>& merged) {
  if (merged.empty()) return "";
  if (merged.size() == 1) return merged[0];
  std::vector<std::string> head(merged.begin(), merged.end() - 1);
  return absl::StrCat(absl::StrJoin(head, ", "), " e ", merged.back());
}

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

}  // namespace

Engine::Engine(std::shared_ptr<const KnowledgeBase> kb) : kb_(std::move(kb)) {}

std::string Engine::NextPhrase(absl::string_view key,
                               kbv1::DialogState* state) const {
  int n = state->phrase_counter();
  state->set_phrase_counter(n + 1);
  return kb_->Phrase(key, n);
}

dirigo::v1::Citation Engine::ToCitation(const kbv1::Citation& c) const {
  dirigo::v1::Citation out;
  out.set_section_id(c.section());
  out.set_section_heading(kb_->SectionHeading(c.section()));
  out.set_quote(c.quote());
  return out;
}

BotTurn Engine::Start(kbv1::DialogState* state) const {
  BotTurn turn;
  turn.add_messages()->set_text(kb_->Phrase("greeting"));
  if (const kbv1::Slot* next = NextSlot(*state)) {
    Ask(*next, 0, "", state, &turn);
  }
  *turn.mutable_profile() = state->profile();
  turn.set_kb_version(kb_->version());
  return turn;
}

void Engine::Skip(const std::string& slot, kbv1::DialogState* state) {
  if (std::find(state->skipped().begin(), state->skipped().end(), slot) ==
      state->skipped().end()) {
    state->add_skipped(slot);
  }
  if (state->awaiting_slot() == slot) state->set_awaiting_slot("");
}

const kbv1::Slot* Engine::NextSlot(const kbv1::DialogState& state) const {
  for (const kbv1::Slot& s : kb_->proto().slot()) {
    if (s.origin() != kbv1::Slot::ASKED) continue;
    const FieldDescriptor* f = FindProfileField(s.name());
    if (f == nullptr || IsSlotKnown(state.profile(), f)) continue;
    if (std::find(state.skipped().begin(), state.skipped().end(), s.name()) !=
        state.skipped().end()) {
      continue;
    }
    if (!ConditionHolds(s.ask_if(), state.profile())) continue;
    return &s;
  }
  return nullptr;
}

std::vector<std::string> Engine::MissingSlots(
    const kbv1::DialogState& state) const {
  std::vector<std::string> out;
  kbv1::DialogState copy = state;
  while (const kbv1::Slot* s = NextSlot(copy)) {
    out.push_back(s->name());
    copy.add_skipped(s->name());
  }
  return out;
}

void Engine::Ask(const kbv1::Slot& slot, int variant,
                 const std::string& prefix_phrase, kbv1::DialogState* state,
                 BotTurn* turn) const {
  std::string question =
      slot.question(std::min(variant, slot.question_size() - 1));
  std::string text = question;
  if (!prefix_phrase.empty()) {
    // "Tornando a noi: ti interessa…": the question goes on the sentence.
    if (!question.empty() && question[0] >= 'A' && question[0] <= 'Z') {
      question[0] = question[0] - 'A' + 'a';
    }
    text = absl::StrReplaceAll(NextPhrase(prefix_phrase, state),
                               {{"{question}", question}});
  }
  turn->add_messages()->set_text(text);
  for (const kbv1::QuickReply& q : slot.quick_reply()) {
    auto* r = turn->add_quick_replies();
    r->set_label(q.label());
    r->set_text(q.text().empty() ? q.label() : q.text());
  }
  if (state->awaiting_slot() != slot.name()) state->set_reprompts(0);
  state->set_awaiting_slot(slot.name());
  turn->set_awaiting_slot(slot.name());
}

std::vector<Engine::Match> Engine::FindMatches(
    const NormalizedText& n, absl::string_view original,
    const std::string& awaiting) const {
  std::vector<Match> out;
  const std::string& text = n.text;
  for (int index : kb_->Candidates(text)) {
    const CompiledPattern& cp = kb_->pattern(index);
    if (!cp.def->context().empty() && cp.def->context() != awaiting) continue;
    const int groups = cp.re->NumberOfCapturingGroups() + 1;
    std::vector<re2::StringPiece> sub(groups);
    size_t pos = 0;
    while (pos <= text.size() &&
           cp.re->Match(text, pos, text.size(), RE2::UNANCHORED, sub.data(),
                        groups)) {
      Match m;
      m.pattern = index;
      m.def = cp.def;
      m.priority = cp.priority;
      m.begin = sub[0].data() - text.data();
      m.end = m.begin + sub[0].size();
      m.original = n.OriginalSpan(original, m.begin, m.end);
      for (int g = 1; g < groups; ++g) {
        if (cp.group_names[g].empty() || sub[g].data() == nullptr) continue;
        size_t b = sub[g].data() - text.data();
        m.captures[cp.group_names[g]] = {
            std::string(sub[g].data(), sub[g].size()),
            n.DisplaySpan(original, b, b + sub[g].size())};
      }
      out.push_back(std::move(m));
      // Next search after this match; an empty match moves one byte on.
      pos = out.back().end > pos ? out.back().end : pos + 1;
    }
  }
  return out;
}

std::string Engine::FactText(const kbv1::DialogState& state,
                             const std::string& slot_name) const {
  const CompiledSlot* cs = kb_->FindSlot(slot_name);
  const kbv1::Slot* slot = cs == nullptr ? nullptr : cs->def;
  const FieldDescriptor* f = FindProfileField(slot_name);
  if (slot == nullptr || f == nullptr) return "";
  auto w = state.words().find(slot_name);
  if (w != state.words().end() && !w->second.empty() &&
      !slot->say_words().empty()) {
    return absl::StrReplaceAll(slot->say_words(), {{"{text}", w->second}});
  }
  std::vector<std::string> values = GetSlotValues(state.profile(), f);
  std::vector<std::string> said;
  for (const std::string& v : values) {
    std::string text;
    for (const auto& s : slot->say()) {
      if (s.value() == v && ConditionHolds(s.when(), state.profile())) {
        text = s.text();
        break;
      }
    }
    if (text.empty() && !slot->say_number().empty()) {
      text = absl::StrReplaceAll(slot->say_number(), {{"{n}", v}});
    }
    if (!text.empty()) said.push_back(text);
  }
  return absl::StrJoin(said, " e ");
}

std::string Engine::Fill(
    const std::string& text, const Profile& profile,
    const std::map<std::string, std::string>& words) const {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') {
      out += text[i];
      continue;
    }
    size_t close = text.find('}', i);
    if (close == std::string::npos) {
      out += text.substr(i);
      break;
    }
    std::string name = text.substr(i + 1, close - i - 1);
    std::string value;
    auto w = words.find(name);
    if (w != words.end() && !w->second.empty()) value = w->second;
    if (value.empty() && name == "studyFieldText") {
      value = profile.study_field_text();
      if (value.empty()) {
        kbv1::DialogState tmp;
        *tmp.mutable_profile() = profile;
        value = FactText(tmp, "studyField");
      }
    }
    if (value.empty()) {
      kbv1::DialogState tmp;
      *tmp.mutable_profile() = profile;
      value = FactText(tmp, name);
    }
    out += value;
    i = close;
  }
  return out;
}

std::vector<AdviceItem> Engine::Advise(
    const Profile& profile,
    const std::map<std::string, std::string>& words) const {
  std::vector<const kbv1::AdviceRule*> rules;
  for (const auto& r : kb_->proto().advice()) {
    if (ConditionHolds(r.when(), profile)) rules.push_back(&r);
  }
  std::stable_sort(rules.begin(), rules.end(),
                   [](const auto* a, const auto* b) {
                     return a->priority() > b->priority();
                   });
  std::vector<AdviceItem> items;
  for (const auto* r : rules) {
    AdviceItem item;
    item.set_id(r->id());
    item.set_title(r->title());
    item.set_text(Fill(r->text(), profile, words));
    for (const auto& c : r->citation()) *item.add_citations() = ToCitation(c);
    items.push_back(std::move(item));
  }
  return items;
}

void Engine::AddPlanItems(const std::vector<AdviceItem>& items,
                          const std::vector<std::string>& only,
                          BotTurn* turn) const {
  int number = 0;
  for (const AdviceItem& item : items) {
    ++number;
    if (!only.empty() &&
        std::find(only.begin(), only.end(), item.id()) == only.end()) {
      continue;
    }
    BotMessage* m = turn->add_messages();
    m->set_text(absl::StrCat(number, ". ", item.title(), ". ", item.text()));
    *m->mutable_citations() = item.citations();
  }
}

void Engine::AddAfterPlanReplies(BotTurn* turn) const {
  // The texts are the person's words, understood by the command patterns.
  static const std::pair<const char*, const char*> kReplies[] = {
      {"Cosa sai di me?", "cosa sai di me?"},
      {"Ricominciamo", "ricominciamo"},
      {"Cancella i miei dati", "cancella i miei dati"}};
  for (const auto& [label, text] : kReplies) {
    auto* r = turn->add_quick_replies();
    r->set_label(label);
    r->set_text(text);
  }
}

void Engine::GivePlan(const std::string& intro_key, kbv1::DialogState* state,
                      BotTurn* turn) const {
  std::map<std::string, std::string> words(state->words().begin(),
                                           state->words().end());
  std::vector<AdviceItem> items = Advise(state->profile(), words);
  if (items.empty()) {
    turn->add_messages()->set_text(kb_->Phrase("plan_none"));
    return;
  }
  turn->add_messages()->set_text(kb_->Phrase(intro_key));
  AddPlanItems(items, {}, turn);
  turn->add_messages()->set_text(kb_->Phrase("plan_outro"));
  for (const auto& item : items) *turn->add_advice() = item;
  state->set_advised(true);
  state->clear_last_advice();
  for (const auto& item : items) state->add_last_advice(item.id());
  state->set_awaiting_slot("");
  state->set_reprompts(0);
  AddAfterPlanReplies(turn);
}

absl::StatusOr<EngineReply> Engine::Respond(absl::string_view text,
                                            kbv1::DialogState* state,
                                            int current_year) const {
  if (text.size() > kMaxMessageBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the message is too long (", text.size(),
                     " bytes; at most ", kMaxMessageBytes, ")"));
  }
  if (absl::Status s = CheckUtf8(text); !s.ok()) return s;
  if (absl::StripAsciiWhitespace(text).empty()) {
    return absl::InvalidArgumentError("the message is empty");
  }
  absl::StatusOr<NormalizedText> normalized = kb_->NormalizeMessage(text);
  if (!normalized.ok()) return normalized.status();
  const NormalizedText& n = *normalized;

  EngineReply reply;
  BotTurn& turn = reply.turn;
  auto* trace = turn.mutable_trace();
  for (const SpellingFix& fix : n.fixes) {
    auto* f = trace->add_spelling_fixes();
    f->set_original(fix.original);
    f->set_corrected(fix.corrected);
  }
  state->set_turn_count(state->turn_count() + 1);
  const std::string awaiting = state->awaiting_slot();

  // Find and rank the matches.
  std::vector<Match> matches = FindMatches(n, text, awaiting);
  std::vector<Match*> order;
  for (Match& m : matches) order.push_back(&m);
  std::stable_sort(order.begin(), order.end(),
                   [](const Match* a, const Match* b) {
                     if (a->priority != b->priority)
                       return a->priority > b->priority;
                     if (a->end - a->begin != b->end - b->begin)
                       return a->end - a->begin > b->end - b->begin;
                     if (a->begin != b->begin) return a->begin < b->begin;
                     return a->def->id() < b->def->id();
                   });
  std::vector<Match*> accepted;
  for (Match* m : order) {
    bool lost = std::any_of(accepted.begin(), accepted.end(), [&](Match* a) {
      bool overlap = m->begin < a->end && a->begin < m->end;
      return overlap && Conflict(*m->def, *a->def);
    });
    if (lost) continue;
    m->applied = true;
    accepted.push_back(m);
  }
  std::sort(accepted.begin(), accepted.end(),
            [](const Match* a, const Match* b) {
              if (a->begin != b->begin) return a->begin < b->begin;
              return a->def->id() < b->def->id();
            });
  std::vector<const Match*> by_position;
  for (const Match& m : matches) by_position.push_back(&m);
  std::stable_sort(by_position.begin(), by_position.end(),
                   [](const Match* a, const Match* b) {
                     if (a->begin != b->begin) return a->begin < b->begin;
                     return a->def->id() < b->def->id();
                   });
  for (const Match* mp : by_position) {
    const Match& m = *mp;
    auto* t = trace->add_matches();
    t->set_rule_id(m.def->id());
    t->set_intent(m.def->intent());
    t->set_matched_text(m.original);
    t->set_applied(m.applied);
    for (const auto& [name, value] : m.captures) {
      (*t->mutable_captures())[name] = value.second;
    }
  }

  std::set<std::string> intents;
  for (const Match* m : accepted)
    if (!m->def->intent().empty()) intents.insert(m->def->intent());

  // Collect the facts, per slot, in the order said.
  struct Proposal {
    std::string value, words;
    int priority = 0;
  };
  std::vector<std::string> slot_order;
  std::map<std::string, std::vector<Proposal>> proposals;
  for (const Match* m : accepted) {
    for (const kbv1::Assignment& a : m->def->set()) {
      const FieldDescriptor* f = FindProfileField(a.slot());
      if (f == nullptr) continue;
      Proposal p;
      p.value = a.value();
      p.priority = m->priority;
      if (!a.text_capture().empty()) {
        auto c = m->captures.find(a.text_capture());
        if (c != m->captures.end()) p.words = c->second.second;
      }
      if (!a.capture().empty()) {
        auto c = m->captures.find(a.capture());
        if (c == m->captures.end()) continue;
        double v = std::strtod(c->second.first.c_str(), nullptr);
        if (a.since_year()) {
          if (current_year <= 0 || v > current_year) continue;
          v = current_year - v;
        }
        if (a.divisor() > 0) v /= a.divisor();
        if (v < 0 || v > 80) continue;  // not a working life
        p.value = absl::StrCat(static_cast<int>(std::floor(v)));
      }
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        p.value = p.words;
        if (p.value.empty()) continue;
      }
      if (!proposals.count(a.slot())) slot_order.push_back(a.slot());
      proposals[a.slot()].push_back(p);
    }
  }

  // A correction ("anzi…", "in realtà…") corrects the first fact said
  // after it, not every fact of the message.
  std::set<std::string> corrected_slots;
  for (const Match* m : accepted) {
    // Negations ("non ho la laurea") replace what was known, like a
    // correction.
    if (m->def->replaces()) {
      for (const auto& a : m->def->set()) corrected_slots.insert(a.slot());
    }
  }
  for (const Match* c : accepted) {
    if (c->def->intent() != "correction") continue;
    for (const Match* m : accepted) {
      if (m->begin < c->end || m->def->set_size() == 0) continue;
      for (const auto& a : m->def->set()) corrected_slots.insert(a.slot());
      break;
    }
  }

  // Apply them.
  Profile& profile = *state->mutable_profile();
  std::vector<std::string> changed;
  bool updated_known = false;
  for (const std::string& slot_name : slot_order) {
    const FieldDescriptor* f = FindProfileField(slot_name);
    const CompiledSlot* cs = kb_->FindSlot(slot_name);
    const kbv1::Slot* slot = cs == nullptr ? nullptr : cs->def;
    const auto& props = proposals[slot_name];
    const bool correction = corrected_slots.count(slot_name) > 0;
    std::vector<std::string> before = GetSlotValues(profile, f);
    std::string words;
    if (f->is_repeated()) {
      if (correction) ClearSlot(&profile, f);
      std::vector<std::string> all_words;
      auto old = state->words().find(slot_name);
      if (!correction && old != state->words().end() && !old->second.empty()) {
        all_words.push_back(old->second);
      }
      for (const Proposal& p : props) {
        (void)SetSlotValue(&profile, f, p.value);
        if (!p.words.empty() && std::find(all_words.begin(), all_words.end(),
                                          p.words) == all_words.end()) {
          all_words.push_back(p.words);
        }
      }
      words = absl::StrJoin(all_words, ", ");
    } else {
      // The last word on it, unless a more specific rule said otherwise
      // ("mi sono appena laureata e lavoro come stagista": a graduate). A
      // correction ("anzi…") always takes the last.
      const Proposal* chosen = &props.back();
      if (!correction) {
        for (const Proposal& p : props) {
          if (p.priority > chosen->priority) chosen = &p;
        }
      }
      if (slot != nullptr && slot->keep_highest() && !correction) {
        for (const Proposal& p : props) {
          if (ValueRank(f, p.value) > ValueRank(f, chosen->value)) chosen = &p;
        }
        if (!before.empty() &&
            ValueRank(f, before[0]) >= ValueRank(f, chosen->value)) {
          continue;  // "ho anche la triennale" after a master: nothing new.
        }
      }
      (void)SetSlotValue(&profile, f, chosen->value);
      words = chosen->words;
    }
    std::vector<std::string> after = GetSlotValues(profile, f);
    if (after == before &&
        (words.empty() || (state->words().count(slot_name) &&
                           state->words().at(slot_name) == words))) {
      continue;
    }
    if (words.empty()) {
      state->mutable_words()->erase(slot_name);
    } else {
      (*state->mutable_words())[slot_name] = words;
    }
    if (after == before) continue;
    // A companion "<slot>Text" (studyFieldText) that this message did not
    // set no longer describes the new value.
    const std::string companion = slot_name + "Text";
    if (const FieldDescriptor* cf = FindProfileField(companion);
        cf != nullptr && !proposals.count(companion)) {
      ClearSlot(&profile, cf);
    }
    auto* change = trace->add_slot_changes();
    change->set_slot(slot_name);
    change->set_old_value(absl::StrJoin(before, ","));
    change->set_new_value(absl::StrJoin(after, ","));
    // "Aggiornato" when a fact the person sees changes (not a silent one
    // such as the stage).
    if (!before.empty() && (!f->is_repeated() || correction) &&
        slot != nullptr && slot->origin() == kbv1::Slot::ASKED) {
      updated_known = true;
    }
    changed.push_back(slot_name);
    // A fact given is no longer skipped.
    auto* skipped = state->mutable_skipped();
    skipped->erase(std::remove(skipped->begin(), skipped->end(), slot_name),
                   skipped->end());
  }

  // Commands first: they change everything.
  if (intents.count("command.erase") || intents.count("command.restart")) {
    bool erase = intents.count("command.erase") > 0;
    kbv1::DialogState fresh;
    fresh.set_turn_count(erase ? 0 : state->turn_count());
    *state = fresh;
    if (erase) {
      // Keep which rules fired, but none of the words being erased.
      for (auto& m : *trace->mutable_matches()) {
        m.clear_matched_text();
        m.clear_captures();
      }
      trace->clear_spelling_fixes();
      trace->clear_slot_changes();
    }
    turn.add_messages()->set_text(kb_->Phrase(erase ? "erased" : "restarted"));
    if (const kbv1::Slot* next = NextSlot(*state))
      Ask(*next, 0, "", state, &turn);
    reply.erase = erase;
    *turn.mutable_profile() = state->profile();
    turn.set_kb_version(kb_->version());
    return reply;
  }

  // Say back the facts, in the order the bot asks for them.
  std::vector<std::string> said = changed;
  auto slot_rank = [this](const std::string& name) {
    const auto& slots = kb_->proto().slot();
    for (int i = 0; i < slots.size(); ++i)
      if (slots.Get(i).name() == name) return i;
    return slots.size();
  };
  std::stable_sort(said.begin(), said.end(),
                   [&](const std::string& a, const std::string& b) {
                     return slot_rank(a) < slot_rank(b);
                   });
  std::vector<std::string> facts;
  for (const std::string& s : said) {
    if (s == "studyFieldText") continue;
    if (s == "stage" && changed.size() > 1) continue;
    const CompiledSlot* cs = kb_->FindSlot(s);
    auto w = state->words().find(s);
    if (cs != nullptr && !cs->def->say_words_after().empty() &&
        !facts.empty() && w != state->words().end() && !w->second.empty()) {
      facts.back() += " " + absl::StrReplaceAll(cs->def->say_words_after(),
                                                {{"{text}", w->second}});
      continue;
    }
    std::string t = FactText(*state, s);
    if (!t.empty()) facts.push_back(t);
  }
  if (!facts.empty()) {
    std::string key = updated_known ? "update" : "ack";
    turn.add_messages()->set_text(absl::StrReplaceAll(
        NextPhrase(key, state), {{"{facts}", JoinFacts(facts)}}));
  }

  bool digression = false;
  if (intents.count("command.help")) {
    turn.add_messages()->set_text(kb_->Phrase("help"));
    digression = true;
  }
  if (intents.count("command.profile")) {
    // Each fact in the bot's words, then the person's own words for it.
    kbv1::DialogState plain = *state;
    plain.clear_words();
    std::vector<std::string> lines;
    for (const kbv1::Slot& s : kb_->proto().slot()) {
      const FieldDescriptor* f = FindProfileField(s.name());
      if (f == nullptr || s.name() == "studyFieldText" ||
          !IsSlotKnown(state->profile(), f)) {
        continue;
      }
      std::string line =
          absl::StrCat("- ", s.label(), ": ", FactText(plain, s.name()));
      auto w = state->words().find(s.name());
      if (w != state->words().end() && !w->second.empty()) {
        absl::StrAppend(&line, " ",
                        absl::StrReplaceAll(kb_->Phrase("profile_words"),
                                            {{"{words}", w->second}}));
      }
      lines.push_back(line);
    }
    if (lines.empty()) {
      turn.add_messages()->set_text(kb_->Phrase("profile_empty"));
    } else {
      turn.add_messages()->set_text(absl::StrCat(
          kb_->Phrase("profile_intro"), "\n", absl::StrJoin(lines, "\n")));
    }
    digression = true;
  }
  for (const std::string& intent : intents) {
    if (intent.rfind("faq.", 0) != 0) continue;
    const kbv1::Faq* faq = kb_->FindFaq(intent.substr(4));
    if (faq == nullptr) continue;
    BotMessage* m = turn.add_messages();
    m->set_text(faq->answer());
    for (const auto& c : faq->citation()) *m->add_citations() = ToCitation(c);
    digression = true;
  }
  if (intents.count("why")) {
    const CompiledSlot* cs = kb_->FindSlot(awaiting);
    const kbv1::Slot* slot = cs == nullptr ? nullptr : cs->def;
    BotMessage* m = turn.add_messages();
    if (slot != nullptr && !slot->why().empty()) {
      m->set_text(slot->why());
      for (const auto& c : slot->why_citation())
        *m->add_citations() = ToCitation(c);
    } else {
      m->set_text(kb_->Phrase("why_generic"));
    }
    digression = true;
  }
  const bool awaited_answered =
      !awaiting.empty() &&
      std::find(changed.begin(), changed.end(), awaiting) != changed.end();
  if (intents.count("dontknow")) {
    // "non lo so" is about the question asked, unless the rule names what
    // the person does not know ("non so se grande o piccola").
    for (const Match* m : accepted) {
      if (m->def->intent() != "dontknow") continue;
      if (m->def->absorb_size() == 0 && !awaiting.empty() &&
          !awaited_answered) {
        Skip(awaiting, state);
      }
      for (const std::string& slot : m->def->absorb()) {
        const FieldDescriptor* f = FindProfileField(slot);
        if (f != nullptr && !IsSlotKnown(state->profile(), f)) {
          Skip(slot, state);
        }
      }
    }
    if (changed.empty()) {
      turn.add_messages()->set_text(NextPhrase("dontknow_ack", state));
      digression = true;
    }
  }
  if (intents.count("age") && changed.empty()) {
    turn.add_messages()->set_text(kb_->Phrase("age_ack"));
    digression = true;
  }
  if (intents.count("explain")) {
    // "perché il punto 3?": the step again, with the passages it comes from.
    int n = 0;
    for (const Match* m : accepted) {
      auto c = m->captures.find("n");
      if (m->def->intent() == "explain" && c != m->captures.end()) {
        n = std::atoi(c->second.first.c_str());
      }
    }
    std::map<std::string, std::string> words(state->words().begin(),
                                             state->words().end());
    std::vector<AdviceItem> items = Advise(state->profile(), words);
    const AdviceItem* item = nullptr;
    if (n >= 1 && n <= state->last_advice_size()) {
      for (const auto& i : items)
        if (i.id() == state->last_advice(n - 1)) item = &i;
    }
    const std::string number = absl::StrCat(n);
    if (item == nullptr) {
      turn.add_messages()->set_text(
          absl::StrReplaceAll(kb_->Phrase("explain_none"), {{"{n}", number}}));
    } else {
      turn.add_messages()->set_text(
          absl::StrReplaceAll(kb_->Phrase("explain_intro"),
                              {{"{n}", number}, {"{title}", item->title()}}));
      BotMessage* m = turn.add_messages();
      m->set_text(item->text());
      *m->mutable_citations() = item->citations();
    }
    digression = true;
  }
  if (intents.count("offtopic") && changed.empty()) {
    turn.add_messages()->set_text(kb_->Phrase("offtopic_reply"));
    digression = true;
  }
  if (intents.count("deny") && changed.empty()) {
    // "non mi interessano le risorse umane": heard, nothing to note.
    turn.add_messages()->set_text(NextPhrase("deny_ack", state));
    digression = true;
  }
  if (turn.messages_size() == 0 && intents.count("greeting")) {
    turn.add_messages()->set_text(NextPhrase("greeting_reply", state));
    digression = true;
  }
  if (intents.count("thanks") && changed.empty() && !intents.count("goodbye")) {
    turn.add_messages()->set_text(NextPhrase("thanks_reply", state));
    digression = true;
  }

  // A lone "anzi" or "in realtà" before words the bot did not get is no
  // answer: re-prompt as for any message not understood.
  // While a question waits, a message that changed nothing (a number out of
  // range, a fact already known) is no answer: re-prompt, differently.
  const bool has_intent =
      std::any_of(accepted.begin(), accepted.end(), [](const Match* m) {
        return !m->def->intent().empty() && m->def->intent() != "correction";
      });
  const bool understood = has_intent || !changed.empty() ||
                          (awaiting.empty() && !proposals.empty());
  if (intents.count("goodbye")) {
    // Leaving: no new question. The conversation can resume later.
    turn.add_messages()->set_text(NextPhrase("goodbye_reply", state));
  } else if (!understood) {
    const CompiledSlot* cs = kb_->FindSlot(awaiting);
    const kbv1::Slot* slot = cs == nullptr ? nullptr : cs->def;
    if (slot != nullptr) {
      int next = state->reprompts() + 1;
      state->set_reprompts(next);
      if (next < slot->question_size()) {
        Ask(*slot, next, "", state, &turn);
      } else {
        Skip(awaiting, state);
        turn.add_messages()->set_text(kb_->Phrase("skip_slot"));
        if (const kbv1::Slot* s = NextSlot(*state)) {
          Ask(*s, 0, state->advised() ? "refine" : "", state, &turn);
        } else if (!state->advised()) {
          GivePlan("plan_intro", state, &turn);
        } else {
          state->set_awaiting_slot("");
        }
      }
    } else {
      turn.add_messages()->set_text(NextPhrase("not_understood", state));
    }
  } else if (intents.count("command.advice")) {
    const bool early = NextSlot(*state) != nullptr;
    GivePlan(early ? "advice_early" : "plan_intro", state, &turn);
    // The plan gets more precise with each fact: keep asking.
    if (const kbv1::Slot* next = NextSlot(*state)) {
      Ask(*next, 0, "refine", state, &turn);
    }
  } else if (state->advised()) {
    if (!changed.empty()) {
      // Update the plan and say what changed.
      std::map<std::string, std::string> words(state->words().begin(),
                                               state->words().end());
      std::vector<AdviceItem> items = Advise(state->profile(), words);
      std::vector<std::string> old(state->last_advice().begin(),
                                   state->last_advice().end());
      std::vector<std::string> added;
      for (const auto& item : items) {
        if (std::find(old.begin(), old.end(), item.id()) == old.end())
          added.push_back(item.id());
      }
      for (const std::string& id : old) {
        bool kept =
            std::any_of(items.begin(), items.end(),
                        [&](const AdviceItem& i) { return i.id() == id; });
        const kbv1::AdviceRule* rule = kb_->FindAdvice(id);
        if (!kept && rule != nullptr) {
          turn.add_messages()->set_text(absl::StrReplaceAll(
              kb_->Phrase("plan_removed"), {{"{title}", rule->title()}}));
        }
      }
      if (!added.empty()) {
        turn.add_messages()->set_text(kb_->Phrase("plan_changed"));
        AddPlanItems(items, added, &turn);
      }
      if (added.empty() && items.size() == old.size()) {
        turn.add_messages()->set_text(kb_->Phrase("plan_unchanged"));
      } else if (!items.empty()) {
        turn.add_messages()->set_text(kb_->Phrase("plan_rest"));
      }
      for (const auto& item : items) *turn.add_advice() = item;
      state->clear_last_advice();
      for (const auto& item : items) state->add_last_advice(item.id());
    }
    if (const kbv1::Slot* next = NextSlot(*state)) {
      if (!changed.empty() || next->name() != awaiting || !digression) {
        Ask(*next, 0, "refine", state, &turn);
      } else {
        Ask(*next, 0, "resume", state, &turn);
      }
    } else {
      state->set_awaiting_slot("");
      if (!changed.empty()) AddAfterPlanReplies(&turn);
    }
  } else {
    const kbv1::Slot* next = NextSlot(*state);
    if (next == nullptr) {
      GivePlan("plan_intro", state, &turn);
    } else if (next->name() == awaiting && digression && changed.empty()) {
      Ask(*next, 0, "resume", state, &turn);  // "Tornando a noi: …"
    } else {
      Ask(*next, 0, "", state, &turn);
    }
  }
  if (turn.messages_size() == 0) {
    // Understood, but nothing to say (a lone "anzi"): never leave the person
    // without an answer.
    turn.add_messages()->set_text(NextPhrase("not_understood", state));
  }
  *turn.mutable_profile() = state->profile();
  turn.set_awaiting_slot(state->awaiting_slot());
  turn.set_kb_version(kb_->version());
  return reply;
}

}  // namespace dirigo
