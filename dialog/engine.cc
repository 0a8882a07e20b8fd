#include "dialog/engine.h"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "dialog/intents.h"
#include "dialog/phrase_keys.h"
#include "knowledge/problems.h"
#include "knowledge/profile_fields.h"
#include "text/unicode.h"

namespace dirigo {
namespace {

using dirigo::session::v1::DialogState;

absl::Status CheckMessage(absl::string_view text) {
  if (text.size() > Engine::kMaxMessageBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the message is too long (", text.size(),
                     " bytes; at most ", Engine::kMaxMessageBytes, ")"));
  }
  RETURN_IF_ERROR(CheckUtf8(text));
  return absl::OkStatus();
}

// What the bot understood, for the turn's trace.
void TraceUnderstanding(const NormalizedText& n, const Interpretation& in,
                        dirigo::v1::Trace* trace) {
  for (const SpellingFix& fix : n.fixes) {
    auto* f = trace->add_spelling_fixes();
    f->set_original(fix.original);
    f->set_corrected(fix.corrected);
  }
  for (const Match& m : in.matches) {
    auto* t = trace->add_matches();
    t->set_rule_id(m.def().id());
    t->set_intent(m.def().intent());
    t->set_matched_text(m.original);
    t->set_applied(m.applied);
    for (const auto& [name, capture] : m.captures) {
      (*t->mutable_captures())[name] = capture.display;
    }
  }
}

// What each clause of the message does: the acts of its intents, its facts
// (a goal when the fact is an aim), its question or supposition.
void TraceClauses(const KnowledgeBase& kb, const NormalizedText& n,
                  absl::string_view original, const Interpretation& in,
                  dirigo::v1::Trace* trace) {
  for (size_t i = 0; i < in.clauses.size(); ++i) {
    const Clause& c = in.clauses[i];
    std::vector<std::string> acts;
    auto add = [&acts](const std::string& act) {
      if (std::find(acts.begin(), acts.end(), act) == acts.end()) {
        acts.push_back(act);
      }
    };
    for (const std::string& intent : c.intents) {
      if (const IntentHandler* h = FindIntent(intent)) add(h->act);
    }
    for (const Match* m : in.applied) {
      if (m->clause != static_cast<int>(i) || c.supposes) continue;
      for (const auto& a : m->def().set()) {
        const CompiledSlot* slot = kb.FindSlot(a.slot());
        if (slot != nullptr && slot->def->aim()) {
          add("goal");
        } else {
          add(c.answers ? "answer" : "statement");
        }
      }
    }
    if (c.supposes) add("hypothesis");
    if (c.asks && acts.empty()) add("question");
    if (acts.empty()) add("unclear");
    auto* out = trace->add_clauses();
    out->set_text(n.OriginalSpan(original, c.begin, c.end));
    for (const std::string& act : acts) out->add_acts(act);
  }
}

// After "cancella i miei dati" the trace keeps which rules fired, but none of
// the words being erased.
void ForgetWords(dirigo::v1::Trace* trace) {
  for (auto& m : *trace->mutable_matches()) {
    m.clear_matched_text();
    m.clear_captures();
  }
  for (auto& c : *trace->mutable_clauses()) c.clear_text();
  trace->clear_spelling_fixes();
  trace->clear_slot_changes();
}

// A rule's problem, with where the rule is defined.
void AddRuleProblem(const KnowledgeBase& kb, const kb::v1::Pattern& p,
                    const std::string& message, Problems* problems) {
  const std::string entry = EntryKey("pattern", p.id());
  const std::string where = kb.Where(entry);
  problems->Add(where.empty() ? entry : absl::StrCat(where, ": ", entry),
                message);
}

// The knowledge base against what the engine handles: the intents of the
// table (and the captures their handlers read), and every phrase it says.
absl::Status CheckContract(const KnowledgeBase& kb) {
  std::vector<std::string> names;
  for (const IntentHandler& h : IntentTable()) names.push_back(h.name);
  const std::map<std::string, std::string> no_locations;
  Problems problems(no_locations);
  for (int i = 0; i < kb.pattern_count(); ++i) {
    const CompiledPattern& rule = kb.pattern(i);
    const kb::v1::Pattern& p = *rule.def;
    if (p.intent().empty()) continue;
    const IntentHandler* h = FindIntent(p.intent());
    if (h == nullptr) {
      AddRuleProblem(kb, p,
                     absl::StrCat("intent '", p.intent(),
                                  "' is not one the engine handles (",
                                  absl::StrJoin(names, ", "), ")"),
                     &problems);
    } else if (h->capture != nullptr &&
               std::find(rule.group_names.begin(), rule.group_names.end(),
                         h->capture) == rule.group_names.end()) {
      AddRuleProblem(
          kb, p,
          absl::StrCat("intent '", p.intent(),
                       "' needs a capture group named '", h->capture, "'"),
          &problems);
    }
  }
  for (const char* key : kAllPhraseKeys) {
    if (!kb.HasPhrase(key)) {
      problems.Add(EntryKey("phrase", key), "is required and missing");
    }
  }
  return problems.ToStatus();
}

}  // namespace

