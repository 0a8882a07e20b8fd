// Where sessions live between turns.
//
// `SessionStore` is one interface with three implementations, chosen by the
// server's --store flag (`OpenSessionStore`):
//   memory              this process's memory; lost at restart
//   sqlite:PATH         a SQLite file (WAL); survives restarts and crashes
//   redis://HOST:PORT[/DB]  a Redis server shared by many replicas
// A session is one `dirigo.session.v1.SessionState` message; the base class
// serialises it, so every store saves and loads the same bytes and
// implements only the byte-level calls.
//
// Per-session work is serialised by the record's version: a writer reads a
// record, computes the turn, and writes it back only if nobody wrote in
// between (compare-and-set; else ABORTED, and the caller retries). No lock is
// held while a turn is computed. A session unused (not written) for the idle
// time is forgotten: reads see it as absent, and each store frees it later.
//
// Calls block (a file or the network): call them from worker threads, never
// from gRPC's callback threads.
//
// Thread-safe: every implementation.
//
// Example:
//   ASSIGN_OR_RETURN(auto store, OpenSessionStore("sqlite:var/dirigo.db",
//                                                 clock, {}));
//   RETURN_IF_ERROR(store->Create(record));
//   ASSIGN_OR_RETURN(SessionRecord r, store->Get(name));
//   RETURN_IF_ERROR(store->Update(changed, r.version));
#ifndef DIRIGO_ADVISOR_SESSION_STORE_H_
#define DIRIGO_ADVISOR_SESSION_STORE_H_

#include <array>
#include <atomic>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "dirigo/session/v1/session.pb.h"

namespace dirigo {

// Everything kept about one conversation, and its version in the store.
struct SessionRecord {
  dirigo::session::v1::SessionState state;
  // Bumped by the store at every write; 1 for a new session.
  int64_t version = 0;
};

// Options every store takes.
struct StoreOptions {
  // A session not written for this long is forgotten.
  absl::Duration idle_ttl = absl::Minutes(30);
  // The in-memory store's most sessions kept at once; beyond, Create fails
  // with RESOURCE_EXHAUSTED. Durable stores keep every session until it
  // expires.
  size_t max_sessions = 20'000;
  // SQLite only: fsync at every turn (synchronous=FULL), so that a power cut
  // loses nothing; by default (NORMAL) a process crash loses nothing but a
  // power cut may lose the last turns.
  bool sync_every_turn = false;
  // SQLite only: how long a call waits for a lock another process holds
  // before failing with UNAVAILABLE.
  absl::Duration lock_timeout = absl::Seconds(5);
};

class SessionStore {
 public:
  // The error for a session that is not there: it never existed, was
  // deleted, expired, or belongs to another caller.
  static absl::Status NotFound(const std::string& name);

  explicit SessionStore(const Clock* clock, StoreOptions options)
      : clock_(clock), options_(options) {}
  virtual ~SessionStore() = default;

  // Adds a new session. ALREADY_EXISTS for a taken name, RESOURCE_EXHAUSTED
  // when the store is full.
  absl::Status Create(const SessionRecord& record);
  // NOT_FOUND when absent or expired; DATA_LOSS when the stored bytes cannot
  // be read.
  absl::StatusOr<SessionRecord> Get(const std::string& name);
  // Writes `record` if the stored version is still `expected_version`
  // (ABORTED otherwise; NOT_FOUND if it is gone).
  absl::Status Update(const SessionRecord& record, int64_t expected_version);
  // Erases a session. NOT_FOUND when absent.
  virtual absl::Status Delete(const std::string& name) = 0;

  // Links a person of a channel (`user`: an opaque key the advisor makes of
  // the channel and the person's id there) to their session, so that they
  // come back to it. A link expires like a session, counted from its last
  // LinkUser; links to a deleted session are stale, not wrong (the caller
  // checks the session).
  absl::Status LinkUser(const std::string& user, const std::string& name);
  // The session linked to `user`; NOT_FOUND when none, or expired.
  absl::StatusOr<std::string> FindUser(const std::string& user);
  // Removes the link; OK when there is none.
  virtual absl::Status UnlinkUser(const std::string& user) = 0;
  // After a session was deleted or a person's data erased: removes the old
  // copies the store's files may still hold (SQLite's write-ahead log;
  // Redis's append-only and snapshot files). Returns at once: the work runs
  // in the background, coalesced (SQLite within a second, Redis within about
  // five).
  virtual absl::Status Scrub() { return absl::OkStatus(); }
  // OK when the store can be used now (for health checks).
  virtual absl::Status Ping() { return absl::OkStatus(); }
  // What --store names it ("memory", "sqlite:var/dirigo.db", …).
  virtual std::string Describe() const = 0;

