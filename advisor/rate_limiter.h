// Token buckets by key: each key (a caller, a session) may do `rate` things a
// second on average, and up to `burst` at once. Beyond, RESOURCE_EXHAUSTED
// (reason RATE_LIMITED) with the delay before the next one is allowed, in
// the message and as a RetryInfo.
//
// Memory is bounded: past `max_keys`, buckets that are full again (their
// key idle long enough) are forgotten; if none is, the new key waits.
//
// Thread-safe.
//
// Example:
//   RateLimiter per_caller(clock, {.rate = 10, .burst = 20}, "messages");
//   RETURN_IF_ERROR(per_caller.Take("peer:127.0.0.1"));
#ifndef DIRIGO_ADVISOR_RATE_LIMITER_H_
#define DIRIGO_ADVISOR_RATE_LIMITER_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"

namespace dirigo {

struct RateLimit {
  // Things a second, on average; 0 turns the limit off.
  double rate = 0;
  // Things at once.
  double burst = 1;
};

class RateLimiter {
 public:
  // `what` names what is limited, in the error ("messages from one caller").
  RateLimiter(const Clock* clock, RateLimit limit, std::string what,
              size_t max_keys = 100'000);

  // One more for `key`, or RESOURCE_EXHAUSTED with the wait.
  absl::Status Take(const std::string& key);

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };
  void ForgetFullBuckets(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock* clock_;
  const RateLimit limit_;
  const std::string what_;
  const size_t max_keys_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dirigo

#endif  // DIRIGO_ADVISOR_RATE_LIMITER_H_
