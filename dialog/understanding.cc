#include "dialog/understanding.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "dialog/ranking.h"

namespace dirigo {
namespace {

namespace kbv1 = ::dirigo::kb::v1;

// Lets the matches compete; marks and returns the winners, in reading order.
// Last-resort rules (Pattern.last_resort) take part only when asked to.
std::vector<const Match*> PickWinners(std::vector<Match>& matches,
                                      bool last_resort) {
  std::vector<Match*> order;
  order.reserve(matches.size());
  for (Match& m : matches) {
    m.applied = false;
    if (last_resort || !m.def().last_resort()) order.push_back(&m);
  }
  std::sort(order.begin(), order.end(),
            [](const Match* a, const Match* b) { return Outranks(*a, *b); });
  std::vector<const Match*> winners;
  for (Match* m : order) {
    bool lost = std::any_of(winners.begin(), winners.end(),
                            [&](const Match* w) { return Compete(*m, *w); });
    if (lost) continue;
    m->applied = true;
    winners.push_back(m);
  }
  std::sort(winners.begin(), winners.end(),
            [](const Match* a, const Match* b) { return ReadsBefore(*a, *b); });
  return winners;
}

// The number of a named capture of `m`, if it has one.
std::optional<double> CapturedNumber(const Match& m, const std::string& name) {
  auto c = m.captures.find(name);
  if (c == m.captures.end()) return std::nullopt;
  return std::strtod(c->second.normalized.c_str(), nullptr);
}

// The number an assignment takes from its capture, as a value; nullopt when
// it is missing or is no number of years.
std::optional<std::string> NumberFrom(const Match& m, const kbv1::Assignment& a,
                                      int current_year) {
  std::optional<double> v = CapturedNumber(m, a.capture());
  if (!v) return std::nullopt;
  if (a.since_year()) {
    if (current_year <= 0 || *v > current_year) return std::nullopt;
    *v = current_year - *v;
  }
  if (!a.multiply_capture().empty()) {
    std::optional<double> times = CapturedNumber(m, a.multiply_capture());
    if (!times) return std::nullopt;
    *v *= *times;
  }
  if (!a.subtract_capture().empty()) {
    std::optional<double> minus = CapturedNumber(m, a.subtract_capture());
    if (!minus) return std::nullopt;
    *v -= *minus;
  }
  if (a.divisor() > 0) *v /= a.divisor();
  // "quasi 3 anni": 2 whole years; "quasi 2 anni e mezzo": 2.
  const bool almost = !a.since_year() && a.subtract_capture().empty() &&
                      m.captures.at(a.capture()).after_almost;
  *v = (almost ? std::ceil(*v) - 1 : std::floor(*v)) + a.offset();
  // No career; a change of the known whole may be below zero.
  if ((*v < 0 && !a.change()) || std::abs(*v) > kMaxYearsExperience) {
    return std::nullopt;
  }
  return absl::StrCat(static_cast<int>(*v));
}

// The fact one assignment of a winning match says; nullopt when it says none.
std::optional<Fact> FactFrom(const Match& m, int index, int current_year) {
  const kbv1::Assignment& a = m.def().set(index);
  const FieldDescriptor* field = m.rule->fields[index];
  if (field == nullptr) return std::nullopt;
  Fact fact;
  fact.value = a.value();
  fact.priority = m.rule->priority;
  fact.rule = m.rule;
  fact.total = a.total();
  fact.ongoing = a.ongoing();
  fact.remove = a.remove();
  fact.past = a.past();
  fact.fill_only = a.fill_only();
  fact.same_job = a.same_job();
  fact.gap = a.gap();
  fact.untimed = a.untimed();
  fact.change = a.change();
  fact.begin = m.begin;
  fact.end = m.end;
  fact.clause = m.clause;
  if (fact.untimed) return fact;
  if (!a.text_capture().empty()) {
    auto c = m.captures.find(a.text_capture());
    if (c != m.captures.end()) fact.words = c->second.display;
  }
  if (!a.words().empty()) fact.words = a.words();
  if (!a.capture().empty()) {
    std::optional<std::string> n = NumberFrom(m, a, current_year);
    if (!n) return std::nullopt;
    fact.value = *n;
  }
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING && !fact.remove) {
    fact.value = fact.words;
    if (fact.value.empty()) return std::nullopt;
  }
  return fact;
}

// Whether a clause's words start with one of `starts`, maybe after one
// lead-in word.
bool StartsWith(absl::string_view clause,
                const std::vector<std::string>& starts,
                const std::set<std::string>& lead_ins) {
  auto starts_here = [&](absl::string_view text) {
    for (const std::string& s : starts) {
      if (absl::StartsWith(text, s) &&
          (text.size() == s.size() || text[s.size()] == ' ')) {
        return true;
      }
    }
    return false;
  };
  if (starts_here(clause)) return true;
  size_t space = clause.find(' ');
  return space != absl::string_view::npos &&
         lead_ins.count(std::string(clause.substr(0, space))) &&
         starts_here(clause.substr(space + 1));
}

// Whether a clause's words end with one of `ends` ("… o no").
bool EndsWith(absl::string_view clause, const std::vector<std::string>& ends) {
  for (const std::string& e : ends) {
    if (absl::EndsWith(clause, e) &&
        (clause.size() == e.size() ||
         clause[clause.size() - e.size() - 1] == ' ')) {
      return true;
    }
  }
  return false;
}

// Whether a clause offers alternatives ("master o magistrale"): one of the
// single-word `alternatives` between two other words.
bool HasAlternative(absl::string_view clause,
                    const std::vector<std::string>& alternatives) {
  for (const std::string& a : alternatives) {
    if (a.find(' ') != std::string::npos) continue;
    const std::string inner = absl::StrCat(" ", a, " ");
    const size_t at = clause.find(inner);
    if (at != absl::string_view::npos && at > 0 &&
        at + inner.size() < clause.size()) {
      return true;
    }
  }
  return false;
}

// The clauses of the message, and what each does.
std::vector<Clause> ReadClauses(const NormalizedText& n,
                                const ClauseCues& cues) {
  std::vector<Clause> out;
  for (const auto& c : n.clauses) {
    absl::string_view words =
        absl::string_view(n.text).substr(c.begin, c.end - c.begin);
    Clause clause;
    clause.begin = c.begin;
    clause.end = c.end;
    // "…in Comune, dove lavoro da 30 anni": a relative clause, no question.
    const bool relative = c.after_comma && !c.question &&
                          StartsWith(words, cues.relative_starts, {});
    clause.asks =
        c.question ||
        (!relative && StartsWith(words, cues.question_starts, cues.lead_ins)) ||
        (EndsWith(words, cues.question_ends) &&
         !EndsWith(words, cues.hedge_ends));
    clause.supposes = StartsWith(words, cues.hypothesis_starts, cues.lead_ins);
    clause.past = StartsWith(words, cues.past_starts, cues.lead_ins);
    out.push_back(std::move(clause));
  }
  // A question goes on past a comma: "un master in HR, o basta la
  // magistrale?" (the part before an alternative), "quali ruoli ci sono?
  // cioè io in ufficio che potrei fare" (a part that explains it).
  auto starts = [&](size_t i, const std::vector<std::string>& firsts) {
    absl::string_view words = absl::string_view(n.text).substr(
        out[i].begin, out[i].end - out[i].begin);
    return StartsWith(words, firsts, {});
  };
  for (size_t i = out.size(); i-- > 1;) {
    if (out[i].asks && starts(i, cues.alternative_starts))
      out[i - 1].asks = true;
    // "master o magistrale, quale conviene?": the alternatives a question
    // then weighs ("quale", "meglio") are part of it; "da 5 o 6 anni, cosa
    // mi consigli?" is not weighed.
    if (out[i].asks && n.clauses[i].after_comma &&
        starts(i, cues.choice_starts) &&
        HasAlternative(absl::string_view(n.text).substr(
                           out[i - 1].begin, out[i - 1].end - out[i - 1].begin),
                       cues.alternative_starts)) {
      out[i - 1].asks = true;
    }
    // "…corsi più brevi, tipo un master, che potrei fare la sera?": an
    // example given inside a question is part of it.
    if (out[i].asks && n.clauses[i].after_comma &&
        starts(i - 1, cues.continuation_starts)) {
      out[i - 1].asks = true;
    }
  }
  for (size_t i = 1; i < out.size(); ++i) {
    if (out[i - 1].asks && starts(i, cues.continuation_starts)) {
      out[i].asks = true;
    }
  }
  return out;
}

// Questions and suppositions state no fact ("conviene fare un mba?", "se
// lavorassi in banca…"), unless the rule answers the question the bot asked
// ("5?").
// A rule at a clause's start whose lead-in began in the clause before
// ("allora. segretaria in uno studio potrebbe andare?") is judged by every
// clause it covers.
bool StatesFacts(const Interpretation& in, const Match& m) {
  if (m.clause < 0 || !m.def().context().empty()) return true;
  for (size_t i = m.clause; i < in.clauses.size(); ++i) {
    const Clause& c = in.clauses[i];
    if (i != static_cast<size_t>(m.clause) &&
        (c.begin >= m.end || !m.def().at_clause_start())) {
      break;
    }
    if (c.supposes) return false;
    if (c.asks && !m.def().aim_in_question()) return false;
  }
  return true;
}

void CollectFacts(int current_year, Interpretation* in) {
  for (const Match* m : in->applied) {
    if (!StatesFacts(*in, *m)) continue;
    for (int i = 0; i < m->def().set_size(); ++i) {
      std::optional<Fact> fact = FactFrom(*m, i, current_year);
      if (!fact) continue;
      if (m->clause >= 0 && in->clauses[m->clause].past) fact->past = true;
      const std::string& slot = m->def().set(i).slot();
      if (!in->facts.count(slot)) in->slot_order.push_back(slot);
      in->facts[slot].push_back(std::move(*fact));
    }
  }
}

// "sono in tessitura da 9 anni": a part of a slot that adds up running up to
// now, in a message that tells a kind of work too, tells its job_now fact
// (Slot.ongoing_job_now_with); "ho il diploma da 5 anni" tells none. Only for
// a slot still unknown (fill_only): the tracker drops it otherwise.
void TellJobNowFromOngoing(const KnowledgeBase& kb, Interpretation* in) {
  for (const CompiledSlot& slot : kb.slots()) {
    const kbv1::Slot& def = *slot.def;
    if (def.ongoing_job_now_with().empty() || def.job_now().any_of().empty() ||
        in->facts.count(def.job_now().slot())) {
      continue;
    }
    auto parts = in->facts.find(def.name());
    auto kinds = in->facts.find(def.ongoing_job_now_with());
    if (parts == in->facts.end() || kinds == in->facts.end() ||
        absl::c_none_of(kinds->second,
                        [](const Fact& k) { return !k.remove && !k.past; })) {
      continue;
    }
    auto part = absl::c_find_if(parts->second, [](const Fact& f) {
      return f.ongoing && !f.remove && !f.past;
    });
    if (part == parts->second.end()) continue;
    Fact now = *part;
    now.value = def.job_now().any_of(0);
    now.words.clear();
    now.ongoing = false;
    now.total = false;
    now.priority = 0;
    now.fill_only = true;
    in->slot_order.push_back(def.job_now().slot());
    in->facts[def.job_now().slot()].push_back(std::move(now));
  }
}

// Whether the text at `at` starts with a word of `words`, as whole words.
bool WordAt(absl::string_view text, size_t at,
            const std::vector<std::string>& words) {
  if (at > text.size()) return false;
  absl::string_view rest = text.substr(at);
  return std::any_of(words.begin(), words.end(), [&](const std::string& w) {
    return absl::StartsWith(rest, w) &&
           (rest.size() == w.size() || rest[w.size()] == ' ');
  });
}

// Past one word of Language.lead_in at `at` ("e poi"), if there is one.
size_t AfterLeadIn(absl::string_view text, size_t at,
                   const std::set<std::string>& lead_ins) {
  const size_t space = text.find(' ', at);
  if (space == absl::string_view::npos) return at;
  return lead_ins.count(std::string(text.substr(at, space - at))) > 0
             ? space + 1
             : at;
}

// Where the part an untimed fact tells ends: at the first word of
// Language.next_part after it in its clause ("facevo la cassiera alla coop
// e poi 3 anni in posta"), or at the clause's end.
size_t PartEnd(const NormalizedText& n, const ClauseCues& cues,
               const Interpretation& in, const Fact& f) {
  if (f.clause < 0) return f.end;
  const size_t end = in.clauses[f.clause].end;
  for (size_t at = f.end; at < end; ++at) {
    if (n.text[at] == ' ' && WordAt(n.text, at + 1, cues.next_parts)) {
      return at + 1;
    }
  }
  return end;
}

// Whether a match, not an untimed one, tells a number of `slot`; with
// `ended`, one of a part that ended, not one that runs up to now ("da 6
// anni").
bool TellsNumber(const Match& m, const std::string& slot, bool ended) {
  return std::any_of(m.def().set().begin(), m.def().set().end(),
                     [&](const kbv1::Assignment& a) {
                       return a.slot() == slot && !a.untimed() && !a.remove() &&
                              (!a.capture().empty() || !a.value().empty()) &&
                              !(ended && a.ongoing());
                     });
}

// Whether the time of an untimed part is told after all: a number of its
// slot in its part ("per 2 anni ho fatto la commessa"), or at the start of
// the next clause ("facevo la segretaria in uno studio, 4 anni"); or it is
// the first step of a career whose years were told before it ("lavoro al
// porto da 20 anni, prima gruista e adesso coordino").
bool PartTimed(const NormalizedText& n, const ClauseCues& cues,
               const Interpretation& in, const std::string& slot, const Fact& u,
               const std::vector<Fact>& facts) {
  const size_t begin = u.clause < 0 ? u.begin : in.clauses[u.clause].begin;
  const size_t end = PartEnd(n, cues, in, u);
  const Clause* next =
      u.clause >= 0 && static_cast<size_t>(u.clause) + 1 < in.clauses.size()
          ? &in.clauses[u.clause + 1]
          : nullptr;
  // "poi 4 anni alla reception" begins the next part.
  if (next != nullptr) {
    if (WordAt(n.text, AfterLeadIn(n.text, next->begin, cues.lead_ins),
               cues.next_parts)) {
      next = nullptr;
    }
  }
  for (const Match& m : in.matches) {
    if (!TellsNumber(m, slot, /*ended=*/false)) continue;
    // A number of the part: a match within it, or one that won and starts
    // in it ("operaio, da 6" lost, and reaches past the part).
    if (m.begin >= begin && m.begin < end && (m.end <= end || m.applied)) {
      return true;
    }
    // At the next clause's start ("4 anni", "per 8 anni").
    if (next != nullptr && end == in.clauses[u.clause].end &&
        TellsNumber(m, slot, /*ended=*/true) && m.begin == next->begin) {
      return true;
    }
  }
  size_t after = u.end;
  while (after < n.text.size() && n.text[after] == ' ') ++after;
  return WordAt(n.text, AfterLeadIn(n.text, after, cues.lead_ins),
                cues.next_parts) &&
         std::any_of(facts.begin(), facts.end(),
                     [&u](const Fact& f) { return f.begin < u.begin; });
}

// Parts without their time (Assignment.untimed) set nothing; one whose
// time is not told leaves the whole untold (Interpretation.whole_untold).
void FindUntoldWholes(const NormalizedText& n, const ClauseCues& cues,
                      Interpretation* in) {
  for (auto it = in->facts.begin(); it != in->facts.end();) {
    std::vector<Fact>& facts = it->second;
    std::vector<Fact> untimed;
    for (const Fact& f : facts) {
      if (f.untimed) untimed.push_back(f);
    }
    if (untimed.empty()) {
      ++it;
      continue;
    }
    facts.erase(std::remove_if(facts.begin(), facts.end(),
                               [](const Fact& f) { return f.untimed; }),
                facts.end());
    for (const Fact& u : untimed) {
      if (!PartTimed(n, cues, *in, it->first, u, facts)) {
        in->whole_untold.insert(it->first);
      }
    }
    if (!facts.empty()) {
      ++it;
      continue;
    }
    in->slot_order.erase(
        std::remove(in->slot_order.begin(), in->slot_order.end(), it->first),
        in->slot_order.end());
    it = in->facts.erase(it);
  }
}

// Whether a match says a fact the person tells, not only one inferred from
// other words (the stage).
bool TellsAFact(const KnowledgeBase& kb, const Match& m) {
  for (const auto& a : m.def().set()) {
    if (a.untimed()) continue;  // a part without its time tells no value
    const CompiledSlot* slot = kb.FindSlot(a.slot());
    if (slot == nullptr || slot->def->origin() != kb::v1::Slot::INFERRED) {
      return true;
    }
  }
  return false;
}

// Whether the message says anything without last-resort rules
// (Pattern.last_resort): a fact told (not one only inferred, such as the
// stage), an intent beyond small talk, or a question or a supposition.
bool UnderstoodAnything(const KnowledgeBase& kb, const Interpretation& in) {
  auto understood = [&](const Match* m) {
    return TellsAFact(kb, *m) || (!m->def().intent().empty() &&
                                  m->def().band() != kbv1::Pattern::WEAK);
  };
  return std::any_of(in.applied.begin(), in.applied.end(), understood) ||
         std::any_of(in.clauses.begin(), in.clauses.end(),
                     [](const Clause& c) { return c.asks || c.supposes; });
}

// Only the first last-resort reading of a slot counts: "capo di prima
// classe della marina, imbarcato" is one job.
void KeepFirstLastResorts(Interpretation* in) {
  std::set<std::string> read;
  for (Match& m : in->matches) {  // in reading order
    if (!m.applied || !m.def().last_resort()) continue;
    bool again = false;
    for (const auto& a : m.def().set()) {
      if (!read.insert(a.slot()).second) again = true;
    }
    if (again) m.applied = false;
  }
  in->applied.erase(std::remove_if(in->applied.begin(), in->applied.end(),
                                   [](const Match* m) { return !m->applied; }),
                    in->applied.end());
}

// Negations replace what was known; "anzi" or "in realtà" (corrects_next)
// corrects the first fact said after it, not every fact of the message.
void FindCorrections(const KnowledgeBase& kb, Interpretation* in) {
  for (const Match* m : in->applied) {
    if (!m->def().replaces()) continue;
    for (const auto& a : m->def().set()) in->corrected.insert(a.slot());
  }
  for (const Match* c : in->applied) {
    if (!c->def().corrects_next()) continue;
    for (const Match* m : in->applied) {
      if (m->begin < c->end || !TellsAFact(kb, *m)) continue;
      for (const auto& a : m->def().set()) in->corrected.insert(a.slot());
      break;
    }
  }
}

// Where a match in `sub` over `text` ends as the rule's own: words said
// beside them (Pattern.tail) are not its, so the match ends where the first
// of those groups that matched begins (spaces before it left out), and facts
// told there compete on their own. An empty group, or one at the match's
// start, changes nothing.
size_t OwnEnd(const CompiledPattern& rule, const std::string& text,
              const re2::StringPiece* sub, int groups) {
  const size_t begin = sub[0].data() - text.data();
  size_t end = begin + sub[0].size();
  for (int g = 1; g < groups && !rule.def->tail().empty(); ++g) {
    if (sub[g].data() == nullptr || sub[g].empty() ||
        !absl::c_linear_search(rule.def->tail(), rule.group_names[g])) {
      continue;
    }
    size_t b = sub[g].data() - text.data();
    while (b > begin && text[b - 1] == ' ') --b;
    if (b > begin && b < end) end = b;
  }
  return end;
}

}  // namespace