Engine::Engine(std::shared_ptr<const KnowledgeBase> kb)
    : kb_(std::move(kb)),
      understanding_(*kb_),
      tracker_(*kb_),
      informal_(*kb_, /*formal=*/false),
      formal_(*kb_, /*formal=*/true) {}

absl::StatusOr<std::shared_ptr<const Engine>> Engine::Create(
    std::shared_ptr<const KnowledgeBase> kb) {
  RETURN_IF_ERROR(CheckContract(*kb));
  return std::shared_ptr<const Engine>(new Engine(std::move(kb)));
}

namespace {

// Keeps the texts of the turn's quick replies, so that a number typed back
// picks one; none when the replies are numbers themselves ("3 anni").
void KeepOffered(const dirigo::v1::BotTurn& turn, DialogState* state) {
  state->clear_offered();
  for (const auto& r : turn.quick_replies()) {
    if (r.label().find_first_of("0123456789") != std::string::npos) {
      state->clear_offered();
      return;
    }
    state->add_offered(r.text());
  }
}

// Whether a message was understood at all: a fact, an intent, a fact taken
// back.
bool SaysAnything(const Interpretation& in) {
  return !in.facts.empty() || !in.intents.empty() || !in.taken_back.empty();
}

// Whether what the message says was read by a last-resort rule
// (Pattern.last_resort), which an answer to another question beats.
bool ByLastResort(const Interpretation& in) {
  return std::any_of(in.applied.begin(), in.applied.end(),
                     [](const Match* m) { return m->def().last_resort(); });
}

// The reply a number typed back picks ("2", " 2 "), or the text as it is.
std::string Chosen(absl::string_view text, const DialogState& state) {
  absl::string_view t = absl::StripAsciiWhitespace(text);
  int n = 0;
  if (!t.empty() &&
      t.find_first_not_of("0123456789") == absl::string_view::npos &&
      absl::SimpleAtoi(t, &n) && n >= 1 && n <= state.offered_size()) {
    return state.offered(n - 1);
  }
  return std::string(text);
}

}  // namespace

// A bare answer to a question not asked yet ("grande" while the bot asks
// about the area, "5 anni" while it asks about leading people): when the
// message says nothing to the question asked, the answers of the other
// questions still open (not known, not skipped, asked for this person) are
// tried. One, and only one, must take it, from its first word, and not by a
// last-resort reading (Pattern.last_resort).
Interpretation Engine::AnswerToAnotherQuestion(const NormalizedText& normalized,
                                               absl::string_view text,
                                               const std::string& awaiting,
                                               const DialogState& state,
                                               int current_year,
                                               Interpretation nothing) const {
  // A question is no answer ("l'IT è davvero back office?").
  for (const Clause& c : nothing.clauses) {
    if (c.asks) return nothing;
  }
  std::optional<Interpretation> taken;
  int takers = 0;
  for (const std::string& name : VoiceFor(state).policy.MissingSlots(state)) {
    const CompiledSlot* s = kb_->FindSlot(name);
    // "sì" and "no" answer only the question asked.
    if (name == awaiting || s == nullptr || s->field == nullptr ||
        s->field->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
      continue;
    }
    Interpretation in =
        understanding_.Understand(normalized, text, name, current_year);
    // The message opens with the answer, in words ("grande, conosco solo
    // quelle"); a number alone is none ("5", "5 persone": years? people?).
    const bool opens =
        std::any_of(in.applied.begin(), in.applied.end(), [&](const Match* m) {
          const absl::string_view said =
              absl::string_view(normalized.text)
                  .substr(m->begin, m->end - m->begin);
          return m->begin == 0 && !m->def().context().empty() &&
                 std::any_of(said.begin(), said.end(), absl::ascii_isalpha);
        });
    // A reading of whatever was written answers only the question asked.
    if (!opens || ByLastResort(in) || !in.facts.count(name)) continue;
    if (++takers > 1) {  // which question? Then no last-resort reading either.
      return ByLastResort(nothing)
                 ? understanding_.Understand(normalized, text, "", current_year)
                 : std::move(nothing);
    }
    taken.emplace(std::move(in));
  }
  return taken ? std::move(*taken) : std::move(nothing);
}

