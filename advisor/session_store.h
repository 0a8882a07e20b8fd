// Where sessions live between turns.
//
// `SessionStore` is a small interface so that durable stores can come next to
// the in-memory one. A session is one `dirigo.session.v1.SessionState`
// message; the base class serialises it, so every store saves and loads the
// same bytes and implements only the byte-level calls.
//
// Per-session work is serialised by the record's version: a writer reads a
// record, computes the turn, and writes it back only if nobody wrote in
// between (else ABORTED, and the caller retries). No global lock is held
// while a turn is computed.
//
// Thread-safe: every implementation.
//
// Example:
//   InMemorySessionStore store(clock, {.idle_ttl = absl::Minutes(30)});
//   RETURN_IF_ERROR(store.Create(record));
//   ASSIGN_OR_RETURN(SessionRecord r, store.Get(name));
//   RETURN_IF_ERROR(store.Update(changed, r.version));
#ifndef DIRIGO_ADVISOR_SESSION_STORE_H_
#define DIRIGO_ADVISOR_SESSION_STORE_H_

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
  // Bumped by the store at every write.
  int64_t version = 0;
};

class SessionStore {
 public:
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

 protected:
  // A stored session: its serialised SessionState and its version.
  struct Stored {
    std::string bytes;
    int64_t version = 0;
  };
  // The same calls over the serialised state. A new session has version 1.
  virtual absl::Status CreateBytes(const std::string& name,
                                   std::string bytes) = 0;
  virtual absl::StatusOr<Stored> GetBytes(const std::string& name) = 0;
  virtual absl::Status UpdateBytes(const std::string& name, std::string bytes,
                                   int64_t expected_version) = 0;
};

// Options of the in-memory store.
struct InMemoryStoreOptions {
  // A session unused for this long is forgotten.
  absl::Duration idle_ttl = absl::Minutes(30);
  // Most sessions kept at once; beyond, Create fails with RESOURCE_EXHAUSTED.
  // A session with a full retry memory takes up to about 80 KB.
  size_t max_sessions = 20'000;
};

// Sessions in this process's memory; lost at restart.
class InMemorySessionStore final : public SessionStore {
 public:
  InMemorySessionStore(const Clock* clock, InMemoryStoreOptions options);

  absl::Status Delete(const std::string& name) override;

  // Sessions kept now, expired ones included until the next sweep.
  size_t size() const;

 protected:
  absl::Status CreateBytes(const std::string& name, std::string bytes) override;
  absl::StatusOr<Stored> GetBytes(const std::string& name) override;
  absl::Status UpdateBytes(const std::string& name, std::string bytes,
                           int64_t expected_version) override;

 private:
  struct Entry {
    Stored stored;
    absl::Time last_used;
  };
  void SweepLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool ExpiredLocked(const Entry& e) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const Clock* clock_;
  const InMemoryStoreOptions options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> sessions_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dirigo

#endif  // DIRIGO_ADVISOR_SESSION_STORE_H_
