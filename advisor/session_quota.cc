#include "advisor/session_quota.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "advisor/errors.h"

namespace dirigo {

SessionQuota::SessionQuota(const Clock* clock, size_t max_per_caller,
                           absl::Duration idle)
    : clock_(clock),
      max_(max_per_caller),
      idle_(idle),
      last_sweep_(clock->Now()) {}

void SessionQuota::Drop(const std::string& name) {
  auto it = sessions_.find(name);
  if (it == sessions_.end()) return;
  auto caller = callers_.find(it->second.caller);
  if (caller != callers_.end()) {
    caller->second.names.erase(name);
    if (caller->second.names.empty() && caller->second.reserved == 0) {
      callers_.erase(caller);
    }
  }
  sessions_.erase(it);
}

void SessionQuota::Prune(Caller& caller, absl::Time now) {
  std::vector<std::string> gone;
  for (const std::string& name : caller.names) {
    if (Expired(sessions_.at(name), now)) gone.push_back(name);
  }
  for (const std::string& name : gone) {
    caller.names.erase(name);
    sessions_.erase(name);
  }
}

void SessionQuota::SweepAll(absl::Time now) {
  if (now - last_sweep_ < absl::Minutes(1)) return;
  last_sweep_ = now;
  std::vector<std::string> gone;
  for (const auto& [name, held] : sessions_) {
    if (Expired(held, now)) gone.push_back(name);
  }
  for (const std::string& name : gone) Drop(name);
}

absl::Status SessionQuota::Reserve(const std::string& caller) {
  if (!on()) return absl::OkStatus();
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  SweepAll(now);
  Caller& entry = callers_[caller];
  Prune(entry, now);
  if (entry.names.size() + entry.reserved < max_) {
    ++entry.reserved;
    return absl::OkStatus();
  }
  // The wait: until the caller's least recently used conversation expires.
  absl::Time first = now + idle_;
  for (const std::string& name : entry.names) {
    first = std::min(first, sessions_.at(name).last + idle_);
  }
  const absl::Duration wait = std::max(first - now, absl::Seconds(1));
  return WithRetryDelay(
      WithReason(absl::ResourceExhaustedError(absl::StrCat(
                     "this caller already holds its maximum of ", max_,
                     " live conversations; delete one (DeleteSession) or "
                     "retry in ",
                     absl::ToInt64Seconds(absl::Ceil(wait, absl::Seconds(1))),
                     " s, when one expires")),
                 "CALLER_SESSION_LIMIT"),
      wait);
}

void SessionQuota::Keep(const std::string& caller, const std::string& name) {
  if (!on()) return;
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  Caller& entry = callers_[caller];
  if (entry.reserved > 0) --entry.reserved;
  auto [it, inserted] = sessions_.try_emplace(name, Held{caller, now});
  if (inserted) {
    entry.names.insert(name);
  } else {
    it->second.last = now;
    if (entry.names.empty() && entry.reserved == 0) callers_.erase(caller);
  }
}

void SessionQuota::Release(const std::string& caller) {
  if (!on()) return;
  absl::MutexLock lock(&mu_);
  auto it = callers_.find(caller);
  if (it == callers_.end()) return;
  if (it->second.reserved > 0) --it->second.reserved;
  if (it->second.names.empty() && it->second.reserved == 0) callers_.erase(it);
}

void SessionQuota::Touch(const std::string& name) {
  if (!on()) return;
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(name);
  if (it != sessions_.end()) it->second.last = now;
}

void SessionQuota::Forget(const std::string& name) {
  if (!on()) return;
  absl::MutexLock lock(&mu_);
  Drop(name);
}

size_t SessionQuota::HeldBy(const std::string& caller) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto it = callers_.find(caller);
  if (it == callers_.end()) return 0;
  Prune(it->second, now);
  return it->second.names.size() + it->second.reserved;
}

}  // namespace dirigo
