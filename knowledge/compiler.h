// Compiles a knowledge base's rules: patterns into RE2 (with {concept}
// references expanded) and one RE2::Set over all of them, chat shorthands
// into a word map, and the words the rules spell out into the spelling
// vocabulary. Problems that only compiling reveals (a regex that does not
// compile, an example it does not match) are added to the load's Problems.
//
// One RE2::Set pass over a message finds the candidate patterns; only those
// run again for their captures, so matching stays linear in the message.
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

// Memory budgets of the compiled regexes.
struct CompilerOptions {
  // Of the RE2::Set. RE2's default (8 MiB) thrashes beyond about a hundred
  // patterns; 64 MiB leaves room for a few hundred.
  int64_t set_max_mem = 64 << 20;
  // Of each pattern's own RE2. A budget, not an allocation: the DFA's cache
  // grows only with the states a message needs. With lexicons a rule can name
  // thousands of words ({other_job}, {employer}); at 2 MiB its DFA ran out of
  // room and RE2 fell back to its NFA, 3× slower a turn (docs/PERFORMANCE.md).
  int64_t pattern_max_mem = 32 << 20;
};

struct CompiledRules {
  // In the order of the knowledge base; indices match the set's.
  std::vector<CompiledPattern> patterns;
  // Every pattern, for one pass; still to be compiled (RE2::Set::Compile)
  // once there are no problems.
  std::unique_ptr<RE2::Set> set;
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

}  // namespace dirigo

#endif  // DIRIGO_KNOWLEDGE_COMPILER_H_
