#include "knowledge/compiler.h"

#include <algorithm>
#include <functional>
#include <optional>

#include "absl/algorithm/container.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"

namespace dirigo {
namespace {

namespace kbv1 = ::dirigo::kb::v1;

// Words shorter than this are left out of the spelling vocabulary.
constexpr size_t kMinVocabularyWord = 2;

// A concept's normalised terms: its own, its lexicons', and those of the
// concepts it includes (a cycle, refused by the validator, is cut here).
void CollectTerms(const std::string& id,
                  const std::map<std::string, const kbv1::Concept*>& concepts,
                  const std::map<std::string, std::set<std::string>>& own,
                  std::set<std::string>* visiting,
                  std::set<std::string>* terms) {
  if (!visiting->insert(id).second) return;
  if (auto it = own.find(id); it != own.end()) {
    terms->insert(it->second.begin(), it->second.end());
  }
  if (auto c = concepts.find(id); c != concepts.end()) {
    for (const std::string& inc : c->second->include()) {
      CollectTerms(inc, concepts, own, visiting, terms);
    }
  }
}

// Whether `w` is a word of plain letters a–z only.
bool IsPlainWord(absl::string_view w) {
  return !w.empty() && std::all_of(w.begin(), w.end(),
                                   [](char c) { return c >= 'a' && c <= 'z'; });
}

// One word of letters a–z that is none of `words`, as a regex: the
// complement of their trie (a word that leaves it, or ends where none of
// them does). The caller follows it with a space or \b.
struct TrieNode {
  std::map<char, TrieNode> kids;
  bool end = false;
};

std::string TrieComplement(const TrieNode& node, bool root) {
  std::vector<std::string> alts;
  if (!root && !node.end) alts.push_back("");
  std::string others;
  for (char c = 'a'; c <= 'z'; ++c) {
    if (!node.kids.count(c)) others += c;
  }
  if (!others.empty()) alts.push_back(absl::StrCat("[", others, "][a-z]*"));
  for (const auto& [c, kid] : node.kids) {
    alts.push_back(absl::StrCat(std::string(1, c), TrieComplement(kid, false)));
  }
  return absl::StrCat("(?:", absl::StrJoin(alts, "|"), ")");
}

std::string WordExcept(const std::set<std::string>& words) {
  TrieNode root;
  for (const std::string& w : words) {
    if (!IsPlainWord(w)) continue;
    TrieNode* n = &root;
    for (char c : w) n = &n->kids[c];
    n->end = true;
  }
  return TrieComplement(root, true);
}

// Each concept as an alternation of its normalised terms: id → "(?:c|a b)";
// and as "^id", one word that is none of its one-word terms ({^id} in a
// regex: "sono {^not_a_job_word}").
std::map<std::string, std::string> ConceptRegexes(
    const kbv1::KnowledgeBase& kb, const Normalizer& normalizer) {
  std::map<std::string, std::set<std::string>> own;
  std::map<std::string, const kbv1::Concept*> concepts;
  for (const kbv1::Concept& c : kb.concepts()) {
    concepts[c.id()] = &c;
    for (const std::string& t : c.term()) {
      own[c.id()].insert(normalizer.NormalizeTerm(t));
    }
  }
  for (const kbv1::Lexicon& lexicon : kb.lexicon()) {
    for (const kbv1::LexiconEntry& e : lexicon.entry()) {
      for (const std::string& concept_id : e.joins()) {
        for (const std::string& t : e.term()) {
          own[concept_id].insert(normalizer.NormalizeTerm(t));
        }
      }
    }
  }
  std::map<std::string, std::string> out;
  for (const kbv1::Concept& c : kb.concepts()) {
    std::set<std::string> unique, visiting;
    CollectTerms(c.id(), concepts, own, &visiting, &unique);
    unique.erase("");
    std::vector<std::string> terms(unique.begin(), unique.end());
    // Descending order: a term comes before every term that is a prefix of
    // it ("laurea triennale" before "laurea"), so the longer one is tried
    // first, as with a longest-first order; and terms that share a prefix
    // stay side by side, which lets RE2 factor them (a smaller automaton).
    std::sort(terms.begin(), terms.end(), std::greater<>());
    std::vector<std::string> quoted;
    quoted.reserve(terms.size());
    for (const auto& t : terms) quoted.push_back(RE2::QuoteMeta(t));
    out.emplace(c.id(), absl::StrCat("(?:", absl::StrJoin(quoted, "|"), ")"));
    // Only for the concepts a regex asks for so: a large one makes a long
    // regex.
    const std::string except = absl::StrCat("{^", c.id(), "}");
    if (absl::c_any_of(kb.pattern(), [&](const kbv1::Pattern& p) {
          return absl::StrContains(p.regex(), except);
        })) {
      out.emplace(absl::StrCat("^", c.id()), WordExcept(unique));
    }
  }
  return out;
}

bool IsRepeatCount(absl::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
    return (ch >= '0' && ch <= '9') || ch == ',';
  });
}

