// dirigo-transcripts: runs the conversation transcripts of tests/conversations
// — the product's acceptance spec — in-process (the engine alone) or against a
// running dirigo-server, and prints a coverage table.
//
//   dirigo-transcripts --kb=knowledge/it [--server=HOST:PORT]
//                      [--require_coverage] FILE|DIR...
//
// Transcript format, one line each (see tests/conversations/README.md):
//   # comment (the first one is the title)
//   > a message from the person
//   = slot VALUE    the profile field has VALUE after the turn (contains it,
//                   for experience); "= slot -" means unknown
//   ? slot          the bot now waits for this slot ("? -": for nothing)
//   ~ words         the reply contains these words (case-insensitive)
//   !~ words        the reply does not contain them
//   + advice_id     the turn's plan contains this advice
//   - advice_id     the turn gives a plan without this advice
//   * intent        a rule with this intent applied ("faq.roles",
//   "command.erase") $ from to       the word "from" was read as "to"
//   (spelling) x CODE          the message fails with this status code
//   (INVALID_ARGUMENT)
//   @ slot:kind     coverage: this turn says `slot` in this way (direct,
//                   sentence, negated, corrected, elliptical); checked: the
//                   slot must change in this turn
// Lines before the first ">" check the greeting.
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
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "dialog/engine.h"
#include "dialog/intents.h"
#include "dirigo/v1/advisor.grpc.pb.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/grpcpp.h"
#include "knowledge/profile_fields.h"
#include "text/unicode.h"

ABSL_FLAG(std::string, kb, "knowledge/it", "the knowledge base folder");
ABSL_FLAG(std::string, server, "", "run against this dirigo-server instead");
ABSL_FLAG(bool, require_coverage, false,
          "fail when the coverage table has gaps");
ABSL_FLAG(bool, verbose, false, "print every turn");
ABSL_FLAG(std::string, dump, "",
          "write every turn, whole, as one JSON line to this file; then send "
          "each distinct message again on a fresh conversation and after a "
          "plan, dumping those turns too (to compare two builds)");

