// The session stores' contract, run against all three stores: memory,
// SQLite (a file in a fresh folder) and Redis (a real redis-server started
// by the test on a free loopback port).
#include "advisor/session_store.h"

#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "advisor/redis_session_store.h"
#include "advisor/scrubber.h"
#include "advisor/sqlite_session_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_clock.h"
#include "tests/support/redis_server.h"

namespace dirigo {
namespace {

using ::testing::HasSubstr;

SessionRecord Record(const std::string& name) {
  SessionRecord r;
  r.state.set_name(name);
  return r;
}

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every file under `dir` whose bytes contain `marker`.
std::vector<std::string> FilesWith(const std::filesystem::path& dir,
                                   const std::string& marker) {
  std::vector<std::string> found;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() &&
        ReadAll(e.path()).find(marker) != std::string::npos) {
      found.push_back(e.path().string());
    }
  }
  return found;
}

std::filesystem::path FreshDir(const std::string& what) {
  static int n = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("dirigo-store-" + what + "-" + std::to_string(getpid()) + "-" +
              std::to_string(++n));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

class StoreContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = FreshDir(GetParam());
    if (GetParam() == "redis") {
      redis_ = std::make_unique<test_support::RedisServer>(
          std::vector<std::string>{"--appendonly", "yes", "--save", "3600 1"});
      ASSERT_TRUE(redis_->ready()) << redis_->log();
    }
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    redis_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Opens the store (again: a durable one finds its sessions).
  void Reopen(StoreOptions options = {.idle_ttl = absl::Minutes(30)}) {
    store_.reset();
    std::string spec = GetParam() == "memory" ? "memory"
                       : GetParam() == "sqlite"
                           ? "sqlite:" + (dir_ / "sessions.db").string()
                           : redis_->url();
    auto opened = OpenSessionStore(spec, &clock_, options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
  }
  bool durable() const { return GetParam() != "memory"; }
  // The folder holding the store's files.
  std::filesystem::path files() const {
    return GetParam() == "redis" ? redis_->dir() : dir_;
  }

  FakeClock clock_;
  std::filesystem::path dir_;
  std::unique_ptr<test_support::RedisServer> redis_;
  std::unique_ptr<SessionStore> store_;
};

TEST_P(StoreContractTest, CreateGetUpdateDelete) {
  ASSERT_TRUE(store_->Create(Record("a")).ok());
  EXPECT_EQ(store_->Create(Record("a")).code(),
            absl::StatusCode::kAlreadyExists);
  auto got = store_->Get("a");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->version, 1);
  got->state.mutable_dialog()->set_turn_count(7);
  ASSERT_TRUE(store_->Update(*got, got->version).ok());
  auto again = store_->Get("a");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->state.dialog().turn_count(), 7);
  EXPECT_EQ(again->version, 2);
  ASSERT_TRUE(store_->Delete("a").ok());
  EXPECT_EQ(store_->Get("a").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Delete("a").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Update(*again, again->version).code(),
            absl::StatusCode::kNotFound);
}

