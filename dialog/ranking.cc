#include "dialog/ranking.h"

#include <set>
#include <string>

namespace dirigo {
namespace {

// The slots a rule sets, and those it absorbs (claims without setting).
std::set<std::string> SlotsOf(const dirigo::kb::v1::Pattern& p) {
  std::set<std::string> s;
  for (const auto& a : p.set()) s.insert(a.slot());
  for (const auto& a : p.absorb()) s.insert(a);
  return s;
}

}  // namespace

bool Outranks(const Match& a, const Match& b) {
  if (a.rule->priority != b.rule->priority) {
    return a.rule->priority > b.rule->priority;
  }
  if (a.length() != b.length()) return a.length() > b.length();
  return ReadsBefore(a, b);
}

bool ReadsBefore(const Match& a, const Match& b) {
  if (a.begin != b.begin) return a.begin < b.begin;
  return a.def().id() < b.def().id();
}

bool Compete(const Match& a, const Match& b) {
  const bool overlap = a.begin < b.end && b.begin < a.end;
  if (!overlap) return false;
  std::set<std::string> sa = SlotsOf(a.def()), sb = SlotsOf(b.def());
  if (sa.empty() || sb.empty()) return true;
  for (const auto& x : sb) {
    if (sa.count(x)) return true;
  }
  return false;
}

}  // namespace dirigo