size_t Understanding::RecordMatch(const CompiledPattern& rule,
                                  const NormalizedText& n,
                                  absl::string_view original,
                                  const re2::StringPiece* sub, int groups,
                                  std::vector<Match>* out) const {
  const std::string& text = n.text;
  Match m;
  m.rule = &rule;
  m.begin = sub[0].data() - text.data();
  m.end = m.begin + sub[0].size();
  m.original = n.OriginalSpan(original, m.begin, m.end);
  m.clause = n.ClauseAt(m.begin);
  // "1.5 anni": a match or a capture that starts after the point takes
  // "5" for a number (a word boundary holds between "." and "5").
  auto inside_a_number = [&](size_t b) {
    return b >= 2 && b < text.size() && text[b - 1] == '.' &&
           absl::ascii_isdigit(text[b - 2]) && absl::ascii_isdigit(text[b]);
  };
  bool cuts_a_number = inside_a_number(m.begin);
  // "quasi 3 anni": a number right after a word of Language.almost (only
  // numbers are looked at: words are read as digits by then).
  auto after_almost = [&](size_t b) {
    if (b >= text.size() || !absl::ascii_isdigit(text[b])) return false;
    absl::string_view before = absl::string_view(text).substr(0, b);
    return std::any_of(kb_.almost().begin(), kb_.almost().end(),
                       [&](const std::string& w) {
                         return absl::EndsWith(before, w) &&
                                (before.size() == w.size() ||
                                 before[before.size() - w.size() - 1] == ' ');
                       });
  };
  for (int g = 1; g < groups; ++g) {
    if (rule.group_names[g].empty() || sub[g].data() == nullptr) continue;
    size_t b = sub[g].data() - text.data();
    if (inside_a_number(b)) cuts_a_number = true;
    m.captures[rule.group_names[g]] = {
        std::string(sub[g].data(), sub[g].size()),
        n.DisplaySpan(original, b, b + sub[g].size()), after_almost(b)};
  }
  const size_t own_end = OwnEnd(rule, text, sub, groups);
  if (own_end != m.end) {
    m.end = own_end;
    m.original = n.OriginalSpan(original, m.begin, m.end);
  }
  const size_t end = m.end;
  if (!cuts_a_number) out->push_back(std::move(m));
  return end;
}

