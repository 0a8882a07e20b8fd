#include "dialog/intents.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "dialog/phrase_keys.h"
#include "dialog/policy.h"
#include "dialog/wording.h"
#include "knowledge/profile_fields.h"

namespace dirigo {
namespace {

using Role = IntentHandler::Role;
using Kind = Action::Kind;

constexpr absl::string_view kFaqPrefix = "faq.";
// The capture that holds the number of "perché il punto 3?".
constexpr char kStepNumber[] = "n";

// A phrase said only when nothing in this message changed the profile.
bool SayUnlessFactsChanged(const IntentContext& c, const char* phrase_key,
                           bool rotate, Decision* d) {
  if (!c.changes.empty()) return false;
  d->Add(Action::Phrase(phrase_key, rotate));
  return true;
}

bool AnswerHelp(const IntentContext& c, Decision* d) {
  d->Add(Action::Phrase(phrase::kHelp));
  return true;
}

bool AnswerProfile(const IntentContext& c, Decision* d) {
  d->Add(Action::Of(Kind::kProfile));
  return true;
}

// Whether an answer given earlier in this turn cites exactly `faq`'s
// passages: "a 50 anni è troppo tardi? ce la faccio?" gets one answer, not
// the same passages twice in other words. Answers that share only some
// passages ("i ruoli? e quanto si guadagna?") are both given.
bool SameAnswerGiven(const kb::v1::Faq& faq, const Decision& d) {
  auto same = [](const kb::v1::Citation& a, const kb::v1::Citation& b) {
    return a.section() == b.section() && a.quote() == b.quote();
  };
  auto cites_all = [&](const kb::v1::Faq& a, const kb::v1::Faq& b) {
    for (const auto& x : a.citation()) {
      if (std::none_of(b.citation().begin(), b.citation().end(),
                       [&](const auto& y) { return same(x, y); })) {
        return false;
      }
    }
    return true;
  };
  for (const Action& given : d.actions) {
    if (given.kind != Kind::kFaq || given.faq == nullptr) continue;
    if (cites_all(faq, *given.faq) && cites_all(*given.faq, faq)) return true;
  }
  return false;
}

bool AnswerFaq(const IntentContext& c, Decision* d) {
  const kb::v1::Faq* faq = c.kb.FindFaq(c.intent.substr(kFaqPrefix.size()));
  if (faq == nullptr) return false;
  if (SameAnswerGiven(*faq, *d)) return true;  // answered already
  Action a = Action::Of(Kind::kFaq);
  a.faq = faq;
  d->Add(std::move(a));
  return true;
}

// "perché me lo chiedi?": why the awaited slot matters, from the article.
bool AnswerWhy(const IntentContext& c, Decision* d) {
  const CompiledSlot* slot = c.kb.FindSlot(c.awaiting);
  if (slot == nullptr || slot->def->why().empty()) {
    d->Add(Action::Phrase(phrase::kWhyGeneric));
    return true;
  }
  Action a = Action::Of(Kind::kWhy);
  a.slot = slot;
  d->Add(std::move(a));
  return true;
}

// "non lo so" is about the question asked, unless the rule names what the
// person does not know ("non so se grande o piccola"): those slots are
// skipped.
bool HandleDontKnow(const IntentContext& c, Decision* d) {
  const bool awaited_answered =
      !c.awaiting.empty() && c.changes.Contains(c.awaiting);
  for (const Match* m : c.in.applied) {
    if (m->def().intent() != c.intent) continue;
    if (m->def().absorb_size() == 0 && !c.awaiting.empty() &&
        !awaited_answered) {
      SkipSlot(c.awaiting, c.state);
    }
    for (const std::string& slot : m->def().absorb()) {
      const FieldDescriptor* f = FindProfileField(slot);
      if (f != nullptr && !IsSlotKnown(c.state->profile(), f)) {
        SkipSlot(slot, c.state);
      }
    }
  }
  return SayUnlessFactsChanged(c, phrase::kDontknowAck, /*rotate=*/true, d);
}

// "ho 41 anni": the guide says nothing of age; not said again after the
// answer on age, or one in the same passages, given in this turn ("ce la
// faccio? ho 41 anni" gets that answer only).
bool AnswerAge(const IntentContext& c, Decision* d) {
  const kb::v1::Faq* age = c.kb.FindFaq("age");
  if (age != nullptr && SameAnswerGiven(*age, *d)) return true;
  return SayUnlessFactsChanged(c, phrase::kAgeAck, /*rotate=*/false, d);
}

// The known facts an advice rule's conditions name, said back and joined
// ("segretaria e non hai ancora guidato persone"); "" when none is known.
std::string FactsBehind(const IntentContext& c,
                        const kb::v1::AdviceRule& rule) {
  std::vector<std::string> slots;
  for (const auto* clauses : {&rule.when().all(), &rule.when().any()}) {
    for (const kb::v1::Clause& clause : *clauses) {
      if (std::find(slots.begin(), slots.end(), clause.slot()) == slots.end()) {
        slots.push_back(clause.slot());
      }
    }
  }
  const Wording& wording = c.planner.wording();
  std::vector<std::string> facts;
  for (const std::string& slot : slots) {
    std::string said =
        wording.FactText(c.state->profile(), FactWords(*c.state), slot);
    if (!said.empty()) facts.push_back(said);
  }
  return facts.empty() ? "" : wording.JoinFacts(facts);
}

// "perché il punto 3?": the step again, with the passages it comes from. The
// rule's capture kStepNumber holds the number.
bool ExplainStep(const IntentContext& c, Decision* d) {
  int n = 0;
  std::string number = "0";
  for (const Match* m : c.in.applied) {
    auto capture = m->captures.find(kStepNumber);
    if (m->def().intent() == c.intent && capture != m->captures.end()) {
      number = capture->second.normalized;
      if (!absl::SimpleAtoi(number, &n)) n = 0;  // too large: no such step
    }
  }
  const auto& last = c.state->last_advice();
  const dirigo::v1::AdviceItem* item = nullptr;
  std::vector<dirigo::v1::AdviceItem> plan =
      c.planner.Plan(c.state->profile(), FactWords(*c.state));
  if (n >= 1 && n <= last.size()) {
    for (const auto& i : plan) {
      if (i.id() == last.Get(n - 1)) item = &i;
    }
  }
  if (n > 0) number = absl::StrCat(n);
  if (item == nullptr) {
    Action none = Action::Phrase(phrase::kExplainNone);
    none.values = {{"{n}", number}};
    d->Add(std::move(none));
    return true;
  }
  // The facts the step rests on, said back, then the article's words.
  const kb::v1::AdviceRule* rule = c.kb.FindAdvice(item->id());
  const std::string facts = rule == nullptr ? "" : FactsBehind(c, *rule);
  Action again = Action::Phrase(phrase::kExplainStep);
  again.values = {
      {"{n}", number}, {"{title}", item->title()}, {"{text}", item->text()}};
  d->Add(std::move(again));
  Action intro = Action::Phrase(facts.empty() ? phrase::kExplainIntro
                                              : phrase::kExplainBecause);
  if (!facts.empty()) intro.values.push_back({"{facts}", facts});
  d->Add(std::move(intro));
  Action step = Action::Of(Kind::kStep);
  step.step = *item;
  d->Add(std::move(step));
  return true;
}

// "ma questo cosa c'entra con me?", "non mi hai risposto": the last answer
// missed; say so rather than quote again. (A bare "cosa c'entra?" is "why".)
bool AnswerComplaint(const IntentContext& c, Decision* d) {
  d->Add(Action::Phrase(phrase::kNotRelevant, /*rotate=*/true));
  return true;
}

bool AnswerOfftopic(const IntentContext& c, Decision* d) {
  return SayUnlessFactsChanged(c, phrase::kOfftopicReply, /*rotate=*/false, d);
}

// "non mi interessano le risorse umane": heard, nothing to note.
bool AcknowledgeDenial(const IntentContext& c, Decision* d) {
  return SayUnlessFactsChanged(c, phrase::kDenyAck, /*rotate=*/true, d);
}

// A greeting is answered only when nothing else is said before it (the
// replies drop it otherwise); either way the person was heard, so it counts as
// an answer.
bool GreetBack(const IntentContext& c, Decision* d) {
  Action a = Action::Phrase(phrase::kGreetingReply, /*rotate=*/true);
  a.only_if_first = true;
  d->Add(std::move(a));
  return true;
}

// "Grazie" said with a question: the answer is the reply, no "di niente"
// after it.
bool WelcomeThanks(const IntentContext& c, Decision* d) {
  if (HasRole(c.in, Role::kGoodbye)) return false;
  if (!d->actions.empty()) return true;
  return SayUnlessFactsChanged(c, phrase::kThanksReply, /*rotate=*/true, d);
}

}  // namespace

const std::vector<IntentHandler>& IntentTable() {
  static const auto* table = new std::vector<IntentHandler>{
      {"command.help", Role::kAnswer, "command", AnswerHelp},
      {"command.profile", Role::kAnswer, "command", AnswerProfile},
      {"faq", Role::kAnswer, "question", AnswerFaq},
      {"why", Role::kAnswer, "question", AnswerWhy},
      {"dontknow", Role::kAnswer, "statement", HandleDontKnow},
      {"age", Role::kAnswer, "statement", AnswerAge},
      {"explain", Role::kAnswer, "objection", ExplainStep, kStepNumber},
      {"offtopic", Role::kAnswer, "small_talk", AnswerOfftopic},
      {"complaint", Role::kAnswer, "objection", AnswerComplaint},
      {"deny", Role::kAnswer, "correction", AcknowledgeDenial},
      {"greeting", Role::kAnswer, "greeting", GreetBack},
      {"thanks", Role::kAnswer, "thanks", WelcomeThanks},
      {"command.advice", Role::kPlan, "command", nullptr},
      {"command.summary", Role::kPlan, "command", nullptr},
      {"command.restart", Role::kRestart, "command", nullptr},
      {"command.erase", Role::kErase, "command", nullptr},
      {"goodbye", Role::kGoodbye, "goodbye", nullptr},
      {"correction", Role::kModifier, "correction", nullptr},
      // Words that are not the person's facts (someone else's years, time
      // at home): claimed so that no fact comes of them, nothing to say.
      {"aside", Role::kModifier, "statement", nullptr},
  };
  return *table;
}

const IntentHandler* FindIntent(absl::string_view intent) {
  if (intent == "faq") return nullptr;  // "faq.<id>" names an entry
  absl::string_view name =
      absl::StartsWith(intent, kFaqPrefix) ? "faq" : intent;
  for (const IntentHandler& h : IntentTable()) {
    if (name == h.name) return &h;
  }
  return nullptr;
}

bool HasRole(const Interpretation& in, IntentHandler::Role role) {
  for (const std::string& intent : in.intents) {
    const IntentHandler* h = FindIntent(intent);
    if (h != nullptr && h->role == role) return true;
  }
  return false;
}

}  // namespace dirigo