TEST_P(StoreContractTest, KeepsEveryByteOfTheState) {
  SessionRecord record = Record("a");
  record.state.set_locale("it");
  record.state.mutable_dialog()->mutable_profile()->set_years_experience(3);
  (*record.state.mutable_dialog()->mutable_sources())["yearsExperience"]
      .set_words("tre anni, però è già così");
  record.state.add_recent()->set_request_id("r1");
  auto* t = record.state.add_transcript();
  t->set_text(std::string("zero\0byte", 9));
  ASSERT_TRUE(store_->Create(record).ok());
  auto got = store_->Get("a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state.SerializeAsString(), record.state.SerializeAsString());
}

TEST_P(StoreContractTest, StaleWriteIsAborted) {
  ASSERT_TRUE(store_->Create(Record("a")).ok());
  SessionRecord first = *store_->Get("a");
  SessionRecord second = *store_->Get("a");
  ASSERT_TRUE(store_->Update(first, first.version).ok());
  absl::Status stale = store_->Update(second, second.version);
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(stale.message(), HasSubstr("retry"));
}

TEST_P(StoreContractTest, ConcurrentTurnsNeverLoseAnUpdate) {
  // Eight writers add 1 to the same session's counter 40 times each, with a
  // read, a compare-and-set and a retry on ABORTED, as the advisor does; a
  // second session is written at the same time.
  ASSERT_TRUE(store_->Create(Record("a")).ok());
  ASSERT_TRUE(store_->Create(Record("b")).ok());
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([this, w] {
      const std::string name = w % 2 ? "a" : "b";
      for (int i = 0; i < 40; ++i) {
        while (true) {
          auto r = store_->Get(name);
          ASSERT_TRUE(r.ok()) << r.status();
          auto* d = r->state.mutable_dialog();
          d->set_turn_count(d->turn_count() + 1);
          absl::Status s = store_->Update(*r, r->version);
          if (s.ok()) break;
          ASSERT_EQ(s.code(), absl::StatusCode::kAborted) << s;
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(store_->Get("a")->state.dialog().turn_count(), 160);
  EXPECT_EQ(store_->Get("b")->state.dialog().turn_count(), 160);
  EXPECT_EQ(store_->Get("a")->version, 161);
}

TEST_P(StoreContractTest, IdleSessionsExpireAfterTheirLastWrite) {
  ASSERT_TRUE(store_->Create(Record("a")).ok());
  clock_.Advance(absl::Minutes(29));
  auto r = store_->Get("a");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(store_->Update(*r, r->version).ok());  // a turn: idle again
  clock_.Advance(absl::Minutes(29));
  ASSERT_TRUE(store_->Get("a").ok());  // a read does not keep it alive
  clock_.Advance(absl::Minutes(2));
  EXPECT_EQ(store_->Get("a").status().code(), absl::StatusCode::kNotFound);
  // Forgotten for good: not only hidden.
  clock_.Advance(-absl::Minutes(10));
  EXPECT_EQ(store_->Get("a").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(StoreContractTest, DurableStoresKeepSessionsAcrossReopen) {
  if (!durable()) GTEST_SKIP() << "the memory store forgets by design";
  SessionRecord record = Record("a");
  record.state.mutable_dialog()->set_turn_count(3);
  ASSERT_TRUE(store_->Create(record).ok());
  Reopen();
  auto got = store_->Get("a");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->state.dialog().turn_count(), 3);
}

TEST_P(StoreContractTest, DeletedDataLeavesTheFiles) {
  if (!durable()) GTEST_SKIP() << "no files";
  const std::string marker = "MARKER-zebra-7361";
  SessionRecord keep = Record("keep");
  ASSERT_TRUE(store_->Create(keep).ok());
  SessionRecord record = Record("gone");
  record.state.mutable_dialog()->mutable_profile()->set_study_field_text(
      marker);
  ASSERT_TRUE(store_->Create(record).ok());
  // A few writes, so that old copies exist in logs and freed pages.
  for (int i = 0; i < 5; ++i) {
    auto r = store_->Get("gone");
    ASSERT_TRUE(r.ok());
    r->state.mutable_dialog()->set_turn_count(i);
    ASSERT_TRUE(store_->Update(*r, r->version).ok());
  }
  if (GetParam() == "redis") {
    redis_->Command({"BGSAVE"});  // a snapshot holding the marker
  }
  auto deadline = absl::Now() + absl::Seconds(10);
  while (FilesWith(files(), marker).empty() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_FALSE(FilesWith(files(), marker).empty())
      << "the test must first see the marker on disk";
  ASSERT_TRUE(store_->Delete("gone").ok());
  ASSERT_TRUE(store_->Scrub().ok());
  // Redis rewrites its files in the background.
  deadline = absl::Now() + absl::Seconds(30);
  while (!FilesWith(files(), marker).empty() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_THAT(FilesWith(files(), marker), ::testing::IsEmpty());
  EXPECT_TRUE(store_->Get("keep").ok());
}

TEST_P(StoreContractTest, PeopleAreLinkedToTheirSession) {
  ASSERT_TRUE(store_->Create(Record("s-1")).ok());
  const std::string user = std::string("telegram\x1f") + "42";
  EXPECT_EQ(store_->FindUser(user).status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->LinkUser(user, "s-1").ok());
  EXPECT_EQ(*store_->FindUser(user), "s-1");
  EXPECT_EQ(store_
                ->FindUser("irc\x1f"
                           "42")
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->LinkUser(user, "s-2").ok());  // relinked
  EXPECT_EQ(*store_->FindUser(user), "s-2");
  // A link expires like a session, counted from its last LinkUser.
  clock_.Advance(absl::Minutes(29));
  ASSERT_TRUE(store_->LinkUser(user, "s-2").ok());
  clock_.Advance(absl::Minutes(29));
  EXPECT_TRUE(store_->FindUser(user).ok());
  clock_.Advance(absl::Minutes(2));
  EXPECT_EQ(store_->FindUser(user).status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->LinkUser(user, "s-3").ok());
  ASSERT_TRUE(store_->UnlinkUser(user).ok());
  EXPECT_EQ(store_->FindUser(user).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->UnlinkUser(user).ok());  // twice is fine
  if (durable()) {
    ASSERT_TRUE(store_->LinkUser(user, "s-4").ok());
    Reopen();
    EXPECT_EQ(*store_->FindUser(user), "s-4");
  }
}

TEST_P(StoreContractTest, PingAnswers) { EXPECT_TRUE(store_->Ping().ok()); }

INSTANTIATE_TEST_SUITE_P(AllStores, StoreContractTest,
                         ::testing::Values("memory", "sqlite", "redis"),
                         [](const auto& info) { return info.param; });

TEST(InMemorySessionStoreTest, LimitIsExplicit) {
  FakeClock clock;
  InMemorySessionStore store(&clock,
                             {.idle_ttl = absl::Minutes(1), .max_sessions = 2});
  ASSERT_TRUE(store.Create(Record("a")).ok());
  ASSERT_TRUE(store.Create(Record("b")).ok());
  EXPECT_EQ(store.Create(Record("c")).code(),
            absl::StatusCode::kResourceExhausted);
  clock.Advance(absl::Minutes(2));  // the old ones expire and make room
  EXPECT_TRUE(store.Create(Record("c")).ok());
}

TEST(InMemorySessionStoreTest, ExpiredSessionsAreFreedInEveryShard) {
  FakeClock clock;
  InMemorySessionStore store(
      &clock, {.idle_ttl = absl::Minutes(1), .max_sessions = 100'000});
  // More than one sweep step in every shard.
  const int n = 16 * (InMemorySessionStore::kSweepStep + 50);
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(store.Create(Record(absl::StrCat("s", i))).ok());
  }
  ASSERT_TRUE(store.Create(Record("kept")).ok());
  EXPECT_EQ(store.size(), static_cast<size_t>(n) + 1);
  clock.Advance(absl::Seconds(50));
  ASSERT_TRUE(store.Update(Record("kept"), 1).ok());  // kept alive
  clock.Advance(absl::Seconds(20));
  ASSERT_TRUE(store.Create(Record("new")).ok());  // sweeps, all shards
  EXPECT_EQ(store.size(), 2u);
  EXPECT_TRUE(store.Get("kept").ok());
  EXPECT_EQ(store.Get("s7").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store.Delete("new").ok());
  EXPECT_EQ(store.size(), 1u);
}

TEST(ScrubberTest, CoalescesRequestsAndRetriesFailures) {
  std::atomic<int> calls{0};
  std::atomic<bool> fail{true};
  {
    Scrubber scrubber(
        [&] {
          ++calls;
          return fail ? absl::UnavailableError("down") : absl::OkStatus();
        },
        absl::Milliseconds(100));
    for (int i = 0; i < 100; ++i) scrubber.Request();
    // The failed run is tried again until it works, without new requests.
    absl::SleepFor(absl::Milliseconds(500));
    EXPECT_GE(calls.load(), 2);
    fail = false;
    absl::SleepFor(absl::Milliseconds(600));
    const int settled = calls.load();
    absl::SleepFor(absl::Milliseconds(400));
    EXPECT_EQ(calls.load(), settled);  // nothing more asked, nothing runs
    // 100 requests did not make 100 runs.
    EXPECT_LT(settled, 10);
    scrubber.Request();
  }  // a request pending at the stop still runs
  EXPECT_GE(calls.load(), 3);
}

TEST(OpenSessionStoreTest, UnknownStoresAreNamed) {
  FakeClock clock;
  auto s = OpenSessionStore("postgres://x", &clock, {});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("sqlite:PATH"));
}

TEST(SqliteSessionStoreTest, CorruptFileIsAClearError) {
  FakeClock clock;
  auto dir = FreshDir("corrupt");
  std::ofstream(dir / "s.db") << std::string(8192, 'x');
  auto s = OpenSessionStore("sqlite:" + (dir / "s.db").string(), &clock, {});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(),
              HasSubstr("corrupt or not a Dirigo database"));
  std::filesystem::remove_all(dir);
}

TEST(SqliteSessionStoreTest, NewerSchemaIsRefusedAndOlderMigrated) {
  FakeClock clock;
  auto dir = FreshDir("schema");
  const std::string path = (dir / "s.db").string();
  {  // a file from a future Dirigo
    sqlite3* db;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_exec(db, "PRAGMA user_version=99;", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  auto s = OpenSessionStore("sqlite:" + path, &clock, {});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("newer Dirigo (schema 99"));
  std::filesystem::remove(path);
  // A new file is migrated to the current schema.
  ASSERT_TRUE(OpenSessionStore("sqlite:" + path, &clock, {}).ok());
  sqlite3* db;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt;
  sqlite3_prepare_v2(db, "PRAGMA user_version;", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), SqliteSessionStore::kSchemaVersion);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  std::filesystem::remove_all(dir);
}

TEST(SqliteSessionStoreTest, LockedFileIsAClearError) {
  FakeClock clock;
  auto dir = FreshDir("locked");
  const std::string path = (dir / "s.db").string();
  auto store = OpenSessionStore("sqlite:" + path, &clock,
                                {.lock_timeout = absl::Milliseconds(200)});
  ASSERT_TRUE(store.ok());
  sqlite3* other;  // another program holding the write lock
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE;", nullptr, nullptr, nullptr),
            SQLITE_OK);
  absl::Status s = (*store)->Create(Record("a"));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("locked by another program"));
  sqlite3_exec(other, "ROLLBACK;", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_TRUE((*store)->Create(Record("a")).ok());
  std::filesystem::remove_all(dir);
}

TEST(RedisSessionStoreTest, UrlsAreParsedOrRefusedClearly) {
  auto a = RedisSessionStore::ParseUrl("redis://:secret@[::1]:6380/2");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 6380);
  EXPECT_EQ(a->db, 2);
  EXPECT_EQ(a->password, "secret");
  EXPECT_EQ(RedisSessionStore::ParseUrl("redis://localhost")->port, 6379);
  auto bad = RedisSessionStore::ParseUrl("redis://host:99999");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("port"));
}

TEST(RedisSessionStoreTest, UnreachableRedisIsAClearError) {
  FakeClock clock;
  int port = test_support::FreeLoopbackPort();  // nobody listens there
  auto s =
      OpenSessionStore("redis://127.0.0.1:" + std::to_string(port), &clock, {});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.status().message(), HasSubstr("cannot reach Redis"));
}

TEST(RedisSessionStoreTest, KeysAreNamespacedAndExpireInRedis) {
  test_support::RedisServer redis;
  ASSERT_TRUE(redis.ready()) << redis.log();
  SystemClock clock;
  auto store =
      OpenSessionStore(redis.url(), &clock, {.idle_ttl = absl::Minutes(30)});
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->Create(Record("s-1")).ok());
  EXPECT_EQ(redis.Command({"EXISTS", "dirigo:session:s-1"}), "1");
  int ttl = std::stoi(redis.Command({"TTL", "dirigo:session:s-1"}));
  EXPECT_GT(ttl, 29 * 60);
  EXPECT_LE(ttl, 30 * 60);
  // Redis going away: calls fail with UNAVAILABLE.
  redis.Stop();
  EXPECT_EQ((*store)->Get("s-1").status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_FALSE((*store)->Ping().ok());
  // Back (empty: nothing was persisted): every call works again at once,
  // although the pool held connections to the old one.
  ASSERT_TRUE(redis.Restart()) << redis.log();
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE((*store)->Ping().ok());
    EXPECT_TRUE((*store)->Create(Record("s-" + std::to_string(i + 2))).ok());
    EXPECT_TRUE((*store)->Get("s-" + std::to_string(i + 2)).ok());
  }
}

TEST(RedisSessionStoreTest, ConnectionsOpenedBeforeARestartAreNotReused) {
  test_support::RedisServer redis({"--appendonly", "yes"});
  ASSERT_TRUE(redis.ready()) << redis.log();
  SystemClock clock;
  auto store = OpenSessionStore(redis.url(), &clock, {});
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->Create(Record("a")).ok());
  // Several pooled connections, all made stale by the restart.
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] { (void)(*store)->Get("a"); });
  }
  for (auto& r : readers) r.join();
  ASSERT_TRUE(redis.Restart()) << redis.log();
  // A read retries on a fresh connection; one write may fail once (its
  // answer may be lost, so it is not retried), then writes work.
  EXPECT_TRUE((*store)->Get("a").ok());
  auto r = (*store)->Get("a");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*store)->Update(*r, r->version).ok());
}

}  // namespace
}  // namespace dirigo
