// dirigo-hostile: a hostile peer for dirigo-server over gRPC, on loopback,
// with a well-behaved client beside it. scripts/hostile (make hostile, and
// the test `hostile`) starts the server and runs it.
//
//   dirigo-hostile --server=127.0.0.1:PORT --server_pid=PID
//       [--normal_token=T --hostile_token=U] [--scale=1] [--check]
//
// In order:
//   1. warm-up: whole conversations by the normal client (a turn every
//      10 ms); then the server's RSS (/proc/PID/status) and the normal
//      client's median turn time, alone;
//   2. hostile messages, each kind in a conversation of its own: 1 MiB and
//      64 KiB texts, invalid UTF-8 (raw bytes on the wire), NUL bytes, RTL
//      and combining characters, emoji, "aaaa…!" 100,000 and 4,000 long,
//      2 KB of made-up words, 4 KB of real words. A message's cost is the
//      CPU time the server's threads spend on it (/proc/PID/task/*/
//      schedstat, what it spends idle taken off), against a normal one's;
//   3. floods while the normal client converses: one conversation hammered
//      by four threads, new conversations without end by four more, streams
//      opened and abandoned, garbage bytes on the port. The floods run in a
//      second process at the lowest priority (nice 19), so that the
//      attacker's own CPU on this machine is not counted against the
//      server: what slows the normal client is the server's work only;
//   4. afterwards: a normal conversation checked (the profile its words
//      build), and the server's RSS against the warm-up's.
// It prints every figure: requests thrown, answers by status code, costs,
// times. With --check it fails (exit 1) when a message costs more than 5
// normal ones, the normal client's median turn time grows over 2× beside
// the floods, or the RSS grows over 10%; without, it fails only when an
// answer to the normal client is wrong.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "dirigo/session/v1/session.pb.h"
#include "dirigo/v1/advisor.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/impl/codegen/client_unary_call.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "the server, HOST:PORT");
ABSL_FLAG(int, server_pid, 0, "the server's process id, for its RSS");
ABSL_FLAG(std::string, normal_token, "", "the normal client's API token");
ABSL_FLAG(std::string, hostile_token, "", "the hostile client's API token");
ABSL_FLAG(double, scale, 1, "how much of everything (0.2 for a smoke run)");
ABSL_FLAG(bool, flood, false,
          "only the floods, until SIGTERM (the program runs itself so)");
ABSL_FLAG(bool, check, false,
          "fail when a bound on cost, latency or memory is passed");

namespace {

namespace v1 = dirigo::v1;
using Clock = std::chrono::steady_clock;

const char* kScript[] = {
    "ciao",
    "ho la triennale in economia e faccio la segretaria da tre anni",
    "no mai",
    "le risorse umane, in una piccola azienda",
    "cosa sai di me?",
};

int Scaled(int n) {
  return std::max(1, static_cast<int>(n * absl::GetFlag(FLAGS_scale)));
}

double Millis(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The server's resident memory, in KiB (0 when it cannot be read).
long RssKib() {
  std::ifstream in(
      absl::StrCat("/proc/", absl::GetFlag(FLAGS_server_pid), "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) != 0) continue;
    long kib = 0;
    std::vector<std::string> parts =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (parts.size() >= 2 && absl::SimpleAtoi(parts[1], &kib)) return kib;
  }
  return 0;
}

// The CPU time the server's threads have used, in nanoseconds (from
// /proc/PID/task/*/schedstat); 0 when it cannot be read.
int64_t ServerCpuNs() {
  const std::string tasks =
      absl::StrCat("/proc/", absl::GetFlag(FLAGS_server_pid), "/task");
  int64_t total = 0;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    std::ifstream in(task.path() / "schedstat");
    int64_t ns = 0;
    if (in >> ns) total += ns;
  }
  return total;
}

// Answers by status code, across threads.
class Tally {
 public:
  void Count(grpc::StatusCode code) {
    std::lock_guard<std::mutex> lock(mu_);
    ++codes_[code];
  }
  std::map<grpc::StatusCode, long> codes() {
    std::lock_guard<std::mutex> lock(mu_);
    return codes_;
  }

 private:
  std::mutex mu_;
  std::map<grpc::StatusCode, long> codes_;
};

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    default:
      return "OTHER";
  }
}