// The regex with every {concept} replaced by its alternation ({2,3} stays a
// repeat count). Nullopt, with the unknown name in `unknown`, when a concept
// does not exist.
std::optional<std::string> ExpandConcepts(
    const std::string& regex,
    const std::map<std::string, std::string>& concepts, std::string* unknown) {
  std::string expanded;
  for (size_t i = 0; i < regex.size(); ++i) {
    char c = regex[i];
    if (c != '{' || (i > 0 && regex[i - 1] == '\\')) {
      expanded += c;
      continue;
    }
    size_t close = regex.find('}', i);
    std::string name =
        close == std::string::npos ? "" : regex.substr(i + 1, close - i - 1);
    if (IsRepeatCount(name)) {
      expanded += regex.substr(i, close - i + 1);
    } else if (auto it = concepts.find(name); it != concepts.end()) {
      expanded += it->second;
    } else {
      *unknown = name;
      return std::nullopt;
    }
    i = close;
  }
  return expanded;
}

// Words a regex spells out literally, for the spelling vocabulary.
void AddRegexWords(absl::string_view regex, std::set<std::string>* words) {
  std::string cleaned;
  for (size_t i = 0; i < regex.size(); ++i) {
    char c = regex[i];
    if (c == '\\' && i + 1 < regex.size()) {  // \b, \d, \s…
      ++i;
      cleaned += ' ';
      continue;
    }
    if (c == '(' && i + 2 < regex.size() && regex[i + 1] == '?') {
      // Skip "(?:", "(?P<name>".
      size_t close = regex[i + 2] == 'P' ? regex.find('>', i) : i + 2;
      if (close == std::string::npos) close = i + 2;
      i = close;
      cleaned += ' ';
      continue;
    }
    if (c == '{') {  // {concept}
      size_t close = regex.find('}', i);
      if (close != std::string::npos) i = close;
      cleaned += ' ';
      continue;
    }
    cleaned += (c >= 'a' && c <= 'z') ? c : ' ';
  }
  for (absl::string_view w : absl::StrSplit(cleaned, ' ', absl::SkipEmpty())) {
    if (w.size() >= kMinVocabularyWord) words->insert(std::string(w));
  }
}

// The plain words of a text, normalised, for the spelling vocabulary.
void AddTextWords(const Normalizer& normalizer, absl::string_view text,
                  std::set<std::string>* words) {
  auto n = normalizer.Normalize(text);
  if (!n.ok()) return;
  for (absl::string_view w : absl::StrSplit(n->text, ' ', absl::SkipEmpty())) {
    if (w.size() >= kMinVocabularyWord && IsPlainWord(w)) {
      words->insert(std::string(w));
    }
  }
}

}  // namespace

bool KeepWithinClause(const CompiledPattern& cp, const NormalizedText& n,
                      re2::StringPiece* sub, int groups) {
  if (!cp.def->within_clause() || sub[0].empty()) return true;
  const size_t begin = sub[0].data() - n.text.data();
  const int clause = n.ClauseAt(begin);
  if (clause < 0 || n.ClauseAt(begin + sub[0].size() - 1) == clause) {
    return true;
  }
  return cp.re->Match(n.text, begin, n.clauses[clause].end, RE2::ANCHOR_START,
                      sub, groups);
}

re2::StringPiece ClauseText(const NormalizedText& n,
                            const NormalizedText::Clause& c) {
  return re2::StringPiece(n.text.data() + c.begin, c.end - c.begin);
}