namespace {

using dirigo::v1::BotTurn;

const char* kKinds[] = {"direct", "sentence", "negated", "corrected",
                        "elliptical"};

struct Backend {
  virtual ~Backend() = default;
  virtual absl::StatusOr<BotTurn> Start() = 0;
  virtual absl::StatusOr<BotTurn> Send(const std::string& text) = 0;
};

struct InProcess : Backend {
  explicit InProcess(const dirigo::Engine* e) : engine(e) {}
  absl::StatusOr<BotTurn> Start() override {
    state.Clear();
    return engine->Start(&state);
  }
  absl::StatusOr<BotTurn> Send(const std::string& text) override {
    auto r = engine->Respond(
        text, &state,
        absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year());
    if (!r.ok()) return r.status();
    return r->turn;
  }
  const dirigo::Engine* engine;
  dirigo::session::v1::DialogState state;
};

struct OverGrpc : Backend {
  explicit OverGrpc(const std::string& address)
      : stub(dirigo::v1::Advisor::NewStub(grpc::CreateChannel(
            address, grpc::InsecureChannelCredentials()))) {}
  absl::StatusOr<BotTurn> Start() override {
    dirigo::v1::CreateSessionRequest req;
    req.set_channel("transcripts");
    dirigo::v1::CreateSessionResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    grpc::Status s = stub->CreateSession(&ctx, req, &resp);
    if (!s.ok())
      return absl::Status(absl::StatusCode(s.error_code()), s.error_message());
    session = resp.session().name();
    return resp.turn();
  }
  absl::StatusOr<BotTurn> Send(const std::string& text) override {
    dirigo::v1::ConverseRequest req;
    req.set_session(session);
    req.set_text(text);
    dirigo::v1::ConverseResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    grpc::Status s = stub->Converse(&ctx, req, &resp);
    if (!s.ok())
      return absl::Status(absl::StatusCode(s.error_code()), s.error_message());
    return resp.turn();
  }
  std::unique_ptr<dirigo::v1::Advisor::Stub> stub;
  std::string session;
};

// Coverage seen across all transcripts.
struct Coverage {
  std::map<std::string, std::set<std::string>> slot_kinds;
  std::set<std::string> advice_fired, intents;
  // The advice ids of every plan given.
  std::vector<std::set<std::string>> plans;
  bool AbsentFromSomePlan(const std::string& id) const {
    return std::any_of(plans.begin(), plans.end(),
                       [&](const auto& p) { return !p.count(id); });
  }
};

// The knowledge base's language, for case-insensitive checks.
std::string g_icu_locale;

std::string Lower(const std::string& s) {
  return dirigo::LowerCase(s, g_icu_locale);
}

std::string ReplyText(const BotTurn& t) {
  std::vector<std::string> parts;
  for (const auto& m : t.messages()) parts.push_back(m.text());
  return absl::StrJoin(parts, "\n");
}

// One line of text format (maps in key order, so two runs compare).
std::string OneLine(const BotTurn& t) {
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  printer.SetUseUtf8StringEscaping(true);
  std::string out;
  printer.PrintToString(t, &out);
  return out;
}

// Where --dump writes; null when not dumping.
std::ofstream* g_dump = nullptr;

void Dump(const std::string& where, const absl::StatusOr<BotTurn>& turn) {
  if (g_dump == nullptr) return;
  *g_dump << where << "\t"
          << (turn.ok() ? OneLine(*turn) : turn.status().ToString()) << "\n";
}

// Runs one transcript; returns the failures.
std::vector<std::string> Run(const std::string& path, Backend& backend,
                             Coverage& coverage) {
  std::vector<std::string> failures;
  std::ifstream in(path);
  if (!in) {
    failures.push_back(absl::StrCat(path, ": cannot read the transcript"));
    return failures;
  }
  std::string line;
  int number = 0;
  auto fail = [&](int n, const std::string& what) {
    failures.push_back(absl::StrCat(path, ":", n, ": ", what));
  };
  absl::StatusOr<BotTurn> turn = backend.Start();
  Dump(absl::StrCat(path, ":0"), turn);
  if (!turn.ok()) {
    fail(0, absl::StrCat("cannot start: ", turn.status().message()));
    return failures;
  }
  std::string last_message;
  while (std::getline(in, line)) {
    ++number;
    std::string l(absl::StripTrailingAsciiWhitespace(line));
    if (l.empty() || l[0] == '#') continue;
    size_t space = l.find(' ');
    std::string op = l.substr(0, space);
    std::string arg =
        space == std::string::npos
            ? ""
            : std::string(absl::StripAsciiWhitespace(l.substr(space + 1)));
    if (op == ">") {
      last_message = arg;
      turn = backend.Send(arg);
      Dump(absl::StrCat(path, ":", number), turn);
      if (absl::GetFlag(FLAGS_verbose)) {
        std::cout << "> " << arg << "\n"
                  << (turn.ok() ? ReplyText(*turn)
                                : std::string(turn.status().message()))
                  << "\n";
      }
      if (turn.ok()) {
        for (const auto& m : turn->trace().matches()) {
          if (m.applied() && !m.intent().empty())
            coverage.intents.insert(m.intent());
        }
        if (turn->advice_size() > 0) {
          std::set<std::string> ids;
          for (const auto& a : turn->advice()) ids.insert(a.id());
          for (const auto& id : ids) coverage.advice_fired.insert(id);
          coverage.plans.push_back(ids);
        }
      }
      continue;
    }
    if (op == "x") {
      if (turn.ok()) {
        fail(number, absl::StrCat("expected the error ", arg, ", got a turn"));
      } else if (absl::StatusCodeToString(turn.status().code()) != arg) {
        fail(number,
             absl::StrCat("expected ", arg, ", got ",
                          absl::StatusCodeToString(turn.status().code())));
      }
      continue;
    }
    if (!turn.ok()) {
      fail(number, absl::StrCat("the message \"", last_message,
                                "\" failed: ", turn.status().message()));
      continue;
    }
    const BotTurn& t = *turn;
    if (op == "=") {
      std::vector<std::string> kv =
          absl::StrSplit(arg, absl::MaxSplits(' ', 1));
      const auto* f = dirigo::FindProfileField(kv[0]);
      if (f == nullptr || kv.size() < 2) {
        fail(number, absl::StrCat("bad check: ", l));
        continue;
      }
      std::vector<std::string> values = dirigo::GetSlotValues(t.profile(), f);
      bool ok = kv[1] == "-" ? values.empty()
                             : std::find(values.begin(), values.end(), kv[1]) !=
                                   values.end();
      if (!ok) {
        fail(number,
             absl::StrCat("after \"", last_message, "\": ", kv[0], " is [",
                          absl::StrJoin(values, ","), "], expected ", kv[1]));
      }
    } else if (op == "?") {
      std::string want = arg == "-" ? "" : arg;
      if (t.awaiting_slot() != want) {
        fail(number,
             absl::StrCat("after \"", last_message, "\": waiting for '",
                          t.awaiting_slot(), "', expected '", want, "'"));
      }
    } else if (op == "~" || op == "!~") {
      bool has = absl::StrContains(Lower(ReplyText(t)), Lower(arg));
      if (has != (op == "~")) {
        fail(number, absl::StrCat("after \"", last_message, "\": the reply ",
                                  has ? "contains" : "lacks", " \"", arg,
                                  "\":\n    ", ReplyText(t)));
      }
    } else if (op == "+" || op == "-") {
      bool has = std::any_of(t.advice().begin(), t.advice().end(),
                             [&](const auto& a) { return a.id() == arg; });
      if (op == "-" && t.advice_size() == 0) {
        fail(number,
             absl::StrCat("after \"", last_message, "\": no plan given"));
      } else if (has != (op == "+")) {
        std::vector<std::string> ids;
        for (const auto& a : t.advice()) ids.push_back(a.id());
        fail(number, absl::StrCat("after \"", last_message, "\": advice [",
                                  absl::StrJoin(ids, ","), "] ",
                                  has ? "has " : "lacks ", arg));
      }
    } else if (op == "*") {
      bool has = std::any_of(
          t.trace().matches().begin(), t.trace().matches().end(),
          [&](const auto& m) { return m.applied() && m.intent() == arg; });
      if (!has)
        fail(number,
             absl::StrCat("after \"", last_message, "\": no intent ", arg));
    } else if (op == "$") {
      std::vector<std::string> kv = absl::StrSplit(arg, ' ');
      bool has =
          kv.size() == 2 &&
          std::any_of(t.trace().spelling_fixes().begin(),
                      t.trace().spelling_fixes().end(), [&](const auto& f) {
                        return Lower(f.original()) == kv[0] &&
                               f.corrected() == kv[1];
                      });
      if (!has)
        fail(number,
             absl::StrCat("after \"", last_message, "\": no fix ", arg));
    } else if (op == "@") {
      std::vector<std::string> kv = absl::StrSplit(arg, ':');
      bool kind_ok = kv.size() == 2 &&
                     std::find(std::begin(kKinds), std::end(kKinds), kv[1]) !=
                         std::end(kKinds);
      bool changed =
          kv.size() == 2 &&
          std::any_of(t.trace().slot_changes().begin(),
                      t.trace().slot_changes().end(),
                      [&](const auto& c) { return c.slot() == kv[0]; });
      if (!kind_ok) {
        fail(number, absl::StrCat("bad coverage note: ", l));
      } else if (!changed) {
        fail(number,
             absl::StrCat("after \"", last_message, "\": ", kv[0],
                          " did not change, so it cannot count as ", kv[1]));
      } else {
        coverage.slot_kinds[kv[0]].insert(kv[1]);
      }
    } else {
      fail(number, absl::StrCat("unknown line: ", l));
    }
  }
  return failures;
}

// Every distinct message of the transcripts.
std::vector<std::string> Messages(const std::vector<std::string>& files) {
  std::set<std::string> seen;
  std::vector<std::string> out;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("> ", 0) != 0) continue;
      std::string m(absl::StripAsciiWhitespace(line.substr(2)));
      if (seen.insert(m).second) out.push_back(m);
    }
  }
  return out;
}

