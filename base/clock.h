// Time, given rather than read, so that tests move it instead of sleeping.
//
// Code that depends on time (expiry, the calendar year of "dal 2015") takes a
// `const Clock*`; programs pass a SystemClock, tests a FakeClock
// (tests/support/fake_clock.h).
//
// Thread-safe: implementations must be.
#ifndef DIRIGO_BASE_CLOCK_H_
#define DIRIGO_BASE_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace dirigo {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The system's clock.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace dirigo

#endif  // DIRIGO_BASE_CLOCK_H_