// A client of the server with its token.
class Peer {
 public:
  explicit Peer(const std::string& token)
      : channel_(grpc::CreateChannel(absl::GetFlag(FLAGS_server),
                                     grpc::InsecureChannelCredentials())),
        stub_(v1::Advisor::NewStub(channel_)),
        token_(token) {}

  void Prepare(grpc::ClientContext* ctx, int seconds = 30) const {
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(seconds));
    if (!token_.empty()) ctx->AddMetadata("authorization", "Bearer " + token_);
  }

  // A new conversation's name, or "" (with its status in `tally`).
  std::string Create(Tally* tally = nullptr) const {
    grpc::ClientContext ctx;
    Prepare(&ctx);
    v1::CreateSessionResponse created;
    grpc::Status s =
        stub_->CreateSession(&ctx, v1::CreateSessionRequest(), &created);
    if (tally != nullptr) tally->Count(s.error_code());
    return s.ok() ? created.session().name() : "";
  }

  grpc::Status Say(const std::string& session, const std::string& text,
                   v1::ConverseResponse* turn) const {
    grpc::ClientContext ctx;
    Prepare(&ctx);
    v1::ConverseRequest req;
    req.set_session(session);
    req.set_text(text);
    req.set_omit_trace(true);
    return stub_->Converse(&ctx, req, turn);
  }

  // A Converse whose text is any bytes, as a raw sender can send them.
  grpc::Status SayBytes(const std::string& session, const std::string& bytes,
                        v1::ConverseResponse* turn) const {
    grpc::ClientContext ctx;
    Prepare(&ctx);
    dirigo::session::v1::WireConverseRequest req;
    req.set_session(session);
    req.set_text(bytes);
    const grpc::internal::RpcMethod method(
        "/dirigo.v1.Advisor/Converse", grpc::internal::RpcMethod::NORMAL_RPC,
        channel_);
    return grpc::internal::BlockingUnaryCall(channel_.get(), method, &ctx, req,
                                             turn);
  }

  void Delete(const std::string& session) const {
    grpc::ClientContext ctx;
    Prepare(&ctx);
    v1::DeleteSessionRequest del;
    del.set_session(session);
    v1::DeleteSessionResponse deleted;
    stub_->DeleteSession(&ctx, del, &deleted);
  }

  v1::Advisor::Stub* stub() const { return stub_.get(); }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Advisor::Stub> stub_;
  std::string token_;
};