  absl::Duration idle_ttl() const { return options_.idle_ttl; }

 protected:
  // A stored session: its serialised SessionState, its version, and when it
  // was last written.
  struct Stored {
    std::string bytes;
    int64_t version = 0;
    absl::Time updated;
  };
  // The same calls over the serialised state. A new session has version 1;
  // every write records `now` as its time.
  virtual absl::Status CreateBytes(const std::string& name, std::string bytes,
                                   absl::Time now) = 0;
  virtual absl::StatusOr<Stored> GetBytes(const std::string& name) = 0;
  virtual absl::Status UpdateBytes(const std::string& name, std::string bytes,
                                   int64_t expected_version,
                                   absl::Time now) = 0;
  // A user's link: the session's name, and when it was last made.
  struct Link {
    std::string name;
    absl::Time updated;
  };
  virtual absl::Status PutLink(const std::string& user, const std::string& name,
                               absl::Time now) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<Link> GetLink(const std::string& user) = 0;

  bool Expired(absl::Time updated) const {
    return clock_->Now() - updated > options_.idle_ttl;
  }
  static absl::Status Changed();

  const Clock* const clock_;
  const StoreOptions options_;
};

// Opens the store named by `spec` (see the file comment): creates the SQLite
// file and its folder if needed, or connects to Redis. INVALID_ARGUMENT for
// a spec that names no store; FAILED_PRECONDITION or UNAVAILABLE, with the
// reason, when the store cannot be opened.
absl::StatusOr<std::unique_ptr<SessionStore>> OpenSessionStore(
    const std::string& spec, const Clock* clock, StoreOptions options);

// Sessions in this process's memory; lost at restart.
// Sessions in memory, in 16 shards each with its own lock, so that a turn
// waits only for turns of sessions in its shard. Expired sessions are swept
// a shard at a time, at most kSweepStep at once, and freed after the shard's
// lock is released: a sweep never holds up turns for long. Sweeps happen
// when a session is created (every 10 s, every second when full).
class InMemorySessionStore final : public SessionStore {
 public:
  InMemorySessionStore(const Clock* clock, StoreOptions options);

  absl::Status Delete(const std::string& name) override;
  absl::Status UnlinkUser(const std::string& user) override;
  std::string Describe() const override { return "memory"; }

  // Sessions kept now, expired ones included until the next sweep.
  size_t size() const { return count_.load(); }

  // Most expired sessions freed under one hold of a shard's lock.
  static constexpr size_t kSweepStep = 256;

 protected:
  absl::Status CreateBytes(const std::string& name, std::string bytes,
                           absl::Time now) override;
  absl::StatusOr<Stored> GetBytes(const std::string& name) override;
  absl::Status UpdateBytes(const std::string& name, std::string bytes,
                           int64_t expected_version, absl::Time now) override;
  absl::Status PutLink(const std::string& user, const std::string& name,
                       absl::Time now) override;
  absl::StatusOr<Link> GetLink(const std::string& user) override;

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable absl::Mutex mu;
    absl::flat_hash_map<std::string, Stored> sessions ABSL_GUARDED_BY(mu);
    absl::flat_hash_map<std::string, Link> links ABSL_GUARDED_BY(mu);
  };
  Shard& ShardOf(const std::string& key);
  // Sweeps every shard when it is time (`full`: the store is at its limit).
  void MaybeSweep(bool full);
  void SweepShard(Shard& shard);

  std::array<Shard, kShards> shards_;
  std::atomic<size_t> count_{0};
  absl::Mutex sweep_mu_;
  absl::Time last_sweep_ ABSL_GUARDED_BY(sweep_mu_);
};

}  // namespace dirigo

#endif  // DIRIGO_ADVISOR_SESSION_STORE_H_
