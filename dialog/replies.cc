#include "dialog/replies.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "dialog/phrase_keys.h"
#include "knowledge/profile_fields.h"
#include "text/unicode.h"

namespace dirigo {
namespace {

using dirigo::session::v1::DialogState;
using dirigo::v1::BotMessage;
using dirigo::v1::BotTurn;
using Kind = Action::Kind;

// "Tornando a noi: ti interessa…": a question put in a phrase starts lower
// case (its first character, by the language's rules).
std::string LowerFirstLetter(const std::string& text,
                             const std::string& icu_locale) {
  size_t first = 1;
  while (first < text.size() && (text[first] & 0xC0) == 0x80) ++first;
  if (text.empty()) return text;
  return LowerCase(text.substr(0, first), icu_locale) + text.substr(first);
}

void AddQuickReply(const kb::v1::QuickReply& q, const Wording& wording,
                   BotTurn* turn) {
  auto* r = turn->add_quick_replies();
  r->set_label(wording.Say(q.label()));
  r->set_text(wording.Say(q.text().empty() ? q.label() : q.text()));
}

}  // namespace

const std::string& Replies::Said(absl::string_view key) const {
  return wording_.Say(kb_.Phrase(key));
}

std::string Replies::NextPhrase(absl::string_view key,
                                DialogState* state) const {
  int n = state->phrase_counter();
  state->set_phrase_counter(n + 1);
  return wording_.Say(kb_.Phrase(key, n));
}

void Replies::Phrase(const Action& a, DialogState* state, BotTurn* turn) const {
  if (a.only_if_first && turn->messages_size() > 0) return;
  std::string text = a.rotate ? NextPhrase(a.phrase, state) : Said(a.phrase);
  turn->add_messages()->set_text(absl::StrReplaceAll(text, a.values));
}

// "Bene: laurea triennale in economia e 3 anni di lavoro."
void Replies::Acknowledge(const Action& a, DialogState* state,
                          BotTurn* turn) const {
  const FactWords words(*state);
  std::vector<std::string> facts;
  for (const std::string& name : a.slots) {
    const CompiledSlot* slot = kb_.FindSlot(name);
    if (slot == nullptr) continue;
    const std::string* w = words.Find(name);
    // "laurea triennale" + " in economia": said on the fact before it.
    if (!slot->def->say_words_after().empty() && !facts.empty() &&
        w != nullptr) {
      facts.back() +=
          " " + absl::StrReplaceAll(wording_.Say(slot->def->say_words_after()),
                                    {{"{text}", *w}});
      continue;
    }
    std::string text = wording_.FactText(state->profile(), words, name);
    if (!text.empty()) facts.push_back(text);
  }
  if (facts.empty()) return;
  turn->add_messages()->set_text(absl::StrReplaceAll(
      NextPhrase(a.update ? phrase::kUpdate : phrase::kAck, state),
      {{"{facts}", wording_.JoinFacts(facts)}}));
}

// Each fact in the bot's words, then the person's own words for it.
void Replies::Profile(const DialogState& state, BotTurn* turn) const {
  const FactWords words(state);
  std::vector<std::string> lines;
  for (const CompiledSlot& s : kb_.slots()) {
    if (!IsSlotKnown(state.profile(), s.field)) continue;
    std::string line = absl::StrCat(
        "- ", wording_.Say(s.def->label()), ": ",
        wording_.FactText(state.profile(), FactWords(), s.def->name()));
    if (const std::string* w = words.Find(s.def->name())) {
      absl::StrAppend(
          &line, " ",
          absl::StrReplaceAll(Said(phrase::kProfileWords), {{"{words}", *w}}));
    }
    lines.push_back(line);
  }
  std::string text = lines.empty()
                         ? Said(phrase::kProfileEmpty)
                         : absl::StrCat(Said(phrase::kProfileIntro), "\n",
                                        absl::StrJoin(lines, "\n"));
  turn->add_messages()->set_text(text);
}

std::string Replies::Question(
    const CompiledSlot& compiled, const DialogState& state,
    const google::protobuf::RepeatedPtrField<kb::v1::QuickReply>** replies)
    const {
  const kb::v1::Slot& slot = *compiled.def;
  if (replies != nullptr) *replies = &slot.quick_reply();
  for (const kb::v1::NarrowQuestion& n : slot.narrow()) {
    if (!ConditionHolds(n.when(), state.profile())) continue;
    if (replies != nullptr && !n.quick_reply().empty()) {
      *replies = &n.quick_reply();
    }
    return wording_.Say(n.question());
  }
  return wording_.Say(slot.question(0));
}

void Replies::Ask(const Action& a, DialogState* state, BotTurn* turn) const {
  const kb::v1::Slot& slot = *a.slot->def;
  const google::protobuf::RepeatedPtrField<kb::v1::QuickReply>* replies =
      &slot.quick_reply();
  std::string text = a.variant == 0 ? Question(*a.slot, *state, &replies)
                                    : wording_.Say(slot.question(a.variant));
  if (!a.prefix.empty()) {
    text = absl::StrReplaceAll(
        NextPhrase(a.prefix, state),
        {{"{question}", LowerFirstLetter(text, kb_.language().icu_locale())}});
  }
  turn->add_messages()->set_text(text);
  for (const kb::v1::QuickReply& q : *replies) {
    AddQuickReply(q, wording_, turn);
  }
  turn->set_awaiting_slot(slot.name());
}

// "2. Dimostra di saper guidare persone. …", numbered by the step's place in
// the whole plan.
void Replies::Plan(const Action& a,
                   const std::vector<dirigo::v1::AdviceItem>& plan,
                   BotTurn* turn) const {
  int number = 0;
  for (const dirigo::v1::AdviceItem& item : plan) {
    ++number;
    if (!a.only.empty() &&
        std::find(a.only.begin(), a.only.end(), item.id()) == a.only.end()) {
      continue;
    }
    BotMessage* m = turn->add_messages();
    m->set_advice_id(item.id());
    if (std::find(a.brief.begin(), a.brief.end(), item.id()) != a.brief.end()) {
      m->set_text(absl::StrCat(number, ". ", item.title(), "."));
      continue;
    }
    m->set_text(absl::StrCat(number, ". ", item.title(), ". ", item.text()));
    *m->mutable_citations() = item.citations();
  }
}

void Replies::RenderOne(const Action& a, const Decision& decision,
                        DialogState* state, BotTurn* turn) const {
  switch (a.kind) {
    case Kind::kPhrase:
      return Phrase(a, state, turn);
    case Kind::kAcknowledge:
      return Acknowledge(a, state, turn);
    case Kind::kFaq: {
      BotMessage* m = turn->add_messages();
      m->set_text(wording_.Say(a.faq->answer()));
      for (const auto& c : a.faq->citation()) {
        *m->add_citations() = wording_.Cite(c);
      }
      return;
    }
    case Kind::kWhy: {
      BotMessage* m = turn->add_messages();
      m->set_text(wording_.Say(a.slot->def->why()));
      for (const auto& c : a.slot->def->why_citation()) {
        *m->add_citations() = wording_.Cite(c);
      }
      return;
    }
    case Kind::kStep: {
      // The article's own words, each with its citation.
      for (const dirigo::v1::Citation& c : a.step.citations()) {
        BotMessage* m = turn->add_messages();
        m->set_text(absl::StrCat("«", c.quote(), "»"));
        *m->add_citations() = c;
      }
      return;
    }
    case Kind::kProfile:
      return Profile(*state, turn);
    case Kind::kAsk:
      return Ask(a, state, turn);
    case Kind::kPlan:
      return Plan(a, decision.plan, turn);
    case Kind::kPassage: {
      turn->add_messages()->set_text(
          NextPhrase(phrase::kClosestPassage, state));
      BotMessage* m = turn->add_messages();
      m->set_text(a.passage.sentence);
      kb::v1::Citation c;
      c.set_section(a.passage.section);
      c.set_quote(a.passage.sentence);
      *m->add_citations() = wording_.Cite(c);
      return;
    }
    case Kind::kPlanReplies:
      for (const auto& q : kb_.proto().plan_quick_reply())
        AddQuickReply(q, wording_, turn);
      return;
  }
}

void Replies::Render(const Decision& decision, DialogState* state,
                     BotTurn* turn) const {
  for (const Action& a : decision.actions) RenderOne(a, decision, state, turn);
  if (turn->messages_size() == 0) {
    // Understood, but nothing to say (a lone "anzi"): never leave the person
    // without an answer.
    turn->add_messages()->set_text(NextPhrase(phrase::kNotUnderstood, state));
  }
  for (const auto& item : decision.plan) *turn->add_advice() = item;
  *turn->mutable_profile() = state->profile();
  turn->set_awaiting_slot(state->awaiting_slot());
  turn->set_kb_version(kb_.version());
}

}  // namespace dirigo