namespace {

// Every capture group the rule names (its assignments', take_back, tail) is
// one of the regex's.
void CheckGroupNames(const CompiledPattern& cp, const std::string& entry,
                     Problems* problems) {
  const kbv1::Pattern& pat = *cp.def;
  std::set<std::string> groups(cp.group_names.begin(), cp.group_names.end());
  std::vector<std::string> named = {pat.take_back()};
  named.insert(named.end(), pat.tail().begin(), pat.tail().end());
  for (const kbv1::Assignment& a : pat.set()) {
    named.insert(named.end(), {a.capture(), a.text_capture(),
                               a.subtract_capture(), a.multiply_capture()});
  }
  for (const std::string& g : named) {
    if (!g.empty() && !groups.count(g)) {
      problems->Add(entry, absl::StrCat("no capture group '", g, "'"));
    }
  }
}

// Checks what only the compiled regex can tell: its groups, its examples.
void CheckCompiled(const CompiledPattern& cp, const Normalizer& normalizer,
                   const std::string& entry, Problems* problems) {
  const kbv1::Pattern& pat = *cp.def;
  CheckGroupNames(cp, entry, problems);
  // Matched as the engine matches (with its groups): this also builds, at
  // load rather than on a person's first message, the reverse program RE2
  // needs to find where a match starts.
  std::vector<re2::StringPiece> groups_found(cp.re->NumberOfCapturingGroups() +
                                             1);
  // Anywhere, or at a clause's start (Pattern.at_clause_start); within one
  // clause when the rule says so (Pattern.within_clause).
  auto matches = [&](const NormalizedText& n) {
    std::vector<size_t> starts = {0};
    RE2::Anchor anchor = RE2::UNANCHORED;
    if (pat.at_clause_start()) {
      starts.clear();
      for (const auto& c : n.clauses) starts.push_back(c.begin);
      anchor = RE2::ANCHOR_START;
    }
    const bool whole = absl::c_any_of(starts, [&](size_t at) {
      if (!cp.re->Match(n.text, at, n.text.size(), anchor, groups_found.data(),
                        static_cast<int>(groups_found.size()))) {
        return false;
      }
      return KeepWithinClause(cp, n, groups_found.data(),
                              static_cast<int>(groups_found.size()));
    });
    // On each question, or each clause, alone too (Pattern.each_question,
    // Pattern.each_clause).
    return whole ||
           ((pat.each_question() || pat.each_clause()) &&
            absl::c_any_of(n.clauses, [&](const NormalizedText::Clause& c) {
              return (c.question || pat.each_clause()) &&
                     cp.re->Match(ClauseText(n, c), 0, c.end - c.begin, anchor,
                                  groups_found.data(),
                                  static_cast<int>(groups_found.size()));
            }));
  };
  if (pat.last_resort() && pat.context().empty()) {
    problems->Add(entry,
                  "a last-resort rule reads an answer, so it needs a context");
  }
  if (pat.each_clause() && (!absl::StartsWith(pat.regex(), "^") ||
                            !absl::EndsWith(pat.regex(), "$"))) {
    problems->Add(entry,
                  "a rule tried on each clause alone reads the whole clause: "
                  "its regex must begin with '^' and end with '$'");
  }
  if (pat.at_clause_start() && absl::StartsWith(pat.regex(), "^")) {
    problems->Add(entry,
                  "a rule at a clause's start must not begin with '^', which "
                  "holds only at the message's start");
  }
  for (const std::string& ex : pat.example()) {
    auto n = normalizer.Normalize(ex);
    if (!n.ok() || !matches(*n)) {
      problems->Add(entry,
                    absl::StrCat("does not match its example \"", ex, "\""));
    }
  }
  for (const std::string& ex : pat.counterexample()) {
    auto n = normalizer.Normalize(ex);
    if (n.ok() && matches(*n)) {
      problems->Add(entry,
                    absl::StrCat("matches its counterexample \"", ex, "\""));
    }
  }
}

// Compiles one pattern whose concepts are expanded; nullopt on a problem.
std::optional<CompiledPattern> CompilePattern(const kbv1::Pattern& pat,
                                              const std::string& expanded,
                                              const Normalizer& normalizer,
                                              const CompilerOptions& options,
                                              Problems* problems) {
  const std::string entry = EntryKey("pattern", pat.id());
  RE2::Options opts;
  opts.set_max_mem(options.pattern_max_mem);
  opts.set_log_errors(false);
  CompiledPattern cp;
  cp.def = &pat;
  cp.priority = PatternPriority(pat);
  cp.re = std::make_unique<RE2>(expanded, opts);
  if (!cp.re->ok()) {
    problems->Add(entry,
                  absl::StrCat("regex does not compile: ", cp.re->error()));
    return std::nullopt;
  }
  if (RE2::FullMatch("", *cp.re)) {
    problems->Add(entry,
                  "the regex matches an empty message, so it would fire on "
                  "every message");
    return std::nullopt;
  }
  cp.group_names.assign(cp.re->NumberOfCapturingGroups() + 1, "");
  for (const auto& [name, index] : cp.re->NamedCapturingGroups()) {
    cp.group_names[index] = name;
  }
  for (const kbv1::Assignment& a : pat.set()) {
    cp.fields.push_back(FindProfileField(a.slot()));
  }
  CheckCompiled(cp, normalizer, entry, problems);
  return cp;
}

// Chat shorthands: one folded word to one folded word.
std::map<std::string, std::string> CompileRewrites(
    const kbv1::KnowledgeBase& kb, const Normalizer& normalizer,
    Problems* problems) {
  std::map<std::string, std::string> out;
  for (const kbv1::Rewrite& r : kb.rewrite()) {
    std::string from = normalizer.NormalizeTerm(r.from());
    std::string to = normalizer.NormalizeTerm(r.to());
    std::string entry = EntryKey("rewrite", r.from());
    if (from.empty() || to.empty() || from.find(' ') != std::string::npos ||
        to.find(' ') != std::string::npos) {
      problems->Add(entry, "a rewrite maps one word to one word");
      continue;
    }
    if (!out.emplace(from, to).second) problems->Add(entry, "repeated");
  }
  return out;
}

}  // namespace

