#include "advisor/rate_limiter.h"

#include "advisor/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_clock.h"

namespace dirigo {
namespace {

TEST(RateLimiterTest, ABurstThenTheRateAndTheWaitSaid) {
  FakeClock clock;
  RateLimiter limiter(&clock, {.rate = 2, .burst = 3}, "messages");
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Take("a").ok()) << i;
  absl::Status refused = limiter.Take("a");
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.message(), testing::HasSubstr("try again in 500 ms"));
  EXPECT_EQ(RetryDelayMillis(refused), 500);
  EXPECT_EQ(ReasonOf(refused), "RATE_LIMITED");
  EXPECT_TRUE(limiter.Take("b").ok()) << "each key has its own bucket";
  clock.Advance(absl::Milliseconds(500));
  EXPECT_TRUE(limiter.Take("a").ok());
  EXPECT_FALSE(limiter.Take("a").ok());
}

TEST(RateLimiterTest, ZeroIsNoLimit) {
  FakeClock clock;
  RateLimiter limiter(&clock, {.rate = 0}, "calls");
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.Take("a").ok());
}

TEST(RateLimiterTest, MemoryIsBoundedByForgettingIdleKeys) {
  FakeClock clock;
  RateLimiter limiter(&clock, {.rate = 1, .burst = 1}, "calls", 2);
  EXPECT_TRUE(limiter.Take("a").ok());
  EXPECT_TRUE(limiter.Take("b").ok());
  // Full: a third key waits until an old bucket is full again.
  EXPECT_EQ(limiter.Take("c").code(), absl::StatusCode::kResourceExhausted);
  clock.Advance(absl::Seconds(2));
  EXPECT_TRUE(limiter.Take("c").ok());
}

}  // namespace
}  // namespace dirigo