// The normal client's whole conversation; its turn times are added to
// `times`. False when a turn fails or the profile built is not the one the
// words say.
bool NormalConversation(const Peer& normal, std::vector<double>* times) {
  const std::string session = normal.Create();
  if (session.empty()) return false;
  v1::ConverseResponse turn;
  for (const char* text : kScript) {
    const auto t0 = Clock::now();
    grpc::Status s = normal.Say(session, text, &turn);
    if (!s.ok()) {
      std::fprintf(stderr, "normal turn failed: %s\n",
                   s.error_message().c_str());
      return false;
    }
    times->push_back(Millis(Clock::now() - t0));
    // A person's pace, quickened: well under the caller's rate.
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  normal.Delete(session);
  const v1::Profile& p = turn.turn().profile();
  return p.education_level() == v1::EDUCATION_LEVEL_BACHELOR &&
         p.years_experience() == 3 && p.focus_area() == v1::FOCUS_AREA_HR &&
         p.company_size() == v1::COMPANY_SIZE_SMALL;
}

struct Kind {
  std::string name;
  std::string text;
  bool raw = false;  // sent as bytes, not as a protobuf string
};

std::string MadeUpWords(size_t bytes) {
  std::mt19937 random(7);
  std::string out;
  while (out.size() < bytes) {
    for (int i = 0; i < 8; ++i) out += static_cast<char>('a' + random() % 26);
    out += ' ';
  }
  return out;
}

std::string Repeat(const std::string& piece, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += piece;
  return out;
}

constexpr char kNuls[] = "ho una\0 laurea\0\0 in economia";

std::vector<Kind> HostileKinds() {
  return {
      {"normal message", "ho la triennale in economia e faccio la segretaria"},
      {"1 MiB text", std::string(1 << 20, 'a')},
      {"64 KiB text", Repeat("ho una laurea ", 64 * 1024 / 14)},
      {"invalid UTF-8", "ho una laurea \xff\xfe\xc3\x28 in economia", true},
      {"NUL bytes", std::string(kNuls, sizeof(kNuls) - 1)},
      {"RTL, combining",
       "\u202eho una laurea\u202c \u0627\u0644\u0639\u0631"
       "\u0628\u064a\u0629 e\u0301\u0301\u0301\u0300\u0300"
       "\u0336\u0336 lavoro"},
      {"emoji", Repeat("\U0001F469\u200D\U0001F4BC\U0001F44D\U0001F3FD ", 150)},
      {"aaaa…! 100k", std::string(100000, 'a') + "!"},
      {"aaaa…! 4k", std::string(4000, 'a') + "!"},
      {"made-up words 2 KB", MadeUpWords(2000)},
      {"real words 4 KB", Repeat("lavoro in banca da anni ", 4000 / 24)},
  };
}

struct Figures {
  double normal_ms = 0, flood_normal_ms = 0, worst_ratio = 0;
  Clock::duration normal_run{};  // how long the normal client's run took
  long rss_warm = 0, rss_after = 0;
  long thrown = 0;  // hostile messages
  bool correct = true;
};

// Sends each kind of message `repeats` times, each in a conversation of
// its own; its cost is the server's CPU time per message, against the
// first kind's, a normal message.
void MeasureKinds(const Peer& hostile, Figures* f, Tally* tally) {
  std::printf("%-20s %6s %12s %8s  %s\n", "message", "sent", "server CPU",
              "× normal", "answers");
  const int repeats = Scaled(40);
  // What the server spends meanwhile on nothing (its timers, its pollers):
  // taken off every kind's figure.
  const int64_t idle_start = ServerCpuNs();
  for (int i = 0; i < repeats; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(55));
  }
  const double idle_us =
      static_cast<double>(ServerCpuNs() - idle_start) / 1000.0 / repeats;
  std::printf("(the server idle: %.0f µs of CPU per 55 ms, taken off below)\n",
              idle_us);
  double normal_us = 0;
  for (const Kind& kind : HostileKinds()) {
    std::map<std::string, int> answers;
    const std::string session = hostile.Create(tally);
    const int64_t cpu = ServerCpuNs();
    for (int i = 0; i < repeats; ++i) {
      v1::ConverseResponse turn;
      grpc::Status s = kind.raw ? hostile.SayBytes(session, kind.text, &turn)
                                : hostile.Say(session, kind.text, &turn);
      tally->Count(s.error_code());
      ++answers[CodeName(s.error_code())];
      ++f->thrown;
      // Under the conversation's own rate: the cost, not the limiter.
      std::this_thread::sleep_for(std::chrono::milliseconds(55));
    }
    const double us = std::max(
        1.0,
        static_cast<double>(ServerCpuNs() - cpu) / 1000.0 / repeats - idle_us);
    hostile.Delete(session);
    if (normal_us == 0) normal_us = us;
    std::string said;
    for (const auto& [code, n] : answers) {
      absl::StrAppend(&said, code, "×", n, " ");
    }
    const double ratio = us / normal_us;
    f->worst_ratio = std::max(f->worst_ratio, ratio);
    std::printf("%-20s %6d %9.0f µs %7.1f×  %s\n", kind.name.c_str(), repeats,
                us, ratio, said.c_str());
  }
}

