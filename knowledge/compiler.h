// Compiles a knowledge base's rules: patterns into RE2 (with {concept}
// references expanded) and RE2::Sets over them, chat shorthands into a word
// map, and the words the rules spell out into the spelling vocabulary.
// Problems that only compiling reveals (a regex that does not compile, an
// example it does not match) are added to the load's Problems.
//
// A pass of each RE2::Set over a message finds the candidate patterns; only
// those run again for their captures, so matching stays linear in the
// message. The patterns are split into several sets so that the rules can
// grow: one set over all of them stops fitting any sane memory budget at a
// few hundred patterns that name lexicons of thousands of words.
//
// Thread-safe: the compiled results are immutable.
//
// Example:
//   Problems problems(where);
//   CompiledRules rules = CompileRules(kb, normalizer, {}, &problems);
//   RETURN_IF_ERROR(problems.ToStatus());
#ifndef DIRIGO_KNOWLEDGE_COMPILER_H_
#define DIRIGO_KNOWLEDGE_COMPILER_H_

#include <re2/re2.h>
#include <re2/set.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "dirigo/kb/v1/knowledge.pb.h"
#include "knowledge/problems.h"
#include "knowledge/profile_fields.h"
#include "text/normalizer.h"

namespace dirigo {

// A pattern ready to run.
struct CompiledPattern {
  const dirigo::kb::v1::Pattern* def = nullptr;
  std::unique_ptr<RE2> re;
  // Capture group names by index (1-based; [0] unused).
  std::vector<std::string> group_names;
  // The band and rank as one number; higher wins.
  int priority = 0;
  // The Profile field each of def->set() assigns, in order.
  std::vector<const FieldDescriptor*> fields;
};

// For a rule within one clause (Pattern.within_clause): whether the match in
// `sub` (`groups` entries, [0] the whole match) over `n.text` may stay. One
// that reaches over the end of the clause where it starts is matched again,
// from the same start, within that clause; `sub` then holds that match.
// The engine and the validator both match so.
bool KeepWithinClause(const CompiledPattern& cp, const NormalizedText& n,
                      re2::StringPiece* sub, int groups);

// One clause of `n` on its own, as a text of its own: a regex matched on it
// reads "^" and "$" as the clause's start and end (Pattern.each_question,
// Pattern.each_clause). Its characters are those of `n.text`, so a match's
// offset in `n.text` is its data() less n.text.data().
re2::StringPiece ClauseText(const NormalizedText& n,
                            const NormalizedText::Clause& c);

// Memory budgets of the compiled regexes.
struct CompilerOptions {
  // Of each RE2::Set (a budget, not an allocation: about 5 sets for 300
  // patterns, each with a program of a few MiB and a DFA cache that grows
  // only with the states messages need). RE2's default (8 MiB) thrashes
  // beyond about a hundred patterns.
  int64_t set_max_mem = 64 << 20;
  // Patterns per RE2::Set at most; a set that does not fit set_max_mem is
  // halved until it does. Smaller sets keep smaller DFAs whose states stay
  // cached over many different messages: at 400 patterns, 32 a set ran 20%
  // fewer instructions over the transcripts than 64, for the same time on
  // one repeated sentence (docs/PERFORMANCE.md).
  int patterns_per_set = 32;
  // Of each pattern's own RE2. A budget, not an allocation: the DFA's cache
  // grows only with the states a message needs. With lexicons a rule can name
  // thousands of words ({other_job}, {employer}); at 2 MiB its DFA ran out of
  // room and RE2 fell back to its NFA, 3× slower a turn (docs/PERFORMANCE.md).
  int64_t pattern_max_mem = 32 << 20;
};

// Patterns matched in one pass, and where each is in CompiledRules::patterns.
struct PatternSet {
  std::unique_ptr<RE2::Set> set;
  std::vector<int> patterns;
};

struct CompiledRules {
  // In the order of the knowledge base; PatternSet::patterns index them.
  std::vector<CompiledPattern> patterns;
  // The patterns in sets, for a pass each; empty until CompilePatternSets,
  // once there are no problems.
  std::vector<PatternSet> sets;
  // The patterns also tried on each question alone (Pattern.each_question),
  // in sets of their own, a pass over each question.
  std::vector<PatternSet> clause_sets;
  // The patterns also tried on every clause alone (Pattern.each_clause).
  std::vector<PatternSet> each_clause_sets;
  // Chat shorthands: folded word → folded word.
  std::map<std::string, std::string> rewrites;
  // The words the rules and quick replies spell out.
  std::set<std::string> vocabulary;
};

// Ranks within a band go from 0 to kRanksPerBand - 1, so that every rank of a
// band stays below the next band.
inline constexpr int kRanksPerBand = 10;

// The number a pattern's band and rank rank by: higher wins.
int PatternPriority(const dirigo::kb::v1::Pattern& pattern);

// Compiles every rule of `kb`; problems go to `problems`. On problems the
// result is incomplete and must not be used.
CompiledRules CompileRules(const dirigo::kb::v1::KnowledgeBase& kb,
                           const Normalizer& normalizer,
                           const CompilerOptions& options, Problems* problems);

// Joins `rules->patterns` into sets of at most options.patterns_per_set, each
// compiled within options.set_max_mem (a set that does not fit is halved),
// and those tried on each question alone into `clause_sets` (on every
// clause alone: `each_clause_sets`) the same way.
// Returns -1, or the index of a pattern that alone does not fit.
int CompilePatternSets(const CompilerOptions& options, CompiledRules* rules);

}  // namespace dirigo

#endif  // DIRIGO_KNOWLEDGE_COMPILER_H_
