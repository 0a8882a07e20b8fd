#include "advisor/session_store.h"

#include "absl/strings/str_cat.h"

namespace dirigo {

InMemorySessionStore::InMemorySessionStore(const Clock* clock,
                                           InMemoryStoreOptions options)
    : clock_(clock), options_(options), last_sweep_(clock->Now()) {}

bool InMemorySessionStore::ExpiredLocked(const Entry& e) const {
  return clock_->Now() - e.last_used > options_.idle_ttl;
}

void InMemorySessionStore::SweepLocked() {
  absl::Time now = clock_->Now();
  // Every 10 s, or every second while full: never a scan per call.
  absl::Duration period = sessions_.size() < options_.max_sessions
                              ? absl::Seconds(10)
                              : absl::Seconds(1);
  if (now - last_sweep_ < period) return;
  last_sweep_ = now;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (ExpiredLocked(it->second)) {
      sessions_.erase(it++);
    } else {
      ++it;
    }
  }
}

absl::Status InMemorySessionStore::Create(const SessionRecord& record) {
  absl::MutexLock lock(&mu_);
  SweepLocked();
  if (sessions_.size() >= options_.max_sessions) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the server holds its maximum of ", options_.max_sessions,
                     " conversations; try again later"));
  }
  auto [it, inserted] =
      sessions_.try_emplace(record.meta.name(), Entry{record, clock_->Now()});
  if (!inserted) {
    return absl::AlreadyExistsError(
        absl::StrCat("session ", record.meta.name(), " already exists"));
  }
  it->second.record.version = 1;
  return absl::OkStatus();
}

absl::StatusOr<SessionRecord> InMemorySessionStore::Get(
    const std::string& name) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(name);
  if (it == sessions_.end() || ExpiredLocked(it->second)) {
    if (it != sessions_.end()) sessions_.erase(it);
    return absl::NotFoundError(absl::StrCat(
        "no conversation '", name,
        "': it never existed, was deleted, or expired after being idle"));
  }
  it->second.last_used = clock_->Now();
  return it->second.record;
}

absl::Status InMemorySessionStore::Update(const SessionRecord& record,
                                          int64_t expected_version) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(record.meta.name());
  if (it == sessions_.end()) {
    return absl::NotFoundError(
        absl::StrCat("no conversation '", record.meta.name(), "'"));
  }
  if (it->second.record.version != expected_version) {
    return absl::AbortedError("the conversation changed meanwhile; retry");
  }
  it->second.record = record;
  it->second.record.version = expected_version + 1;
  it->second.last_used = clock_->Now();
  return absl::OkStatus();
}

absl::Status InMemorySessionStore::Delete(const std::string& name) {
  absl::MutexLock lock(&mu_);
  if (sessions_.erase(name) == 0) {
    return absl::NotFoundError(absl::StrCat("no conversation '", name, "'"));
  }
  return absl::OkStatus();
}

size_t InMemorySessionStore::size() const {
  absl::MutexLock lock(&mu_);
  return sessions_.size();
}

}  // namespace dirigo