// Writes bytes that are no HTTP/2 to the server's port, `times` times.
void Garbage(int times) {
  const std::string server = absl::GetFlag(FLAGS_server);
  const size_t colon = server.rfind(':');
  int port = 0;
  if (!absl::SimpleAtoi(server.substr(colon + 1), &port)) return;
  std::mt19937 random(11);
  for (int i = 0; i < times; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
      std::string junk(4096, '\0');
      for (char& c : junk) c = static_cast<char>(random());
      if (i % 2 == 0) junk.replace(0, 24, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
      (void)!write(fd, junk.data(), junk.size());
    }
    close(fd);
  }
}

// The floods, in threads of their own, until `stop`.
class Floods {
 public:
  Floods(const Peer& hostile, Tally* tally)
      : hostile_(hostile), tally_(tally) {}
  ~Floods() { Stop(); }

  void Start() {
    // One conversation hammered by four threads, as fast as the server
    // answers.
    const std::string session = hostile_.Create(tally_);
    for (int i = 0; i < 4; ++i) {
      threads_.emplace_back([this, session] {
        while (!stop_) {
          v1::ConverseResponse turn;
          Count(hostile_.Say(session, "ho una laurea in economia", &turn));
        }
      });
    }
    // New conversations without end, a message in each, by four threads.
    for (int i = 0; i < 4; ++i)
      threads_.emplace_back([this] {
        while (!stop_) {
          const std::string session = hostile_.Create(tally_);
          ++thrown_;
          if (session.empty()) continue;
          v1::ConverseResponse turn;
          Count(hostile_.Say(session, "faccio la segretaria", &turn));
        }
      });
    // Streams opened, one message written, never read, abandoned; and
    // garbage on the port now and then.
    threads_.emplace_back([this] {
      while (!stop_) {
        grpc::ClientContext ctx;
        hostile_.Prepare(&ctx, 2);
        auto stream = hostile_.stub()->StreamConverse(&ctx);
        v1::ConverseRequest req;
        req.set_session("s-abandoned");
        req.set_text("ciao");
        stream->Write(req);
        ++thrown_;
        ++streams_;
        ctx.TryCancel();
        stream->Finish();
        Garbage(1);
        ++thrown_;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }

  void Stop() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  long thrown() const { return thrown_; }
  long streams() const { return streams_; }

 private:
  void Count(const grpc::Status& s) {
    tally_->Count(s.error_code());
    ++thrown_;
  }

  const Peer& hostile_;
  Tally* tally_;
  std::atomic<bool> stop_{false};
  std::atomic<long> thrown_{0}, streams_{0};
  std::vector<std::thread> threads_;
};

// The normal client's median turn time over `conversations`.
double NormalMedian(const Peer& normal, int conversations, bool* correct) {
  std::vector<double> times;
  for (int i = 0; i < conversations; ++i) {
    if (!NormalConversation(normal, &times)) *correct = false;
  }
  return Median(times);
}

void PrintTally(Tally* tally) {
  for (const auto& [code, n] : tally->codes()) {
    std::printf(" %s=%ld", CodeName(code), n);
  }
  std::printf("\n");
}

}  // namespace

std::atomic<bool> stopping{false};

// --flood: the floods alone, at the lowest priority (nice 19), so that the
// attacker's own CPU on this machine does not count as the server's; until
// SIGTERM. Prints what was thrown and the answers.
int FloodOnly() {
  setpriority(PRIO_PROCESS, 0, 19);
  signal(SIGTERM, [](int) { stopping = true; });
  const Peer hostile(absl::GetFlag(FLAGS_hostile_token));
  Tally tally;
  Floods floods(hostile, &tally);
  const auto start = Clock::now();
  floods.Start();
  while (!stopping) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  floods.Stop();
  const double seconds = Millis(Clock::now() - start) / 1000;
  std::printf(
      "floods: %ld requests in %.1f s (%ld streams abandoned, "
      "garbage on the port each time)\n",
      floods.thrown(), seconds, floods.streams());
  std::printf("answers to the floods:");
  PrintTally(&tally);
  return 0;
}

// Starts this program again with --flood; its pid, or -1.
pid_t StartFloods(const char* self) {
  std::vector<std::string> args = {
      self, "--flood", "--server=" + absl::GetFlag(FLAGS_server),
      "--hostile_token=" + absl::GetFlag(FLAGS_hostile_token)};
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(),
                  environ) != 0) {
    return -1;
  }
  return pid;
}

