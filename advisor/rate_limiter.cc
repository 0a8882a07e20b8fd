#include "advisor/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "advisor/errors.h"

namespace dirigo {

RateLimiter::RateLimiter(const Clock* clock, RateLimit limit, std::string what,
                         size_t max_keys)
    : clock_(clock),
      limit_(limit),
      what_(std::move(what)),
      max_keys_(max_keys) {}

void RateLimiter::ForgetFullBuckets(absl::Time now) {
  absl::erase_if(buckets_, [&](const auto& entry) {
    const Bucket& b = entry.second;
    return b.tokens + absl::ToDoubleSeconds(now - b.updated) * limit_.rate >=
           limit_.burst;
  });
}

absl::Status RateLimiter::Take(const std::string& key) {
  if (limit_.rate <= 0) return absl::OkStatus();
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) ForgetFullBuckets(now);
    if (buckets_.size() >= max_keys_) {
      return WithRetryDelay(
          WithReason(absl::ResourceExhaustedError(absl::StrCat(
                         "too many callers at once; try again in a second")),
                     "RATE_LIMITED"),
          absl::Seconds(1));
    }
    it = buckets_.emplace(key, Bucket{limit_.burst, now}).first;
  }
  Bucket& b = it->second;
  // A clock stepped back counts as no time passed, not as a debt.
  const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - b.updated));
  b.tokens = std::min(limit_.burst, b.tokens + elapsed * limit_.rate);
  b.updated = std::max(now, b.updated);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return absl::OkStatus();
  }
  const int64_t wait_ms =
      static_cast<int64_t>(std::ceil((1 - b.tokens) / limit_.rate * 1000));
  return WithRetryDelay(
      WithReason(
          absl::ResourceExhaustedError(absl::StrCat(
              "too many ", what_, " (at most ", limit_.rate, " a second, ",
              limit_.burst, " at once); try again in ", wait_ms, " ms")),
          "RATE_LIMITED"),
      absl::Milliseconds(wait_ms));
}

}  // namespace dirigo