// For --dump: each message in three states (fresh, mid-way, after a plan).
void Probe(const std::vector<std::string>& messages, Backend& backend) {
  const std::vector<std::vector<std::string>> setups = {
      {},
      {"ho la triennale in economia e faccio la segretaria da tre anni"},
      {"ho la triennale in economia e faccio la segretaria da tre anni", "no",
       "le risorse umane, in una piccola azienda"}};
  for (size_t s = 0; s < setups.size(); ++s) {
    for (const auto& m : messages) {
      (void)backend.Start();
      for (const auto& before : setups[s]) (void)backend.Send(before);
      Dump(absl::StrCat("probe", s, ":", m), backend.Send(m));
    }
  }
}

// Prints the table; returns the number of gaps.
int PrintCoverage(const dirigo::KnowledgeBase& kb, const Coverage& c) {
  int gaps = 0;
  std::cout << "\nCoverage: slot × phrasing\n";
  std::cout << "  slot             ";
  for (const char* k : kKinds) std::cout << " " << k;
  std::cout << "\n";
  for (const auto& s : kb.proto().slot()) {
    if (s.origin() != dirigo::kb::v1::Slot::ASKED) continue;
    std::string row = absl::StrCat("  ", s.name());
    row.resize(19, ' ');
    std::cout << row;
    auto it = c.slot_kinds.find(s.name());
    for (const char* k : kKinds) {
      bool has = it != c.slot_kinds.end() && it->second.count(k);
      if (!has) ++gaps;
      std::string cell = has ? "yes" : "NO";
      cell.resize(std::string(k).size() + 1, ' ');
      std::cout << " " << cell;
    }
    std::cout << "\n";
  }
  std::cout << "Coverage: advice rules (fired / not fired in a plan)\n";
  for (const auto& a : kb.proto().advice()) {
    bool fired = c.advice_fired.count(a.id());
    bool absent = c.AbsentFromSomePlan(a.id());
    if (!fired) ++gaps;
    if (!absent) ++gaps;
    std::cout << "  " << a.id() << ": " << (fired ? "fired" : "NEVER FIRED")
              << ", " << (absent ? "not fired" : "ALWAYS FIRED") << "\n";
  }
  std::cout << "Coverage: answers and commands\n";
  std::vector<std::string> wanted;
  for (const auto& f : kb.proto().faq()) wanted.push_back("faq." + f.id());
  for (const auto& intent : dirigo::IntentTable()) {
    if (absl::StartsWith(intent.name, "command."))
      wanted.push_back(intent.name);
  }
  wanted.push_back("why");
  for (const auto& w : wanted) {
    bool has = c.intents.count(w);
    if (!has) ++gaps;
    std::cout << "  " << w << ": " << (has ? "yes" : "NO") << "\n";
  }
  return gaps;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  auto kb = dirigo::KnowledgeBase::LoadDirectory(absl::GetFlag(FLAGS_kb), {});
  if (!kb.ok()) {
    std::cerr << "dirigo-transcripts: " << kb.status().message() << "\n";
    return 1;
  }
  std::vector<std::string> files;
  for (size_t i = 1; i < args.size(); ++i) {
    std::filesystem::path p(args[i]);
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::directory_iterator(p)) {
        if (e.path().extension() == ".txt") files.push_back(e.path().string());
      }
    } else {
      files.push_back(p.string());
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::cerr << "dirigo-transcripts: no transcripts given\n";
    return 2;
  }
  g_icu_locale = (*kb)->normalizer().icu_locale();
  auto engine = dirigo::Engine::Create(*kb);
  if (!engine.ok()) {
    std::cerr << "dirigo-transcripts: " << engine.status().message() << "\n";
    return 1;
  }
  std::unique_ptr<Backend> backend;
  if (absl::GetFlag(FLAGS_server).empty()) {
    backend = std::make_unique<InProcess>(engine->get());
  } else {
    backend = std::make_unique<OverGrpc>(absl::GetFlag(FLAGS_server));
  }
  std::ofstream dump;
  if (!absl::GetFlag(FLAGS_dump).empty()) {
    dump.open(absl::GetFlag(FLAGS_dump));
    g_dump = &dump;
  }
  Coverage coverage;
  int passed = 0, failed = 0;
  for (const auto& f : files) {
    std::vector<std::string> failures = Run(f, *backend, coverage);
    if (failures.empty()) {
      ++passed;
      std::cout << "PASS " << f << "\n";
    } else {
      ++failed;
      std::cout << "FAIL " << f << "\n";
      for (const auto& x : failures) std::cout << "  " << x << "\n";
    }
  }
  if (g_dump != nullptr) Probe(Messages(files), *backend);
  int gaps = PrintCoverage(**kb, coverage);
  std::cout << "\ntranscripts: " << passed << " passed, " << failed
            << " failed";
  if (gaps > 0) std::cout << "; coverage has " << gaps << " gaps";
  std::cout << "\n";
  if (failed > 0) return 1;
  if (gaps > 0 && absl::GetFlag(FLAGS_require_coverage)) return 1;
  return 0;
}
