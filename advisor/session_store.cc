#include "advisor/session_store.h"

#include <utility>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "advisor/errors.h"
#include "advisor/redis_session_store.h"
#include "advisor/sqlite_session_store.h"
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

}  // namespace

absl::Status SessionStore::NotFound(const std::string& name) {
  return WithReason(
      absl::NotFoundError(absl::StrCat(
          "no conversation '", name,
          "': it never existed, was deleted, or expired after being idle")),
      "SESSION_NOT_FOUND", "session");
}

absl::Status SessionStore::Changed() {
  return WithReason(
      absl::AbortedError("the conversation changed meanwhile; retry"),
      "SESSION_CHANGED");
}

absl::Status SessionStore::Create(const SessionRecord& record) {
  return CreateBytes(record.state.name(), Serialize(record), clock_->Now());
}

absl::StatusOr<SessionRecord> SessionStore::Get(const std::string& name) {
  ASSIGN_OR_RETURN(Stored stored, GetBytes(name));
  if (Expired(stored.updated)) {
    // Forgotten now; the store frees it (a failure here only delays that).
    (void)Delete(name);
    return NotFound(name);
  }
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
  return UpdateBytes(record.state.name(), Serialize(record), expected_version,
                     clock_->Now());
}

absl::Status SessionStore::LinkUser(const std::string& user,
                                    const std::string& name) {
  return PutLink(user, name, clock_->Now());
}

absl::StatusOr<std::string> SessionStore::FindUser(const std::string& user) {
  ASSIGN_OR_RETURN(Link link, GetLink(user));
  if (Expired(link.updated)) {
    (void)UnlinkUser(user);
    return absl::NotFoundError("no conversation for this person");
  }
  return link.name;
}

absl::StatusOr<std::unique_ptr<SessionStore>> OpenSessionStore(
    const std::string& spec, const Clock* clock, StoreOptions options) {
  if (spec == "memory") {
    return std::make_unique<InMemorySessionStore>(clock, options);
  }
  if (absl::StartsWith(spec, "sqlite:")) {
    return SqliteSessionStore::Open(spec.substr(7), clock, options);
  }
  if (absl::StartsWith(spec, "redis://")) {
    return RedisSessionStore::Open(spec, clock, options);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown store '", spec,
      "' (use 'memory', 'sqlite:PATH' or 'redis://HOST:PORT[/DB]')"));
}

InMemorySessionStore::InMemorySessionStore(const Clock* clock,
                                           StoreOptions options)
    : SessionStore(clock, options), last_sweep_(clock->Now()) {}

InMemorySessionStore::Shard& InMemorySessionStore::ShardOf(
    const std::string& key) {
  return shards_[absl::HashOf(key) % kShards];
}

void InMemorySessionStore::SweepShard(Shard& shard) {
  for (bool more = true; more;) {
    // Moved out under the lock, freed after it.
    std::vector<Stored> gone;
    std::vector<Link> gone_links;
    {
      absl::MutexLock lock(&shard.mu);
      for (auto it = shard.sessions.begin();
           it != shard.sessions.end() && gone.size() < kSweepStep;) {
        if (Expired(it->second.updated)) {
          gone.push_back(std::move(it->second));
          shard.sessions.erase(it++);
        } else {
          ++it;
        }
      }
      for (auto it = shard.links.begin();
           it != shard.links.end() && gone_links.size() < kSweepStep;) {
        if (Expired(it->second.updated)) {
          gone_links.push_back(std::move(it->second));
          shard.links.erase(it++);
        } else {
          ++it;
        }
      }
    }
    count_ -= gone.size();
    more = gone.size() == kSweepStep || gone_links.size() == kSweepStep;
  }
}

void InMemorySessionStore::MaybeSweep(bool full) {
  {
    absl::MutexLock lock(&sweep_mu_);
    const absl::Time now = clock_->Now();
    if (now - last_sweep_ < (full ? kSweepPeriodWhenFull : kSweepPeriod)) {
      return;
    }
    last_sweep_ = now;
  }
  for (Shard& shard : shards_) SweepShard(shard);
}

absl::Status InMemorySessionStore::CreateBytes(const std::string& name,
                                               std::string bytes,
                                               absl::Time now) {
  MaybeSweep(count_.load() >= options_.max_sessions);
  // Counted before it is kept, so that racing creates never pass the limit.
  if (count_.fetch_add(1) >= options_.max_sessions) {
    --count_;
    return WithRetryDelay(WithReason(absl::ResourceExhaustedError(absl::StrCat(
                                         "the server holds its maximum of ",
                                         options_.max_sessions,
                                         " conversations; try again later")),
                                     "SESSION_LIMIT"),
                          absl::Minutes(1));
  }
  Shard& shard = ShardOf(name);
  absl::MutexLock lock(&shard.mu);
  auto [it, inserted] =
      shard.sessions.try_emplace(name, Stored{std::move(bytes), 1, now});
  if (!inserted) {
    --count_;
    return absl::AlreadyExistsError(
        absl::StrCat("session ", name, " already exists"));
  }
  return absl::OkStatus();
}

absl::StatusOr<SessionStore::Stored> InMemorySessionStore::GetBytes(
    const std::string& name) {
  Shard& shard = ShardOf(name);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.sessions.find(name);
  if (it == shard.sessions.end()) return NotFound(name);
  return it->second;
}

absl::Status InMemorySessionStore::UpdateBytes(const std::string& name,
                                               std::string bytes,
                                               int64_t expected_version,
                                               absl::Time now) {
  Stored old;  // freed after the lock
  Shard& shard = ShardOf(name);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.sessions.find(name);
  if (it == shard.sessions.end()) return NotFound(name);
  if (it->second.version != expected_version) return Changed();
  old = std::exchange(it->second,
                      Stored{std::move(bytes), expected_version + 1, now});
  return absl::OkStatus();
}

absl::Status InMemorySessionStore::Delete(const std::string& name) {
  Shard& shard = ShardOf(name);
  decltype(shard.sessions)::node_type gone;  // freed after the lock
  absl::MutexLock lock(&shard.mu);
  gone = shard.sessions.extract(name);
  if (gone.empty()) return NotFound(name);
  --count_;
  return absl::OkStatus();
}

absl::Status InMemorySessionStore::UnlinkUser(const std::string& user) {
  Shard& shard = ShardOf(user);
  absl::MutexLock lock(&shard.mu);
  shard.links.erase(user);
  return absl::OkStatus();
}

absl::Status InMemorySessionStore::PutLink(const std::string& user,
                                           const std::string& name,
                                           absl::Time now) {
  Shard& shard = ShardOf(user);
  absl::MutexLock lock(&shard.mu);
  shard.links[user] = Link{name, now};
  return absl::OkStatus();
}

absl::StatusOr<SessionStore::Link> InMemorySessionStore::GetLink(
    const std::string& user) {
  Shard& shard = ShardOf(user);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.links.find(user);
  if (it == shard.links.end()) {
    return absl::NotFoundError("no conversation for this person");
  }
  return it->second;
}

}  // namespace dirigo
