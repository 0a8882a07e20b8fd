#include "advisor/worker_pool.h"

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace dirigo {
namespace {

// What health reads: work waiting for a stuck worker.
TEST(WorkerPoolTest, SaysWhenWorkWaitsForAStuckWorker) {
  WorkerPool pool(1, 10);
  EXPECT_FALSE(pool.Stalled(absl::ZeroDuration())) << "nothing queued";
  absl::Notification started, release;
  ASSERT_TRUE(pool.Submit([&] {
    started.Notify();
    release.WaitForNotification();
  }));
  started.WaitForNotification();
  ASSERT_TRUE(pool.Submit([] {}));  // waits behind the stuck one
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_TRUE(pool.Stalled(absl::Milliseconds(50)));
  EXPECT_FALSE(pool.Stalled(absl::Hours(1)));
  release.Notify();
  // Once the worker is free, nothing waits any more.
  for (int i = 0; i < 1000 && pool.Stalled(absl::ZeroDuration()); ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_FALSE(pool.Stalled(absl::ZeroDuration()));
}

}  // namespace
}  // namespace dirigo
