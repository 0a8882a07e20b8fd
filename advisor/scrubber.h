// Runs a store's scrub (removing old copies of erased data from its files)
// in the background, coalesced: however many erasures ask for it, it runs at
// most once per period, and a failed run is tried again after a period. A
// scrub asked for before the stop still runs as the scrubber stops.
//
// Thread-safe. Declare it as the store's last member, so that it stops
// before the members its function uses are destroyed.
//
// Example:
//   Scrubber scrubber_{[this] { return ScrubNow(); }, absl::Seconds(1)};
//   scrubber_.Request();  // after an erase
#ifndef DIRIGO_ADVISOR_SCRUBBER_H_
#define DIRIGO_ADVISOR_SCRUBBER_H_

#include <functional>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace dirigo {

class Scrubber {
 public:
  // `scrub` may block (a file, the network); CANCELLED from it is not
  // retried.
  Scrubber(std::function<absl::Status()> scrub, absl::Duration period);
  ~Scrubber();
  Scrubber(const Scrubber&) = delete;
  Scrubber& operator=(const Scrubber&) = delete;

  // Asks for a scrub; returns at once.
  void Request();
  // Runs a scrub still asked for, then stops the thread; idempotent. Call it
  // first in a destructor whose body frees what the scrub uses.
  void Stop();
  // Whether the scrubber is stopping (for a long scrub to give up).
  bool stopping() const;

 private:
  void Loop();

  const std::function<absl::Status()> scrub_;
  const absl::Duration period_;
  mutable absl::Mutex mu_;
  bool wanted_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace dirigo

#endif  // DIRIGO_ADVISOR_SCRUBBER_H_
