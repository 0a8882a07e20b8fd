// The live conversations each caller holds, and a cap on them: one caller
// must not fill the server's --max_sessions and lock everyone else out.
//
// A caller is its API token, or its address without tokens (as for rates).
// A conversation counts from its creation until it is deleted or has been
// idle for the store's idle time; every turn keeps it live. Counted by this
// process since it started: replicas count apart.
//
// Creation reserves a place first (`Reserve`), so that racing creates never
// pass the cap; the place is then kept for the new session (`Keep`) or given
// back (`Release`).
//
// Thread-safe.
//
// Example:
//   SessionQuota quota(clock, 100, absl::Minutes(30));
//   RETURN_IF_ERROR(quota.Reserve("peer:ipv4:10.0.0.7"));
//   absl::StatusOr<Session> created = Create();
//   created.ok() ? quota.Keep("peer:ipv4:10.0.0.7", created->name())
//                : quota.Release("peer:ipv4:10.0.0.7");
#ifndef DIRIGO_ADVISOR_SESSION_QUOTA_H_
#define DIRIGO_ADVISOR_SESSION_QUOTA_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"

namespace dirigo {

class SessionQuota {
 public:
  // `max_per_caller` 0: no cap, and nothing is counted.
  SessionQuota(const Clock* clock, size_t max_per_caller, absl::Duration idle);

  bool on() const { return max_ > 0; }
  // A place for one more conversation of `caller`, or RESOURCE_EXHAUSTED
  // (reason CALLER_SESSION_LIMIT) with the wait until one expires.
  absl::Status Reserve(const std::string& caller);
  // The reserved place is `name`'s (already counted when it is a
  // conversation the caller holds, found again).
  void Keep(const std::string& caller, const std::string& name);
  // The reserved place was not used.
  void Release(const std::string& caller);
  // `name` had a turn: live for another idle time.
  void Touch(const std::string& name);
  // `name` was deleted.
  void Forget(const std::string& name);

  // Live conversations `caller` holds, reserved places included.
  size_t HeldBy(const std::string& caller);

 private:
  struct Held {
    std::string caller;
    absl::Time last;
  };
  struct Caller {
    size_t reserved = 0;
    absl::flat_hash_set<std::string> names;
  };
  bool Expired(const Held& held, absl::Time now) const {
    return now - held.last > idle_;
  }
  // Drops `caller`'s expired conversations; every caller's, once a minute.
  void Prune(Caller& caller, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SweepAll(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Drop(const std::string& name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock* clock_;
  const size_t max_;
  const absl::Duration idle_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Caller> callers_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Held> sessions_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dirigo

#endif  // DIRIGO_ADVISOR_SESSION_QUOTA_H_
