// Sessions that survive: the real dirigo-server on SQLite and on Redis,
// restarted, killed with SIGKILL, and run as two replicas behind nginx. The
// servers (redis-server, nginx, dirigo-server) are started on loopback ports
// by the tests themselves.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "dirigo/v1/advisor.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/integration/server_process.h"
#include "tests/support/nginx_server.h"
#include "tests/support/redis_server.h"

namespace dirigo {
namespace {

namespace v1 = dirigo::v1;
using test_support::NginxGrpcBalancer;
using test_support::RedisServer;
using test_support::ServerProcess;
using ::testing::HasSubstr;

// A word nobody else writes, to look for in files after an erase.
constexpr char kMarker[] = "Qwertyzeta";

class Client {
 public:
  explicit Client(const std::string& address)
      : stub_(v1::Advisor::NewStub(grpc::CreateChannel(
            address, grpc::InsecureChannelCredentials()))) {}

  std::string Create() {
    v1::CreateSessionRequest req;
    req.set_channel("test");
    v1::CreateSessionResponse resp;
    grpc::Status s = stub_->CreateSession(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.session().name();
  }
  grpc::Status Say(const std::string& session, const std::string& text,
                   const std::string& id = "",
                   v1::ConverseResponse* out = nullptr) {
    v1::ConverseRequest req;
    req.set_session(session);
    req.set_text(text);
    req.set_request_id(id);
    v1::ConverseResponse resp;
    return stub_->Converse(Ctx().get(), req, out ? out : &resp);
  }
  // Retries while the service is unavailable (a replica dying), with the
  // same request id, as a careful client does.
  grpc::Status SayUntilDone(const std::string& session, const std::string& text,
                            const std::string& id,
                            v1::ConverseResponse* out = nullptr) {
    grpc::Status s;
    for (int attempt = 0; attempt < 10; ++attempt) {
      s = Say(session, text, id, out);
      if (s.error_code() != grpc::StatusCode::UNAVAILABLE) return s;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return s;
  }
  v1::Session Get(const std::string& session) {
    v1::GetSessionRequest req;
    req.set_session(session);
    v1::Session out;
    grpc::Status s = stub_->GetSession(Ctx().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  grpc::Status Delete(const std::string& session) {
    v1::DeleteSessionRequest req;
    req.set_session(session);
    v1::DeleteSessionResponse resp;
    return stub_->DeleteSession(Ctx().get(), req, &resp);
  }

 private:
  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(10));
    return c;
  }
  std::unique_ptr<v1::Advisor::Stub> stub_;
};

std::filesystem::path FreshDir(const std::string& what) {
  auto dir = std::filesystem::temp_directory_path() /
             ("dirigo-durability-" + what + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::vector<std::string> FilesWith(const std::filesystem::path& dir,
                                   const std::string& marker) {
  std::vector<std::string> found;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    if (bytes.find(marker) != std::string::npos) {
      found.push_back(e.path().string());
    }
  }
  return found;
}

// Waits (at most `limit`) until `done` holds.
template <typename F>
bool WaitFor(F done, std::chrono::seconds limit = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

TEST(DurabilityTest, ARestartOnSqliteKeepsTheConversation) {
  auto dir = FreshDir("restart");
  const std::string store = "--store=sqlite:" + (dir / "d.db").string();
  std::string name;
  {
    ServerProcess server(DIRIGO_SERVER_BIN, {store});
    ASSERT_TRUE(server.ready()) << server.log();
    Client client(server.address());
    name = client.Create();
    ASSERT_TRUE(client.Say(name, "ho la laurea triennale in economia").ok());
    ASSERT_TRUE(client.Say(name, "faccio la segretaria da 3 anni").ok());
    EXPECT_EQ(server.Stop(), 0);
  }
  ServerProcess server(DIRIGO_SERVER_BIN, {store});
  ASSERT_TRUE(server.ready()) << server.log();
  Client client(server.address());
  v1::Session s = client.Get(name);
  EXPECT_EQ(s.turn_count(), 2);
  EXPECT_EQ(s.profile().education_level(), v1::EDUCATION_LEVEL_BACHELOR);
  EXPECT_EQ(s.profile().years_experience(), 3);
  EXPECT_EQ(s.transcript_size(), 5);
  // The default idle time of a durable store: 30 days.
  EXPECT_EQ(s.expire_time_unix() - s.update_time_unix(), 30 * 24 * 3600);
  v1::ConverseResponse r;
  ASSERT_TRUE(client.Say(name, "sì, coordino due persone", "", &r).ok());
  EXPECT_TRUE(r.turn().profile().leads_people());
  EXPECT_EQ(r.turn().profile().years_experience(), 3);
  std::filesystem::remove_all(dir);
}

TEST(DurabilityTest, ABridgeUserComesBackAfterARestart) {
  auto dir = FreshDir("bridge");
  const std::string store = "--store=sqlite:" + (dir / "d.db").string();
  auto create = [](const ServerProcess& server, const std::string& channel) {
    auto stub = v1::Advisor::NewStub(server.channel());
    v1::CreateSessionRequest req;
    req.set_channel(channel);
    req.set_external_user_id("4242");
    v1::CreateSessionResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    EXPECT_TRUE(stub->CreateSession(&ctx, req, &resp).ok());
    return resp;
  };
  std::string name;
  {
    ServerProcess server(DIRIGO_SERVER_BIN, {store, "--resume_by_user"});
    ASSERT_TRUE(server.ready()) << server.log();
    v1::CreateSessionResponse first = create(server, "telegram");
    EXPECT_FALSE(first.resumed());
    name = first.session().name();
    Client client(server.address());
    ASSERT_TRUE(client.Say(name, "faccio la segretaria da 3 anni").ok());
    EXPECT_EQ(server.Stop(), 0);
  }
  ServerProcess server(DIRIGO_SERVER_BIN, {store, "--resume_by_user"});
  ASSERT_TRUE(server.ready()) << server.log();
  v1::CreateSessionResponse back = create(server, "telegram");
  EXPECT_TRUE(back.resumed());
  EXPECT_EQ(back.session().name(), name);
  EXPECT_EQ(back.session().profile().years_experience(), 3);
  ASSERT_GE(back.turn().messages_size(), 2);
  EXPECT_THAT(back.turn().messages(0).text(), HasSubstr("risentirci"));
  EXPECT_THAT(back.turn().messages(1).text(), HasSubstr("segretaria"));
  // Another channel's person with the same id is someone else.
  v1::CreateSessionResponse other = create(server, "irc");
  EXPECT_FALSE(other.resumed());
  EXPECT_NE(other.session().name(), name);
  std::filesystem::remove_all(dir);
}

// Says things holding the marker in two conversations, checks the marker is
// on disk, erases one conversation's data in words and deletes the other.
void EraseTwoWays(Client& client) {
  std::string a = client.Create();
  ASSERT_TRUE(
      client.Say(a, std::string("lavoro alla ") + kMarker + " da 3 anni").ok());
  ASSERT_TRUE(client.Say(a, std::string("la ") + kMarker + " è piccola").ok());
  std::string b = client.Create();
  ASSERT_TRUE(client.Say(b, std::string("studio da ") + kMarker).ok());
  v1::ConverseResponse erased;
  ASSERT_TRUE(client.Say(a, "cancella i miei dati", "", &erased).ok());
  ASSERT_TRUE(client.Delete(b).ok());
  v1::Session s = client.Get(a);
  EXPECT_EQ(s.transcript_size(), 1);  // the bot's answer to the erase
  EXPECT_FALSE(s.profile().has_years_experience());
}

TEST(DurabilityTest, ErasedDataIsNowhereInTheSqliteFiles) {
  auto dir = FreshDir("erase-sqlite");
  ServerProcess server(DIRIGO_SERVER_BIN,
                       {"--store=sqlite:" + (dir / "d.db").string()});
  ASSERT_TRUE(server.ready()) << server.log();
  Client client(server.address());
  {  // first, the marker does reach the files
    std::string c = client.Create();
    ASSERT_TRUE(client.Say(c, std::string("lavoro alla ") + kMarker).ok());
    ASSERT_FALSE(FilesWith(dir, kMarker).empty());
    ASSERT_TRUE(client.Say(c, "cancella i miei dati").ok());
  }
  EraseTwoWays(client);
  // The log is truncated in the background, within a second.
  EXPECT_TRUE(WaitFor([&] { return FilesWith(dir, kMarker).empty(); },
                      std::chrono::seconds(5)))
      << "still in: " << ::testing::PrintToString(FilesWith(dir, kMarker));
  EXPECT_THAT(server.log(), ::testing::Not(HasSubstr(kMarker)));
  EXPECT_EQ(server.Stop(), 0);
  EXPECT_THAT(FilesWith(dir, kMarker), ::testing::IsEmpty());
  std::filesystem::remove_all(dir);
}

TEST(DurabilityTest, ErasedDataIsNowhereInRedisFiles) {
  // Both kinds of persistence on: the append-only file, and snapshots (rare
  // enough that only the scrubber's BGSAVE rewrites the snapshot in time).
  RedisServer redis({"--appendonly", "yes", "--save", "3600 1"});
  ASSERT_TRUE(redis.ready()) << redis.log();
  ServerProcess server(DIRIGO_SERVER_BIN, {"--store=" + redis.url()});
  ASSERT_TRUE(server.ready()) << server.log();
  Client client(server.address());
  {
    std::string c = client.Create();
    ASSERT_TRUE(client.Say(c, std::string("lavoro alla ") + kMarker).ok());
    redis.Command({"BGSAVE"});
    ASSERT_TRUE(WaitFor([&] {
      return FilesWith(redis.dir(), kMarker).size() >= 2;
    })) << "the marker should reach the AOF and the snapshot first";
    ASSERT_TRUE(client.Say(c, "cancella i miei dati").ok());
  }
  EraseTwoWays(client);
  // Redis rewrites its files in the background.
  EXPECT_TRUE(WaitFor([&] { return FilesWith(redis.dir(), kMarker).empty(); }))
      << "still in: "
      << ::testing::PrintToString(FilesWith(redis.dir(), kMarker));
}

grpc::health::v1::HealthCheckResponse::ServingStatus Health(
    const ServerProcess& server) {
  auto stub = grpc::health::v1::Health::NewStub(server.channel());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("dirigo.v1.Advisor");
  grpc::health::v1::HealthCheckResponse resp;
  if (!stub->Check(&ctx, req, &resp).ok()) {
    return grpc::health::v1::HealthCheckResponse::UNKNOWN;
  }
  return resp.status();
}

TEST(DurabilityTest, HealthSaysNotServingWhileTheStoreIsDown) {
  auto redis = std::make_unique<RedisServer>();
  ASSERT_TRUE(redis->ready()) << redis->log();
  ServerProcess server(DIRIGO_SERVER_BIN, {"--store=" + redis->url()});
  ASSERT_TRUE(server.ready()) << server.log();
  EXPECT_EQ(Health(server), grpc::health::v1::HealthCheckResponse::SERVING);
  Client client(server.address());
  std::string name = client.Create();
  redis.reset();  // Redis goes away
  EXPECT_TRUE(WaitFor([&] {
    return Health(server) == grpc::health::v1::HealthCheckResponse::NOT_SERVING;
  })) << "health should follow the store";
  grpc::Status s = client.Say(name, "ciao");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(s.error_message(), HasSubstr("Redis"));
}

TEST(DurabilityTest, DrainingSaysNotServingWhileTurnsGoOn) {
  ServerProcess server(DIRIGO_SERVER_BIN, {"--drain_time=5s"});
  ASSERT_TRUE(server.ready()) << server.log();
  Client client(server.address());
  std::string name = client.Create();
  server.Signal(SIGTERM);
  EXPECT_TRUE(WaitFor(
      [&] {
        return Health(server) ==
               grpc::health::v1::HealthCheckResponse::NOT_SERVING;
      },
      std::chrono::seconds(4)));
  // A balancer moves away; a turn already on its way is still served.
  EXPECT_TRUE(client.Say(name, "ho la laurea triennale").ok());
  EXPECT_EQ(server.Stop(), 0);
}

TEST(ReplicasTest, TwoReplicasBehindNginxShareOneRedis) {
  RedisServer redis;
  ASSERT_TRUE(redis.ready()) << redis.log();
  const std::string store = "--store=" + redis.url();
  ServerProcess one(DIRIGO_SERVER_BIN, {store, "--verbose"});
  ServerProcess two(DIRIGO_SERVER_BIN, {store, "--verbose"});
  ASSERT_TRUE(one.ready() && two.ready()) << one.log() << two.log();
  NginxGrpcBalancer nginx({one.address(), two.address()});
  ASSERT_TRUE(nginx.ready()) << nginx.log();
  Client client(nginx.address());
  const std::vector<std::string> messages = {
      "ciao",
      "ho la laurea triennale",
      "in economia",
      "lavoro come impiegata contabile da 4 anni",
      "no, non coordino nessuno",
      "mi piacerebbe l'amministrazione",
      "in una grande azienda",
      "cosa mi consigli?",
      "e per il master?",
      "grazie mille"};
  std::string name = client.Create();
  int acknowledged = 0;
  for (size_t i = 0; i < messages.size(); ++i) {
    if (i == 5) {
      // Both replicas have served turns; then one dies mid-conversation.
      auto turns = [](const ServerProcess& p) {
        std::string log = p.log();
        int n = 0;
        for (size_t at = 0;
             (at = log.find("turn: session=", at)) != std::string::npos; ++at)
          ++n;
        return n;
      };
      EXPECT_GT(turns(one), 0) << "nginx should balance turns to replica one";
      EXPECT_GT(turns(two), 0) << "nginx should balance turns to replica two";
      one.Kill();
    }
    grpc::Status s =
        client.SayUntilDone(name, messages[i], "m-" + std::to_string(i));
    ASSERT_TRUE(s.ok()) << "message " << i << ": " << s.error_message();
    ++acknowledged;
  }
  v1::Session session = client.Get(name);
  EXPECT_EQ(session.turn_count(), acknowledged);
  std::vector<std::string> said;
  for (const auto& e : session.transcript()) {
    if (e.author() == v1::TranscriptEntry::PERSON) said.push_back(e.text());
  }
  EXPECT_EQ(said, messages);
  EXPECT_EQ(session.profile().education_level(), v1::EDUCATION_LEVEL_BACHELOR);
  EXPECT_EQ(session.profile().years_experience(), 4);
  // A retry of a recent request (within the last 8) reaching the surviving
  // replica gets the turn it had, not a second one.
  Client direct(two.address());
  v1::ConverseResponse again;
  ASSERT_TRUE(direct.Say(name, messages[3], "m-3", &again).ok());
  EXPECT_EQ(again.request_id(), "m-3");
  EXPECT_EQ(again.turn().profile().years_experience(), 4);
  EXPECT_EQ(direct.Get(name).turn_count(), acknowledged);
}

// At least 1,000 turns over 50 sessions, a SIGKILL at a random moment, a
// restart, and every acknowledged turn must be there; five rounds on one
// file.
TEST(CrashTest, EveryAcknowledgedTurnSurvivesSigkill) {
  auto dir = FreshDir("crash");
  const std::string store = "--store=sqlite:" + (dir / "d.db").string();
  constexpr int kSessions = 50, kClients = 4, kRounds = 5;
  const std::vector<std::string> texts = {"ho la laurea triennale",
                                          "faccio il contabile da 3 anni",
                                          "sì",
                                          "no",
                                          "mi piace la logistica",
                                          "cosa mi consigli?",
                                          "grazie"};
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  std::cout << "crash test seed " << seed << "\n";
  std::vector<std::string> names;
  // Per session: turns acknowledged, the text of the last one, and whether
  // a turn was in flight when the server died (it may or may not be saved).
  std::vector<int> acked(kSessions, 0), in_flight(kSessions, 0);
  std::vector<std::string> last_text(kSessions), pending_text(kSessions);

  auto check_all = [&](Client& client, int round) {
    int recovered = 0;
    for (int i = 0; i < kSessions; ++i) {
      v1::Session s = client.Get(names[i]);
      ASSERT_GE(s.turn_count(), acked[i]) << "session " << i << " lost turns";
      ASSERT_LE(s.turn_count(), acked[i] + in_flight[i]) << "session " << i;
      if (s.turn_count() > acked[i]) {  // applied, not acknowledged
        acked[i] = s.turn_count();
        last_text[i] = pending_text[i];
        ++recovered;
      }
      in_flight[i] = 0;
      if (acked[i] == 0) continue;
      bool found = false;
      for (const auto& e : s.transcript()) {
        found |= e.author() == v1::TranscriptEntry::PERSON &&
                 e.turn() == acked[i] && e.text() == last_text[i];
      }
      ASSERT_TRUE(found) << "session " << i << ": its last turn is missing";
    }
    std::cout << "round " << round << ": after the restart every acknowledged "
              << "turn is there (" << recovered
              << " turns were saved without reaching the client)\n";
  };

  for (int round = 1; round <= kRounds + 1; ++round) {
    ServerProcess server(DIRIGO_SERVER_BIN, {store});
    ASSERT_TRUE(server.ready()) << server.log();
    Client client(server.address());
    if (round == 1) {
      for (int i = 0; i < kSessions; ++i) names.push_back(client.Create());
    } else {
      check_all(client, round - 1);
      if (HasFatalFailure()) return;
    }
    if (round > kRounds) break;
    const int kill_after = 1000 + static_cast<int>(rng() % 500);
    std::atomic<int> total{0}, running{kClients};
    std::atomic<bool> killed{false};
    std::vector<std::string> unexpected(kClients);
    std::vector<std::thread> clients;
    for (int t = 0; t < kClients; ++t) {
      clients.emplace_back([&, t] {
        Client own(server.address());
        for (bool on = true; on;) {
          for (int i = t; i < kSessions && on; i += kClients) {
            const std::string& text = texts[(acked[i] + i) % texts.size()];
            pending_text[i] = text;
            in_flight[i] = 1;
            grpc::Status s = own.Say(
                names[i], text,
                "r" + std::to_string(round) + "-" + std::to_string(acked[i]));
            if (!s.ok()) {
              // Only the kill may stop a client.
              if (!killed || s.error_code() != grpc::StatusCode::UNAVAILABLE) {
                unexpected[t] = s.error_message();
              }
              on = false;
              break;
            }
            in_flight[i] = 0;
            ++acked[i];
            last_text[i] = text;
            ++total;
          }
        }
        --running;
      });
    }
    while (total < kill_after && running > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    killed = true;
    server.Kill();
    for (auto& c : clients) c.join();
    for (int t = 0; t < kClients; ++t) {
      ASSERT_EQ(unexpected[t], "")
          << "client " << t << " failed before the kill";
    }
    std::cout << "round " << round << ": SIGKILL after " << total.load()
              << " acknowledged turns\n";
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dirigo
