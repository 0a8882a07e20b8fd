// dirigo-eval: how well Dirigo understands people who never saw its rules.
//
//   dirigo-eval --kb=knowledge/it [--show_failures] DIR|FILE...
//
// Reads evaluation cases (tests/eval/eval.proto, one JSON object per line),
// runs each in-process on a fresh conversation, and prints, for the split:
// the share of expected facts the bot got right (recall), the share of the
// facts it set that were right (precision), per field; the share of turns
// right whole (every expected fact, no wrong one, every question answered);
// and the questions answered, by kind.
//
// A turn's facts are checked on the profile after it; the facts it set are
// the trace's slot changes. --show_failures lists the turns not right whole,
// for the dev split only: nobody who writes rules may read the test split,
// only its figures. Exits 2 on a malformed case.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "dialog/engine.h"
#include "eval/eval.pb.h"
#include "google/protobuf/util/json_util.h"
#include "knowledge/profile_fields.h"
#include "text/unicode.h"

ABSL_FLAG(std::string, kb, "knowledge/it", "the knowledge base folder");
ABSL_FLAG(bool, show_failures, false,
          "list the turns not right whole (refused for the test split)");

namespace {

using dirigo::FieldDescriptor;
namespace evalv1 = ::dirigo::eval::v1;

// A fact: a Profile field and one value, as text ("educationLevel",
// "BACHELOR").
using Fact = std::pair<std::string, std::string>;

// The intent that answers each kind of request.
const std::map<evalv1::Ask, std::string>& AnsweringIntent() {
  static const auto* m = new std::map<evalv1::Ask, std::string>{
      {evalv1::WHY_ASKED, "why"},
      {evalv1::REQUEST_PROFILE, "command.profile"},
      {evalv1::REQUEST_PLAN, "command.advice"},
      {evalv1::REQUEST_RESTART, "command.restart"},
      {evalv1::REQUEST_ERASE, "command.erase"},
      {evalv1::REQUEST_HELP, "command.help"},
      {evalv1::EXPLAIN_STEP, "explain"}};
  return *m;
}

// Fields the authors annotate (tests/eval/README.md). The others (the degree
// in progress) are the engine's own detail of those facts and are not scored.
bool Scored(const std::string& field) { return field != "educationInProgress"; }

// Text facts compare without case or accents; the others as they are.
std::string Comparable(const FieldDescriptor* f, const std::string& v) {
  return f->cpp_type() == FieldDescriptor::CPPTYPE_STRING ? dirigo::FoldCase(v)
                                                          : v;
}

std::vector<Fact> FactsOf(const dirigo::v1::Profile& p) {
  std::vector<Fact> out;
  for (const std::string& name : dirigo::ProfileFieldNames()) {
    const FieldDescriptor* f = dirigo::FindProfileField(name);
    if (!Scored(name)) continue;
    for (const std::string& v : dirigo::GetSlotValues(p, f)) {
      out.emplace_back(name, Comparable(f, v));
    }
  }
  return out;
}

bool Has(const dirigo::v1::Profile& p, const Fact& fact) {
  const FieldDescriptor* f = dirigo::FindProfileField(fact.first);
  for (const std::string& v : dirigo::GetSlotValues(p, f)) {
    if (Comparable(f, v) == fact.second) return true;
  }
  return false;
}

// The facts a turn set: each changed field's new values that were not there
// before (for a list, the values added).
std::vector<Fact> FactsSet(const dirigo::v1::BotTurn& turn) {
  std::vector<Fact> out;
  for (const auto& c : turn.trace().slot_changes()) {
    const FieldDescriptor* f = dirigo::FindProfileField(c.slot());
    if (f == nullptr || !Scored(c.slot())) continue;
    std::vector<std::string> before = absl::StrSplit(c.old_value(), ',');
    std::vector<std::string> after = {c.new_value()};
    if (f->is_repeated()) after = absl::StrSplit(c.new_value(), ',');
    for (const std::string& v : after) {
      if (v.empty()) continue;
      if (f->is_repeated() &&
          std::find(before.begin(), before.end(), v) != before.end()) {
        continue;
      }
      out.emplace_back(c.slot(), Comparable(f, v));
    }
  }
  return out;
}

// The texts of a phrase of the knowledge base, every variant.
std::set<std::string> PhraseTexts(const dirigo::KnowledgeBase& kb,
                                  const std::string& key) {
  std::set<std::string> out;
  for (const auto& p : kb.proto().phrase()) {
    if (p.key() == key) out.insert(p.text().begin(), p.text().end());
  }
  return out;
}

// The honest "the guide does not say", in the knowledge base's words.
const std::set<std::string>* g_offtopic_replies = nullptr;

bool Answered(evalv1::Ask ask, const dirigo::v1::BotTurn& turn) {
  if (ask == evalv1::OFF_TOPIC) {
    for (const auto& m : turn.messages()) {
      if (g_offtopic_replies->count(m.text())) return true;
    }
    return false;
  }
  if (ask == evalv1::ON_TOPIC) {
    return std::any_of(turn.messages().begin(), turn.messages().end(),
                       [](const auto& m) { return m.citations_size() > 0; });
  }
  auto it = AnsweringIntent().find(ask);
  if (it == AnsweringIntent().end()) return true;
  return std::any_of(
      turn.trace().matches().begin(), turn.trace().matches().end(),
      [&](const auto& m) { return m.applied() && m.intent() == it->second; });
}

struct FieldScore {
  int expected = 0, right = 0, set = 0, set_right = 0;
};

struct Score {
  int cases = 0, turns = 0, whole = 0;
  std::set<std::string> authors;
  std::map<std::string, FieldScore> fields;
  std::map<std::string, std::pair<int, int>> asks;  // kind → answered, asked
  std::vector<std::string> failures;
};

std::string Percent(int part, int whole) {
  if (whole == 0) return "    -";
  return absl::StrFormat("%5.1f%%", 100.0 * part / whole);
}

// Scores one turn; returns whether it was right whole.
bool ScoreTurn(const evalv1::Turn& t, const dirigo::v1::BotTurn& turn,
               Score* score, std::string* why) {
  bool whole = true;
  std::vector<Fact> expected = FactsOf(t.expect());
  for (const Fact& fact : expected) {
    FieldScore& fs = score->fields[fact.first];
    ++fs.expected;
    if (Has(turn.profile(), fact)) {
      ++fs.right;
    } else {
      whole = false;
      absl::StrAppend(why, " missed ", fact.first, "=", fact.second, ";");
    }
  }
  for (const Fact& fact : FactsSet(turn)) {
    FieldScore& fs = score->fields[fact.first];
    ++fs.set;
    if (std::find(expected.begin(), expected.end(), fact) != expected.end()) {
      ++fs.set_right;
    } else {
      whole = false;
      absl::StrAppend(why, " wrong ", fact.first, "=", fact.second, ";");
    }
  }
  for (int a : t.asks()) {
    auto ask = static_cast<evalv1::Ask>(a);
    auto& [answered, asked] = score->asks[evalv1::Ask_Name(ask)];
    ++asked;
    if (Answered(ask, turn)) {
      ++answered;
    } else {
      whole = false;
      absl::StrAppend(why, " unanswered ", evalv1::Ask_Name(ask), ";");
    }
  }
  return whole;
}

// Runs one case on a fresh conversation.
void RunCase(const dirigo::Engine& engine, const evalv1::Case& c, int year,
             Score* score) {
  ++score->cases;
  score->authors.insert(c.author());
  dirigo::session::v1::DialogState state;
  engine.Start(&state);
  for (const evalv1::Turn& t : c.turns()) {
    ++score->turns;
    auto reply =
        engine.Respond(t.text(), &state, c.year() > 0 ? c.year() : year);
    dirigo::v1::BotTurn turn;
    if (reply.ok()) turn = reply->turn;
    std::string why;
    if (ScoreTurn(t, turn, score, &why)) {
      ++score->whole;
    } else {
      std::vector<std::string> said;
      for (const auto& m : turn.messages()) said.push_back(m.text());
      score->failures.push_back(
          absl::StrCat(c.id(), " \"", t.text(), "\":", why,
                       "\n    bot: ", absl::StrJoin(said, " | ")));
    }
  }
}

void Print(const std::string& name, const Score& s) {
  int expected = 0, right = 0, set = 0, set_right = 0;
  for (const auto& [field, fs] : s.fields) {
    expected += fs.expected;
    right += fs.right;
    set += fs.set;
    set_right += fs.set_right;
  }
  std::cout << name << ": " << s.cases << " cases by " << s.authors.size()
            << " authors, " << s.turns << " turns, " << expected
            << " expected facts\n"
            << "  facts right (recall)  " << Percent(right, expected) << "  ("
            << right << "/" << expected << ")\n"
            << "  precision             " << Percent(set_right, set) << "  ("
            << set_right << "/" << set << " facts set)\n"
            << "  turns right whole     " << Percent(s.whole, s.turns) << "  ("
            << s.whole << "/" << s.turns << ")\n"
            << "  field              precision   recall\n";
  for (const auto& [field, fs] : s.fields) {
    std::cout << absl::StrFormat("  %-18s %6s %4d  %6s %4d\n", field,
                                 Percent(fs.set_right, fs.set), fs.set,
                                 Percent(fs.right, fs.expected), fs.expected);
  }
  std::cout << "  asked              answered\n";
  for (const auto& [kind, counts] : s.asks) {
    std::cout << absl::StrFormat("  %-18s %6s %4d\n", kind,
                                 Percent(counts.first, counts.second),
                                 counts.second);
  }
}

// The cases of every *.jsonl file given (or found in a folder given).
bool ReadCases(const std::vector<std::string>& paths,
               std::vector<evalv1::Case>* cases) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    if (!std::filesystem::exists(p)) {
      std::cerr << p << ": no such file or folder\n";
      return false;
    }
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::directory_iterator(p)) {
        if (e.path().extension() == ".jsonl") files.push_back(e.path());
      }
    } else {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  std::set<std::string> ids;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      evalv1::Case c;
      auto status = google::protobuf::util::JsonStringToMessage(line, &c);
      if (!status.ok() || c.turns_size() == 0 || !ids.insert(c.id()).second) {
        std::cerr << f << ":" << n << ": not a valid case"
                  << (status.ok() ? " (no turns, or a repeated id)"
                                  : ": " + status.ToString())
                  << "\n";
        return false;
      }
      cases->push_back(std::move(c));
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  std::vector<std::string> paths(args.begin() + 1, args.end());
  if (paths.empty()) {
    std::cerr << "usage: dirigo-eval --kb=DIR [--show_failures] DIR|FILE...\n";
    return 2;
  }
  const bool blind = std::any_of(paths.begin(), paths.end(), [](auto& p) {
    for (const auto& part : std::filesystem::path(p)) {
      if (part == "test") return true;
    }
    return false;
  });
  if (absl::GetFlag(FLAGS_show_failures) && blind) {
    std::cerr << "dirigo-eval: the test split is blind: only its figures are "
                 "shown (use the dev split to read failures)\n";
    return 2;
  }
  std::vector<evalv1::Case> cases;
  if (!ReadCases(paths, &cases)) return 2;
  auto kb = dirigo::KnowledgeBase::LoadDirectory(absl::GetFlag(FLAGS_kb), {});
  if (!kb.ok()) {
    std::cerr << "dirigo-eval: " << kb.status().message() << "\n";
    return 1;
  }
  auto engine = dirigo::Engine::Create(*kb);
  if (!engine.ok()) {
    std::cerr << "dirigo-eval: " << engine.status().message() << "\n";
    return 1;
  }
  const std::set<std::string> offtopic = PhraseTexts(**kb, "offtopic_reply");
  g_offtopic_replies = &offtopic;
  const int year = absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year();
  Score score;
  for (const auto& c : cases) RunCase(**engine, c, year, &score);
  Print(absl::StrJoin(paths, " "), score);
  if (absl::GetFlag(FLAGS_show_failures)) {
    std::cout << "\nturns not right whole:\n";
    for (const auto& f : score.failures) std::cout << "  " << f << "\n";
  }
  return 0;
}