dirigo::v1::BotTurn Engine::Start(DialogState* state) const {
  dirigo::v1::BotTurn turn;
  const Voice& voice = VoiceFor(*state);
  voice.replies.Render(voice.policy.Start(state), state, &turn);
  KeepOffered(turn, state);
  return turn;
}

dirigo::v1::BotTurn Engine::Welcome(DialogState* state) const {
  dirigo::v1::BotTurn turn;
  const Voice& voice = VoiceFor(*state);
  voice.replies.Render(voice.policy.Welcome(state), state, &turn);
  KeepOffered(turn, state);
  return turn;
}

absl::StatusOr<EngineReply> Engine::Respond(absl::string_view typed,
                                            DialogState* state,
                                            int current_year) const {
  RETURN_IF_ERROR(CheckMessage(typed));
  const std::string clean = StripControlCharacters(typed);
  if (absl::StripAsciiWhitespace(clean).empty()) {
    // No words at all: said so, and the question again.
    EngineReply reply;
    const Voice& voice = VoiceFor(*state);
    voice.replies.Render(voice.policy.Blank(state), state, &reply.turn);
    KeepOffered(reply.turn, state);
    return reply;
  }
  typed = clean;
  // A number typed back picks one of the quick replies offered.
  const std::string chosen = Chosen(typed, *state);
  const absl::string_view text = chosen;
  ASSIGN_OR_RETURN(NormalizedText normalized, kb_->NormalizeMessage(text));
  state->set_turn_count(state->turn_count() + 1);
  const std::string awaiting = state->awaiting_slot();
  Interpretation in =
      understanding_.Understand(normalized, text, awaiting, current_year);
  if (!awaiting.empty() && (!SaysAnything(in) || ByLastResort(in))) {
    in = AnswerToAnotherQuestion(normalized, text, awaiting, *state,
                                 current_year, std::move(in));
  }
  // Starting over forgets first, and reads the message again with no
  // question pending: its facts are the first ones of the new start
  // ("ricominciamo da capo: ho la laurea triennale").
  if (Policy::StartsOver(in)) {
    Policy::StartAfresh(/*erase=*/false, state);
    in = understanding_.Understand(normalized, text, "", current_year);
  }
  EngineReply reply;
  dirigo::v1::Trace* trace = reply.turn.mutable_trace();
  TraceUnderstanding(normalized, in, trace);
  TraceClauses(*kb_, normalized, text, in, trace);
  Changes changes = tracker_.Apply(in, state, trace);
  // The bot answers in the register the person writes in.
  switch (kb_->RegisterOf(normalized.text, text)) {
    case KnowledgeBase::Register::kFormal:
      state->set_formal(true);
      break;
    case KnowledgeBase::Register::kInformal:
      state->set_formal(false);
      break;
    case KnowledgeBase::Register::kUnmarked:
      break;
  }
  const Voice& voice = VoiceFor(*state);
  Decision decision =
      voice.policy.Decide(in, normalized, changes, awaiting, state);
  if (decision.erase) ForgetWords(trace);
  voice.replies.Render(decision, state, &reply.turn);
  KeepOffered(reply.turn, state);
  reply.erase = decision.erase;
  return reply;
}

std::vector<dirigo::v1::AdviceItem> Engine::Advise(
    const dirigo::v1::Profile& profile) const {
  return informal_.planner.Plan(profile);
}

std::vector<std::string> Engine::MissingSlots(const DialogState& state) const {
  return informal_.policy.MissingSlots(state);
}

std::string Engine::PendingQuestion(const DialogState& state) const {
  const CompiledSlot* slot = kb_->FindSlot(state.awaiting_slot());
  if (slot == nullptr) return "";
  return VoiceFor(state).replies.Question(*slot, state);
}

}  // namespace dirigo
