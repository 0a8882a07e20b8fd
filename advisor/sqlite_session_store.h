// Sessions in a SQLite file: what the server uses by default
// (--store=sqlite:var/dirigo.db).
//
// The file is in WAL mode; each create, turn and delete is one transaction.
// With synchronous=NORMAL (the default) a crash of the process loses no
// acknowledged turn, but a power cut may lose the last ones;
// StoreOptions.sync_every_turn (--store_sync=full) makes every turn durable
// at the cost of an fsync each. secure_delete is on, and Scrub() truncates
// the write-ahead log within a second, so erased data is gone from both
// files.
//
// The schema is versioned (PRAGMA user_version) and migrated forward, in one
// transaction, when an older file is opened; a file written by a newer Dirigo
// or by another program (PRAGMA application_id) is refused. A new file and
// folder are readable by their owner only. Several processes on one machine
// may share one file: compare-and-set works across them.
//
// Thread-safe: one connection, used under a mutex (each call is short).
#ifndef DIRIGO_ADVISOR_SQLITE_SESSION_STORE_H_
#define DIRIGO_ADVISOR_SQLITE_SESSION_STORE_H_

#include <memory>
#include <string>

#include "advisor/scrubber.h"
#include "advisor/session_store.h"

struct sqlite3;

namespace dirigo {

class SqliteSessionStore final : public SessionStore {
 public:
  // The schema this build writes.
  static constexpr int kSchemaVersion = 2;

  // Opens (or creates, with its folder) the file at `path`.
  // FAILED_PRECONDITION with the reason for a file that is not a session
  // database, is corrupt, is from a newer Dirigo, or cannot be created;
  // UNAVAILABLE when another program holds it locked.
  static absl::StatusOr<std::unique_ptr<SessionStore>> Open(
      const std::string& path, const Clock* clock, StoreOptions options);
  ~SqliteSessionStore() override;

  absl::Status Delete(const std::string& name) override;
  absl::Status UnlinkUser(const std::string& user) override;
  // Within a second, in the background.
  absl::Status Scrub() override;
  absl::Status Ping() override;
  std::string Describe() const override { return "sqlite:" + path_; }

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
  SqliteSessionStore(std::string path, sqlite3* db, const Clock* clock,
                     StoreOptions options);
  absl::Status Migrate() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Truncates the log (run by `scrubber_`).
  absl::Status ScrubNow();
  absl::Status MigrateLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs statements without results; an error names `what` was being done.
  absl::Status Exec(const std::string& sql, const std::string& what)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A status for SQLite's result code `rc` while doing `what`.
  absl::Status Error(int rc, const std::string& what) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Frees sessions idle past their time, at most once a minute.
  void SweepLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  absl::Mutex mu_;
  sqlite3* db_ ABSL_GUARDED_BY(mu_);
  // What the last ping that could read found: a ping that finds the
  // database in use by a turn says that again.
  absl::Mutex ping_mu_;
  absl::Status last_ping_ ABSL_GUARDED_BY(ping_mu_);
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_);
  // Last: stops first. A checkpoint with an fsync, so at most once a second.
  Scrubber scrubber_{[this] { return ScrubNow(); }, absl::Seconds(1)};
};

}  // namespace dirigo

#endif  // DIRIGO_ADVISOR_SQLITE_SESSION_STORE_H_