// The normal client alone, then beside the floods.
void UnderFloods(const Peer& normal, const char* self, Figures* f) {
  const pid_t floods = StartFloods(self);
  if (floods < 0) {
    std::printf("FAIL: the floods could not be started\n");
    f->correct = false;
    return;
  }
  // The floods get a second's start, and last at least as long as the
  // normal client's run alone did.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  std::vector<double> times;
  const auto start = Clock::now();
  for (int i = 0; i < Scaled(20) || Clock::now() - start < f->normal_run; ++i) {
    if (!NormalConversation(normal, &times)) f->correct = false;
  }
  f->flood_normal_ms = Median(times);
  kill(floods, SIGTERM);
  int status = 0;
  waitpid(floods, &status, 0);
  std::fflush(stdout);
  std::printf("a normal turn beside the floods: %.2f ms (%.2f× alone)\n",
              f->flood_normal_ms, f->flood_normal_ms / f->normal_ms);
}

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  if (absl::GetFlag(FLAGS_flood)) return FloodOnly();
  const Peer normal(absl::GetFlag(FLAGS_normal_token));
  const Peer hostile(absl::GetFlag(FLAGS_hostile_token));
  Tally tally;
  Figures f;
  // 1. Warm-up.
  NormalMedian(normal, Scaled(40), &f.correct);
  const auto normal_start = Clock::now();
  f.normal_ms = NormalMedian(normal, Scaled(20), &f.correct);
  f.normal_run = std::max<Clock::duration>(Clock::now() - normal_start,
                                           std::chrono::seconds(3));
  f.rss_warm = RssKib();
  std::printf("warm-up: a normal turn %.2f ms (median); server RSS %ld KiB\n",
              f.normal_ms, f.rss_warm);
  // 2. Hostile messages.
  MeasureKinds(hostile, &f, &tally);
  std::printf("answers to the hostile messages:");
  PrintTally(&tally);
  std::fflush(stdout);
  // 3. Floods, with the normal client beside them.
  UnderFloods(normal, argv[0], &f);
  // 4. Afterwards.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  std::vector<double> after;
  const bool answered = NormalConversation(normal, &after);
  f.correct = f.correct && answered;
  f.rss_after = RssKib();
  const double growth =
      f.rss_warm > 0 ? 100.0 * static_cast<double>(f.rss_after - f.rss_warm) /
                           static_cast<double>(f.rss_warm)
                     : 0;
  std::printf(
      "afterwards: a normal conversation %s; server RSS %ld KiB "
      "(%+.1f%% from warm-up)\n",
      answered ? "answered correctly" : "ANSWERED WRONGLY", f.rss_after,
      growth);
  std::printf("worst message: %.1f× a normal one\n", f.worst_ratio);
  bool ok = f.correct;
  if (absl::GetFlag(FLAGS_check)) {
    const std::pair<bool, const char*> bounds[] = {
        {f.worst_ratio > 5, "a message cost the server over 5 normal ones"},
        {f.flood_normal_ms > 2 * f.normal_ms,
         "beside the floods, a normal turn took over 2× as long"},
        {growth > 10, "the server's RSS grew over 10%"}};
    for (const auto& [passed, what] : bounds) {
      if (passed) std::printf("FAIL: %s\n", what);
      ok = ok && !passed;
    }
  }
  return ok ? 0 : 1;
}
