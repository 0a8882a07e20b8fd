#include "advisor/session_store.h"

#include <map>

#include "gtest/gtest.h"
#include "tests/support/fake_clock.h"

namespace dirigo {
namespace {

SessionRecord Record(const std::string& name) {
  SessionRecord r;
  r.state.set_name(name);
  return r;
}

TEST(InMemorySessionStoreTest, CreateGetUpdateDelete) {
  FakeClock clock;
  InMemorySessionStore store(&clock, {});
  ASSERT_TRUE(store.Create(Record("a")).ok());
  EXPECT_EQ(store.Create(Record("a")).code(), absl::StatusCode::kAlreadyExists);
  auto got = store.Get("a");
  ASSERT_TRUE(got.ok());
  got->state.mutable_dialog()->set_turn_count(7);
  ASSERT_TRUE(store.Update(*got, got->version).ok());
  EXPECT_EQ(store.Get("a")->state.dialog().turn_count(), 7);
  ASSERT_TRUE(store.Delete("a").ok());
  EXPECT_EQ(store.Get("a").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store.Delete("a").code(), absl::StatusCode::kNotFound);
}

TEST(InMemorySessionStoreTest, StaleWriteIsAborted) {
  FakeClock clock;
  InMemorySessionStore store(&clock, {});
  ASSERT_TRUE(store.Create(Record("a")).ok());
  SessionRecord first = *store.Get("a");
  SessionRecord second = *store.Get("a");
  ASSERT_TRUE(store.Update(first, first.version).ok());
  EXPECT_EQ(store.Update(second, second.version).code(),
            absl::StatusCode::kAborted);
}

TEST(InMemorySessionStoreTest, IdleSessionsExpire) {
  FakeClock clock;
  InMemorySessionStore store(&clock, {.idle_ttl = absl::Minutes(30)});
  ASSERT_TRUE(store.Create(Record("a")).ok());
  clock.Advance(absl::Minutes(29));
  ASSERT_TRUE(store.Get("a").ok());  // use resets the idle time
  clock.Advance(absl::Minutes(29));
  ASSERT_TRUE(store.Get("a").ok());
  clock.Advance(absl::Minutes(31));
  EXPECT_EQ(store.Get("a").status().code(), absl::StatusCode::kNotFound);
}

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

// A store that keeps only the bytes it is given, as a durable store would.
class BytesStore final : public SessionStore {
 public:
  absl::Status Delete(const std::string& name) override {
    return bytes_.erase(name) ? absl::OkStatus() : absl::NotFoundError(name);
  }
  std::map<std::string, Stored> bytes_;

 protected:
  absl::Status CreateBytes(const std::string& name,
                           std::string bytes) override {
    bytes_[name] = Stored{std::move(bytes), 1};
    return absl::OkStatus();
  }
  absl::StatusOr<Stored> GetBytes(const std::string& name) override {
    auto it = bytes_.find(name);
    if (it == bytes_.end()) return absl::NotFoundError(name);
    return it->second;
  }
  absl::Status UpdateBytes(const std::string& name, std::string bytes,
                           int64_t expected_version) override {
    bytes_[name] = Stored{std::move(bytes), expected_version + 1};
    return absl::OkStatus();
  }
};

TEST(SessionStoreTest, EveryStoreSavesTheSessionStateBytes) {
  BytesStore store;
  SessionRecord record = Record("a");
  record.state.set_locale("it");
  record.state.mutable_dialog()->mutable_profile()->set_years_experience(3);
  (*record.state.mutable_dialog()->mutable_sources())["yearsExperience"]
      .set_words("tre anni");
  record.state.add_recent()->set_request_id("r1");
  ASSERT_TRUE(store.Create(record).ok());
  // What the store holds is the SessionState, serialised: nothing else.
  dirigo::session::v1::SessionState saved;
  ASSERT_TRUE(saved.ParseFromString(store.bytes_["a"].bytes));
  EXPECT_EQ(saved.SerializeAsString(), record.state.SerializeAsString());
  auto got = store.Get("a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->version, 1);
  EXPECT_EQ(got->state.dialog().sources().at("yearsExperience").words(),
            "tre anni");
  // Bytes that are no SessionState are reported, not guessed.
  store.bytes_["a"].bytes = "\xff\xff\xff";
  EXPECT_EQ(store.Get("a").status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace dirigo