int PatternPriority(const kbv1::Pattern& pattern) {
  return (pattern.band() - 1) * kRanksPerBand + pattern.rank();
}

CompiledRules CompileRules(const kbv1::KnowledgeBase& kb,
                           const Normalizer& normalizer,
                           const CompilerOptions& options, Problems* problems) {
  CompiledRules out;
  const std::map<std::string, std::string> concepts =
      ConceptRegexes(kb, normalizer);
  for (const kbv1::Pattern& pat : kb.pattern()) {
    const std::string entry = EntryKey("pattern", pat.id());
    std::string unknown;
    std::optional<std::string> expanded =
        ExpandConcepts(pat.regex(), concepts, &unknown);
    if (!expanded) {
      problems->Add(entry, absl::StrCat("unknown concept {", unknown, "}"));
      continue;
    }
    std::optional<CompiledPattern> cp =
        CompilePattern(pat, *expanded, normalizer, options, problems);
    if (!cp) continue;
    AddRegexWords(pat.regex(), &out.vocabulary);
    out.patterns.push_back(std::move(*cp));
  }
  out.rewrites = CompileRewrites(kb, normalizer, problems);
  for (const kbv1::Concept& c : kb.concepts()) {
    for (const auto& t : c.term()) AddTextWords(normalizer, t, &out.vocabulary);
  }
  for (const kbv1::Lexicon& lexicon : kb.lexicon()) {
    for (const kbv1::LexiconEntry& e : lexicon.entry()) {
      for (const auto& t : e.term())
        AddTextWords(normalizer, t, &out.vocabulary);
    }
  }
  for (const kbv1::Slot& s : kb.slot()) {
    for (const auto& q : s.quick_reply()) {
      AddTextWords(normalizer, q.text().empty() ? q.label() : q.text(),
                   &out.vocabulary);
    }
  }
  return out;
}

namespace {

// Compiles the patterns `indices` of `rules` into sets added to `out`,
// halving a list whose set does not fit the budget; returns -1 or the pattern
// that alone does not.
int CompileRange(const CompilerOptions& options, const CompiledRules& rules,
                 absl::Span<const int> indices, std::vector<PatternSet>* out) {
  RE2::Options set_options;
  set_options.set_max_mem(options.set_max_mem);
  set_options.set_log_errors(false);
  PatternSet ps;
  ps.set = std::make_unique<RE2::Set>(set_options, RE2::UNANCHORED);
  bool added = true;
  for (size_t i = 0; i < indices.size() && added; ++i) {
    // Each regex compiled on its own already (CompilePattern).
    added = ps.set->Add(rules.patterns[indices[i]].re->pattern(), nullptr) >= 0;
    ps.patterns.push_back(indices[i]);
  }
  if (added && ps.set->Compile()) {
    out->push_back(std::move(ps));
    return -1;
  }
  if (indices.size() == 1) return indices[0];
  const size_t middle = indices.size() / 2;
  const int failed =
      CompileRange(options, rules, indices.subspan(0, middle), out);
  return failed >= 0
             ? failed
             : CompileRange(options, rules, indices.subspan(middle), out);
}

// Compiles `indices` into sets of at most options.patterns_per_set.
int CompileSets(const CompilerOptions& options, const CompiledRules& rules,
                const std::vector<int>& indices, std::vector<PatternSet>* out) {
  const size_t per_set = std::max(1, options.patterns_per_set);
  const absl::Span<const int> all(indices);
  for (size_t begin = 0; begin < all.size(); begin += per_set) {
    const int failed =
        CompileRange(options, rules, all.subspan(begin, per_set), out);
    if (failed >= 0) return failed;
  }
  return -1;
}

}  // namespace

int CompilePatternSets(const CompilerOptions& options, CompiledRules* rules) {
  rules->sets.clear();
  rules->clause_sets.clear();
  rules->each_clause_sets.clear();
  std::vector<int> all, each_question, each_clause;
  for (int i = 0; i < static_cast<int>(rules->patterns.size()); ++i) {
    all.push_back(i);
    if (rules->patterns[i].def->each_question()) each_question.push_back(i);
    if (rules->patterns[i].def->each_clause()) each_clause.push_back(i);
  }
  int failed = CompileSets(options, *rules, all, &rules->sets);
  if (failed >= 0) return failed;
  failed = CompileSets(options, *rules, each_question, &rules->clause_sets);
  if (failed >= 0) return failed;
  return CompileSets(options, *rules, each_clause, &rules->each_clause_sets);
}

}  // namespace dirigo