void Understanding::AddMatches(const CompiledPattern& rule,
                               const NormalizedText& n,
                               absl::string_view original,
                               std::vector<Match>* out) const {
  const std::string& text = n.text;
  const int groups = rule.re->NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> sub(groups);
  auto record = [&]() {
    return RecordMatch(rule, n, original, sub.data(), groups, out);
  };
  // A rule within one clause keeps only what matches inside the clause where
  // it starts ("mio padre x 8 anni. sempre solo": what someone else did stops
  // at the point).
  auto keep_within_clause = [&]() {
    return KeepWithinClause(rule, n, sub.data(), groups);
  };
  const size_t first = out->size();
  if (rule.def->at_clause_start()) {
    // Tried at each clause's start, anchored there; a match from one clause
    // may reach into the next, and then competes with the next one's.
    for (const NormalizedText::Clause& c : n.clauses) {
      if (rule.re->Match(text, c.begin, text.size(), RE2::ANCHOR_START,
                         sub.data(), groups) &&
          keep_within_clause()) {
        (void)record();
      }
    }
  } else {
    size_t pos = 0;
    while (pos <= text.size() &&
           rule.re->Match(text, pos, text.size(), RE2::UNANCHORED, sub.data(),
                          groups)) {
      // The next search starts after this match; an empty one moves a byte
      // on.
      const size_t begin = sub[0].data() - text.data();
      const size_t end = keep_within_clause() ? record() : begin;
      pos = end > pos ? end : pos + 1;
    }
  }
  if (!(rule.def->each_question() || rule.def->each_clause()) ||
      n.clauses.size() < 2) {
    return;
  }
  // Each question (or each clause) alone, as a text of its own: "^" and "$"
  // hold at its ends ("perché il 4? nun ho capito"). A span the whole
  // message gave already is not recorded twice.
  const RE2::Anchor anchor =
      rule.def->at_clause_start() ? RE2::ANCHOR_START : RE2::UNANCHORED;
  for (const NormalizedText::Clause& c : n.clauses) {
    if (!c.question && !rule.def->each_clause()) continue;
    const re2::StringPiece clause = ClauseText(n, c);
    size_t pos = 0;
    while (pos <= clause.size() && rule.re->Match(clause, pos, clause.size(),
                                                  anchor, sub.data(), groups)) {
      const size_t begin = sub[0].data() - text.data();
      const size_t end = OwnEnd(rule, text, sub.data(), groups);
      const bool known = std::any_of(
          out->begin() + static_cast<std::ptrdiff_t>(first), out->end(),
          [&](const Match& m) { return m.begin == begin && m.end == end; });
      if (!known) (void)record();
      const size_t next = end - c.begin;
      pos = next > pos ? next : pos + 1;
      if (anchor == RE2::ANCHOR_START) break;
    }
  }
}

