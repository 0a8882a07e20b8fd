#include "advisor/session_store.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace dirigo {
namespace {

// How often expired sessions are swept: never a scan per call.
constexpr absl::Duration kSweepPeriod = absl::Seconds(10);
constexpr absl::Duration kSweepPeriodWhenFull = absl::Seconds(1);

std::string Serialize(const SessionRecord& record) {
  std::string bytes;
  record.state.SerializeToString(&bytes);
  return bytes;
}

absl::Status NotFound(const std::string& name) {
  return absl::NotFoundError(absl::StrCat(
      "no conversation '", name,
      "': it never existed, was deleted, or expired after being idle"));
}

}  // namespace

absl::Status SessionStore::Create(const SessionRecord& record) {
  return CreateBytes(record.state.name(), Serialize(record));
}

absl::StatusOr<SessionRecord> SessionStore::Get(const std::string& name) {
  ASSIGN_OR_RETURN(Stored stored, GetBytes(name));
  SessionRecord record;
  if (!record.state.ParseFromString(stored.bytes)) {
    return absl::DataLossError(
        absl::StrCat("the stored conversation '", name, "' cannot be read"));
  }
  record.version = stored.version;
  return record;
}

absl::Status SessionStore::Update(const SessionRecord& record,
                                  int64_t expected_version) {
  return UpdateBytes(record.state.name(), Serialize(record), expected_version);
}

InMemorySessionStore::InMemorySessionStore(const Clock* clock,
                                           InMemoryStoreOptions options)
    : clock_(clock), options_(options), last_sweep_(clock->Now()) {}

bool InMemorySessionStore::ExpiredLocked(const Entry& e) const {
  return clock_->Now() - e.last_used > options_.idle_ttl;
}

void InMemorySessionStore::SweepLocked() {
  absl::Time now = clock_->Now();
  absl::Duration period = sessions_.size() < options_.max_sessions
                              ? kSweepPeriod
                              : kSweepPeriodWhenFull;
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

absl::Status InMemorySessionStore::CreateBytes(const std::string& name,
                                               std::string bytes) {
  absl::MutexLock lock(&mu_);
  SweepLocked();
  if (sessions_.size() >= options_.max_sessions) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the server holds its maximum of ", options_.max_sessions,
                     " conversations; try again later"));
  }
  auto [it, inserted] = sessions_.try_emplace(
      name, Entry{Stored{std::move(bytes), 1}, clock_->Now()});
  if (!inserted) {
    return absl::AlreadyExistsError(
        absl::StrCat("session ", name, " already exists"));
  }
  return absl::OkStatus();
}

absl::StatusOr<SessionStore::Stored> InMemorySessionStore::GetBytes(
    const std::string& name) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(name);
  if (it == sessions_.end() || ExpiredLocked(it->second)) {
    if (it != sessions_.end()) sessions_.erase(it);
    return NotFound(name);
  }
  it->second.last_used = clock_->Now();
  return it->second.stored;
}

absl::Status InMemorySessionStore::UpdateBytes(const std::string& name,
                                               std::string bytes,
                                               int64_t expected_version) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(name);
  if (it == sessions_.end()) {
    return absl::NotFoundError(absl::StrCat("no conversation '", name, "'"));
  }
  if (it->second.stored.version != expected_version) {
    return absl::AbortedError("the conversation changed meanwhile; retry");
  }
  it->second.stored = Stored{std::move(bytes), expected_version + 1};
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
