#include "advisor/session_quota.h"

#include "advisor/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_clock.h"

namespace dirigo {
namespace {

using testing::HasSubstr;

// Creates a conversation `name` for `caller`, as the service does.
absl::Status Create(SessionQuota& quota, const std::string& caller,
                    const std::string& name) {
  if (absl::Status s = quota.Reserve(caller); !s.ok()) return s;
  quota.Keep(caller, name);
  return absl::OkStatus();
}

TEST(SessionQuotaTest, ACallerHoldsAtMostItsCapAndOthersAreNotHeldUp) {
  FakeClock clock;
  SessionQuota quota(&clock, 3, absl::Minutes(30));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Create(quota, "peer:a", "s" + std::to_string(i)).ok());
  }
  absl::Status refused = quota.Reserve("peer:a");
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ReasonOf(refused), "CALLER_SESSION_LIMIT");
  EXPECT_THAT(refused.message(), HasSubstr("maximum of 3 live conversations"));
  EXPECT_EQ(RetryDelayMillis(refused), 30 * 60 * 1000);
  EXPECT_TRUE(Create(quota, "peer:b", "t0").ok()) << "another caller";
  // A deleted one gives its place back.
  quota.Forget("s1");
  EXPECT_TRUE(Create(quota, "peer:a", "s3").ok());
  EXPECT_FALSE(quota.Reserve("peer:a").ok());
}

TEST(SessionQuotaTest, IdleConversationsExpireAndTurnsKeepThemLive) {
  FakeClock clock;
  SessionQuota quota(&clock, 2, absl::Minutes(30));
  ASSERT_TRUE(Create(quota, "a", "s0").ok());
  clock.Advance(absl::Minutes(20));
  ASSERT_TRUE(Create(quota, "a", "s1").ok());
  clock.Advance(absl::Minutes(5));
  quota.Touch("s0");
  // s0 was used 25 minutes after s1: the wait is s1's.
  absl::Status refused = quota.Reserve("a");
  EXPECT_EQ(RetryDelayMillis(refused), 25 * 60 * 1000);
  clock.Advance(absl::Minutes(26));
  EXPECT_EQ(quota.HeldBy("a"), 1u);
  EXPECT_TRUE(Create(quota, "a", "s2").ok());
}

TEST(SessionQuotaTest, RacingCreatesNeverPassTheCap) {
  FakeClock clock;
  SessionQuota quota(&clock, 2, absl::Minutes(30));
  ASSERT_TRUE(quota.Reserve("a").ok());
  ASSERT_TRUE(quota.Reserve("a").ok());
  EXPECT_FALSE(quota.Reserve("a").ok()) << "two creates still running";
  quota.Release("a");  // one of them failed
  quota.Keep("a", "s0");
  EXPECT_EQ(quota.HeldBy("a"), 1u);
  EXPECT_TRUE(quota.Reserve("a").ok());
}

TEST(SessionQuotaTest, AConversationFoundAgainIsCountedOnce) {
  FakeClock clock;
  SessionQuota quota(&clock, 2, absl::Minutes(30));
  ASSERT_TRUE(Create(quota, "a", "s0").ok());
  ASSERT_TRUE(Create(quota, "a", "s0").ok());  // a person resumed
  EXPECT_EQ(quota.HeldBy("a"), 1u);
}

TEST(SessionQuotaTest, ZeroCountsNothing) {
  FakeClock clock;
  SessionQuota quota(&clock, 0, absl::Minutes(30));
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(Create(quota, "a", "s" + std::to_string(i)).ok());
  }
  EXPECT_EQ(quota.HeldBy("a"), 0u);
}

}  // namespace
}  // namespace dirigo