std::vector<Match> Understanding::FindMatches(
    const NormalizedText& n, absl::string_view original,
    const std::string& awaiting) const {
  std::vector<Match> out;
  for (int index : kb_.Candidates(n)) {
    const CompiledPattern& rule = kb_.pattern(index);
    if (!rule.def->context().empty() &&
        !absl::c_linear_search(rule.def->context(), awaiting)) {
      continue;
    }
    AddMatches(rule, n, original, &out);
  }
  std::sort(out.begin(), out.end(), ReadsBefore);
  return out;
}

Interpretation Understanding::Understand(const NormalizedText& normalized,
                                         absl::string_view original,
                                         const std::string& awaiting,
                                         int current_year) const {
  Interpretation in;
  in.clauses = ReadClauses(normalized, kb_.clause_cues());
  in.matches = FindMatches(normalized, original, awaiting);
  // A fact read from a clause alone (Pattern.each_clause) is no fact where
  // that clause asks ("no, nessuno. e l'IT?"): out of the contest, so it
  // neither wins over other readings nor answers the open question.
  in.matches.erase(std::remove_if(in.matches.begin(), in.matches.end(),
                                  [&](const Match& m) {
                                    return m.def().each_clause() &&
                                           m.def().set_size() > 0 &&
                                           m.clause >= 0 &&
                                           in.clauses[m.clause].asks;
                                  }),
                   in.matches.end());
  in.applied = PickWinners(in.matches, /*last_resort=*/false);
  const bool any_last_resort =
      std::any_of(in.matches.begin(), in.matches.end(),
                  [](const Match& m) { return m.def().last_resort(); });
  if (any_last_resort && !UnderstoodAnything(kb_, in)) {
    in.applied = PickWinners(in.matches, /*last_resort=*/true);
    KeepFirstLastResorts(&in);
  }
  for (const Match* m : in.applied) {
    if (!m->def().intent().empty()) in.intents.insert(m->def().intent());
    if (m->clause < 0) continue;
    Clause& c = in.clauses[m->clause];
    if (!m->def().intent().empty()) c.intents.push_back(m->def().intent());
    if (!m->def().context().empty()) c.answers = true;
  }
  CollectFacts(current_year, &in);
  FindUntoldWholes(normalized, kb_.clause_cues(), &in);
  for (const Match* m : in.applied) {
    const std::string& group = m->def().take_back();
    if (group.empty() || !StatesFacts(in, *m)) continue;
    auto capture = m->captures.find(group);
    if (capture != m->captures.end() && !capture->second.normalized.empty()) {
      in.taken_back.push_back(capture->second.normalized);
    }
  }
  FindCorrections(kb_, &in);
  TellJobNowFromOngoing(kb_, &in);
  return in;
}

}  // namespace dirigo
