#include "dialog/policy.h"

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/match.h"
#include "dialog/intents.h"
#include "dialog/phrase_keys.h"
#include "dialog/wording.h"
#include "knowledge/profile_fields.h"

namespace dirigo {
namespace {

namespace kbv1 = ::dirigo::kb::v1;
using Kind = Action::Kind;
using Role = IntentHandler::Role;

bool IsSkipped(const sessionv1::DialogState& state, const std::string& slot) {
  return std::find(state.skipped().begin(), state.skipped().end(), slot) !=
         state.skipped().end();
}

// Whether the message meant anything to the bot: an intent (a lone "anzi" is
// none), a change, or facts while no question waits.
bool Understood(const Interpretation& in, const Changes& changes,
                const std::string& awaiting) {
  bool has_intent = std::any_of(
      in.intents.begin(), in.intents.end(), [](const std::string& intent) {
        const IntentHandler* h = FindIntent(intent);
        return h != nullptr && h->role != Role::kModifier;
      });
  return has_intent || !changes.empty() ||
         (awaiting.empty() && !in.facts.empty());
}

// A question needs a passage at least this close (BM25) to be answered with
// it; below, it is about something the guide does not cover.
constexpr double kMinPassageScore = 1.5;
// For a question about the subject (Language.subject_word), a weaker match
// is still the closest the article comes; below it, the article's opening.
constexpr double kMinSubjectPassageScore = 0.8;
// A question of fewer words of meaning asks about the clause before it.
constexpr size_t kShortQuestion = 2;
// The intent of "mi fai un riassunto del piano?": the plan by its titles.
constexpr char kSummaryIntent[] = "command.summary";

// Whether a rule answered the clause: an intent that is not a mere modifier.
bool AnsweredByRules(const Clause& c) {
  return std::any_of(c.intents.begin(), c.intents.end(), [](const auto& i) {
    const IntentHandler* h = FindIntent(i);
    return h != nullptr && h->role != Role::kModifier;
  });
}

}  // namespace

void SkipSlot(const std::string& slot, sessionv1::DialogState* state) {
  if (!IsSkipped(*state, slot)) state->add_skipped(slot);
  if (state->awaiting_slot() == slot) state->set_awaiting_slot("");
}

const CompiledSlot* Policy::NextSlot(
    const sessionv1::DialogState& state) const {
  for (const CompiledSlot& s : kb_.slots()) {
    if (s.def->origin() != kbv1::Slot::ASKED) continue;
    if (IsSlotKnown(state.profile(), s.field)) continue;
    if (IsSkipped(state, s.def->name())) continue;
    if (!ConditionHolds(s.def->ask_if(), state.profile())) continue;
    return &s;
  }
  return nullptr;
}

std::vector<std::string> Policy::MissingSlots(
    const sessionv1::DialogState& state) const {
  std::vector<std::string> out;
  sessionv1::DialogState copy = state;
  while (const CompiledSlot* s = NextSlot(copy)) {
    out.push_back(s->def->name());
    copy.add_skipped(s->def->name());
  }
  return out;
}

void Policy::Ask(const CompiledSlot& slot, int variant,
                 const std::string& prefix, sessionv1::DialogState* state,
                 Decision* d) const {
  if (slot.def->question_size() == 0) return;  // the validator forbids it
  Action a = Action::Of(Kind::kAsk);
  a.slot = &slot;
  a.variant = std::min(variant, slot.def->question_size() - 1);
  a.prefix = prefix;
  d->Add(std::move(a));
  if (state->awaiting_slot() != slot.def->name()) state->set_reprompts(0);
  state->set_awaiting_slot(slot.def->name());
}

void Policy::GivePlan(const std::string& intro, sessionv1::DialogState* state,
                      Decision* d, bool summary) const {
  std::vector<dirigo::v1::AdviceItem> plan =
      planner_.Plan(state->profile(), FactWords(*state));
  if (plan.empty()) {
    d->Add(Action::Phrase(phrase::kPlanNone));
    return;
  }
  d->Add(Action::Phrase(intro));
  Action steps = Action::Of(Kind::kPlan);
  if (summary) {
    plan = Planner::KeepShownOrder(state->last_advice(), std::move(plan));
    for (const auto& item : plan) steps.brief.push_back(item.id());
  }
  d->Add(std::move(steps));
  d->Add(Action::Phrase(phrase::kPlanOutro));
  state->set_advised(true);
  state->clear_last_advice();
  for (const auto& item : plan) state->add_last_advice(item.id());
  state->set_awaiting_slot("");
  state->set_reprompts(0);
  d->plan = std::move(plan);
  d->Add(Action::Of(Kind::kPlanReplies));
}

Decision Policy::Start(sessionv1::DialogState* state) const {
  Decision d;
  d.Add(Action::Phrase(phrase::kGreeting));
  if (const CompiledSlot* next = NextSlot(*state)) Ask(*next, 0, "", state, &d);
  return d;
}

Decision Policy::Welcome(sessionv1::DialogState* state) const {
  Decision d;
  d.Add(Action::Phrase(phrase::kWelcomeBack));
  d.Add(Action::Of(Kind::kProfile));
  if (const CompiledSlot* next = NextSlot(*state)) {
    Ask(*next, 0, phrase::kResume, state, &d);
  } else if (state->advised()) {
    GivePlan(phrase::kPlanSummary, state, &d, /*summary=*/true);
  }
  return d;
}

Decision Policy::Blank(sessionv1::DialogState* state) const {
  Decision d;
  d.Add(Action::Phrase(phrase::kBlank));
  if (const CompiledSlot* slot = kb_.FindSlot(state->awaiting_slot())) {
    Ask(*slot, 0, phrase::kResume, state, &d);
  }
  return d;
}

bool Policy::StartsOver(const Interpretation& in) {
  return HasRole(in, Role::kRestart) && !HasRole(in, Role::kErase);
}

void Policy::StartAfresh(bool erase, sessionv1::DialogState* state) {
  sessionv1::DialogState fresh;
  fresh.set_turn_count(erase ? 0 : state->turn_count());
  fresh.set_formal(state->formal());
  *state = fresh;
}

// Erase: a fresh state, then the first question again.
Decision Policy::Erase(sessionv1::DialogState* state) const {
  StartAfresh(/*erase=*/true, state);
  Decision d;
  d.erase = true;
  d.Add(Action::Phrase(phrase::kErased));
  if (const CompiledSlot* next = NextSlot(*state)) Ask(*next, 0, "", state, &d);
  return d;
}

// Restart: the state is fresh already (cleared before the message's facts
// were tracked: StartsOver); what the message told is said back, then the
// first question still open.
Decision Policy::Restarted(const Changes& changes,
                           sessionv1::DialogState* state) const {
  Decision d;
  d.Add(Action::Phrase(phrase::kRestarted));
  Acknowledge(changes, &d);
  AskNextOrPlan(changes, /*awaiting=*/"", /*digression=*/false, state, &d);
  return d;
}

// Says back the facts that changed, in the order the bot asks for them.
void Policy::Acknowledge(const Changes& changes, Decision* d) const {
  if (!changes.removed.empty()) {
    d->Add(Action::Phrase(phrase::kTakenBack, /*rotate=*/true));
  }
  std::vector<const CompiledSlot*> said;
  for (const std::string& name : changes.slots) {
    const CompiledSlot* slot = kb_.FindSlot(name);
    if (slot == nullptr) continue;  // a companion text: never said alone
    // An inferred fact ("stai studiando") is said only when it is alone.
    if (slot->def->origin() == kbv1::Slot::INFERRED &&
        changes.slots.size() > 1) {
      continue;
    }
    said.push_back(slot);
  }
  if (said.empty()) return;
  std::stable_sort(said.begin(), said.end(), [](const auto* a, const auto* b) {
    return a->order < b->order;
  });
  Action a = Action::Of(Kind::kAcknowledge);
  for (const CompiledSlot* s : said) a.slots.push_back(s->def->name());
  a.update = changes.updated_known;
  d->Add(std::move(a));
}

// Answers what the message asks or remarks, in the order of the intent
// table; returns whether anything was answered (a digression).
bool Policy::AnswerIntents(const Interpretation& in, const Changes& changes,
                           const std::string& awaiting,
                           sessionv1::DialogState* state, Decision* d) const {
  bool answered = false;
  for (const IntentHandler& handler : IntentTable()) {
    if (handler.role != Role::kAnswer) continue;
    for (const std::string& intent : in.intents) {
      if (FindIntent(intent) != &handler) continue;
      IntentContext context{kb_,      planner_, in,   changes,
                            awaiting, intent,   state};
      if (handler.answer(context, d)) answered = true;
    }
  }
  return answered;
}

void Policy::Reprompt(const std::string& awaiting,
                      sessionv1::DialogState* state, Decision* d) const {
  const CompiledSlot* slot = kb_.FindSlot(awaiting);
  if (slot == nullptr) {
    d->Add(Action::Phrase(phrase::kNotUnderstood, /*rotate=*/true));
    return;
  }
  const int next = state->reprompts() + 1;
  state->set_reprompts(next);
  if (next < slot->def->question_size()) {
    Ask(*slot, next, "", state, d);  // the same question, in other words
    return;
  }
  SkipSlot(awaiting, state);
  d->Add(Action::Phrase(phrase::kSkipSlot));
  if (const CompiledSlot* s = NextSlot(*state)) {
    Ask(*s, 0, state->advised() ? phrase::kRefine : "", state, d);
  } else if (!state->advised()) {
    GivePlan(phrase::kPlanIntro, state, d);
  } else {
    state->set_awaiting_slot("");
  }
}

// "dammi i consigli": the plan now; it gets more precise with each fact, so
// the bot keeps asking.
void Policy::GiveRequestedPlan(bool summary, sessionv1::DialogState* state,
                               Decision* d) const {
  const bool early = NextSlot(*state) != nullptr;
  if (summary && state->advised()) {
    // "Mi fai un riassunto del piano?": the steps by their titles, with the
    // numbers the person has seen.
    GivePlan(phrase::kPlanSummary, state, d, /*summary=*/true);
  } else {
    GivePlan(early ? phrase::kAdviceEarly : phrase::kPlanIntro, state, d);
  }
  if (const CompiledSlot* next = NextSlot(*state)) {
    Ask(*next, 0, phrase::kRefine, state, d);
  }
}

// The plan again after new facts, saying what was dropped and what is new.
// The numbers the person has seen stay true: new steps come after them;
// when a step is dropped the whole plan is shown again, numbered anew.
void Policy::UpdatePlan(sessionv1::DialogState* state, Decision* d) const {
  std::vector<dirigo::v1::AdviceItem> plan =
      planner_.Plan(state->profile(), FactWords(*state));
  PlanDiff diff = Planner::Compare(state->last_advice(), plan);
  for (const std::string& id : diff.removed) {
    if (const kbv1::AdviceRule* rule = kb_.FindAdvice(id)) {
      Action removed = Action::Phrase(phrase::kPlanRemoved);
      removed.values = {{"{title}", planner_.wording().Say(rule->title())}};
      d->Add(std::move(removed));
    }
  }
  if (!diff.removed.empty() && !plan.empty()) {
    // Steps seen before by their title only: a phone screen, not a wall.
    d->Add(Action::Phrase(phrase::kPlanRenumbered));
    Action steps = Action::Of(Kind::kPlan);
    steps.brief.assign(state->last_advice().begin(),
                       state->last_advice().end());
    d->Add(std::move(steps));
  } else if (!diff.added.empty()) {
    plan = Planner::KeepShownOrder(state->last_advice(), std::move(plan));
    d->Add(Action::Phrase(phrase::kPlanChanged));
    Action steps = Action::Of(Kind::kPlan);
    steps.only = diff.added;
    d->Add(std::move(steps));
    d->Add(Action::Phrase(phrase::kPlanRest));
  } else if (diff.unchanged()) {
    d->Add(Action::Phrase(phrase::kPlanUnchanged));
  }
  state->clear_last_advice();
  for (const auto& item : plan) state->add_last_advice(item.id());
  d->plan = std::move(plan);
}

void Policy::ContinueAfterPlan(const Changes& changes,
                               const std::string& awaiting, bool digression,
                               sessionv1::DialogState* state,
                               Decision* d) const {
  if (!changes.empty()) UpdatePlan(state, d);
  const CompiledSlot* next = NextSlot(*state);
  if (next == nullptr) {
    state->set_awaiting_slot("");
    if (!changes.empty()) d->Add(Action::Of(Kind::kPlanReplies));
    return;
  }
  const bool resume =
      changes.empty() && next->def->name() == awaiting && digression;
  Ask(*next, 0, resume ? phrase::kResume : phrase::kRefine, state, d);
}

void Policy::AskNextOrPlan(const Changes& changes, const std::string& awaiting,
                           bool digression, sessionv1::DialogState* state,
                           Decision* d) const {
  const CompiledSlot* next = NextSlot(*state);
  if (next == nullptr) {
    GivePlan(phrase::kPlanIntro, state, d);
    return;
  }
  // After a digression, the same question again: "Tornando a noi: …"; after
  // other facts than the one asked, not word for word: "E invece, …".
  const bool same = next->def->name() == awaiting;
  const char* prefix = "";
  if (same && digression && changes.empty()) prefix = phrase::kResume;
  if (same && !changes.empty()) prefix = phrase::kStillAsking;
  Ask(*next, 0, prefix, state, d);
}

// Questions no rule answered: the article's closest passage, or the honest
// "the guide does not say" (once) when none is close. Returns whether any was
// answered.
// Whether a rule of the message answers a question (an FAQ, "why", a step
// explained), not only greets or notes an age.
static bool RulesAnsweredAQuestion(const Interpretation& in) {
  for (const std::string& intent : in.intents) {
    const IntentHandler* h = FindIntent(intent);
    if (h == nullptr) continue;
    const absl::string_view act = h->act;
    if (act == "question" || act == "objection" || act == "small_talk" ||
        act == "command") {
      return true;
    }
  }
  return false;
}

bool Policy::AnswerOpenQuestions(const Interpretation& in,
                                 const NormalizedText& normalized,
                                 bool answered_by_rules,
                                 sessionv1::DialogState* state,
                                 Decision* d) const {
  bool open = false;
  bool off_the_subject = false;
  bool all_quoted = false;
  std::optional<Passage> best;
  const std::set<std::string> quoted(state->quoted().begin(),
                                     state->quoted().end());
  for (size_t i = 0; i < in.clauses.size(); ++i) {
    const Clause& c = in.clauses[i];
    if (!c.asks || c.answers || AnsweredByRules(c)) continue;
    absl::string_view words =
        absl::string_view(normalized.text).substr(c.begin, c.end - c.begin);
    if (kb_.passages().MeaningfulWords(words) == 0) continue;  // "ok?"
    // A short question asks about what was just said: "ho la laurea, basta?"
    if (i > 0 && kb_.passages().MeaningfulWords(words) < kShortQuestion) {
      const Clause& before = in.clauses[i - 1];
      words = absl::string_view(normalized.text)
                  .substr(before.begin, c.end - before.begin);
    }
    open = true;
    // The closest of all: when it was quoted already, the guide has no more
    // to say on this (the next closest would be off the point).
    std::optional<Passage> p = kb_.passages().Closest(words);
    if (p && quoted.count(p->sentence) && p->score >= kMinSubjectPassageScore) {
      all_quoted = true;
      continue;
    }
    // Off the subject ("un buon ristorante"): no passage, however close a
    // word of it comes. On the subject but far from every sentence: a weaker
    // match is still the closest the article comes, else its opening, unless
    // that was quoted already: then the guide has no more to say on it.
    if (!kb_.passages().IsAboutTheSubject(words)) {
      p.reset();
      off_the_subject = true;
    } else if (!p || p->score < kMinSubjectPassageScore) {
      p = kb_.passages().Opening();
      if (p && quoted.count(p->sentence)) {
        p.reset();
        all_quoted = true;
      }
    }
    if (p && (!best || p->score > best->score)) best = p;
  }
  if (!open) return false;
  // One passage a turn, the closest, and none when a rule already answered
  // the message: a reply is not a list of quotes.
  if (best && !answered_by_rules) {
    state->add_quoted(best->sentence);
    Action a = Action::Of(Kind::kPassage);
    a.passage = *best;
    d->Add(std::move(a));
  } else if (!best && all_quoted && !answered_by_rules) {
    d->Add(Action::Phrase(phrase::kNothingMore, /*rotate=*/true));
  } else if (!best && off_the_subject) {
    // The honest reply is said once, even when a rule already said it.
    const bool said =
        std::any_of(d->actions.begin(), d->actions.end(), [](const Action& a) {
          return a.kind == Kind::kPhrase && a.phrase == phrase::kOfftopicReply;
        });
    if (!said) d->Add(Action::Phrase(phrase::kOfftopicReply));
  }
  return true;
}

void Policy::MoveOn(const Interpretation& in, const Changes& changes,
                    const std::string& awaiting, bool digression, bool answered,
                    sessionv1::DialogState* state, Decision* d) const {
  if (HasRole(in, Role::kGoodbye)) {
    // Leaving: no new question. The conversation can resume later.
    d->Add(Action::Phrase(phrase::kGoodbyeReply, /*rotate=*/true));
  } else if (!answered && !Understood(in, changes, awaiting)) {
    Reprompt(awaiting, state, d);
  } else if (HasRole(in, Role::kPlan)) {
    GiveRequestedPlan(in.Has(kSummaryIntent), state, d);
  } else if (state->advised()) {
    ContinueAfterPlan(changes, awaiting, digression, state, d);
  } else {
    AskNextOrPlan(changes, awaiting, digression, state, d);
  }
}

Decision Policy::Decide(const Interpretation& in,
                        const NormalizedText& normalized,
                        const Changes& changes, const std::string& awaiting,
                        sessionv1::DialogState* state) const {
  // Commands that start afresh come first: they change everything.
  if (HasRole(in, Role::kErase)) return Erase(state);
  if (HasRole(in, Role::kRestart)) return Restarted(changes, state);
  Decision d;
  Acknowledge(changes, &d);
  bool digression = AnswerIntents(in, changes, awaiting, state, &d);
  const bool answered = AnswerOpenQuestions(
      in, normalized, RulesAnsweredAQuestion(in), state, &d);
  digression = digression || answered;
  MoveOn(in, changes, awaiting, digression, answered, state, &d);
  return d;
}

}  // namespace dirigo
