// A clock that moves only when told to, for tests.
//
// Thread-safe.
#ifndef DIRIGO_TESTS_SUPPORT_FAKE_CLOCK_H_
#define DIRIGO_TESTS_SUPPORT_FAKE_CLOCK_H_

#include <atomic>

#include "base/clock.h"

namespace dirigo {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1'800'000'000))
      : nanos_(absl::ToUnixNanos(start)) {}
  absl::Time Now() const override { return absl::FromUnixNanos(nanos_.load()); }
  void Advance(absl::Duration d) { nanos_ += absl::ToInt64Nanoseconds(d); }

 private:
  std::atomic<int64_t> nanos_;
};

}  // namespace dirigo

#endif  // DIRIGO_TESTS_SUPPORT_FAKE_CLOCK_H_
