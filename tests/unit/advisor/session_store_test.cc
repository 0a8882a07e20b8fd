#include "advisor/session_store.h"

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

}  // namespace
}  // namespace dirigo
