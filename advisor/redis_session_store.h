// Sessions in Redis, for many replicas behind a load balancer
// (--store=redis://HOST:PORT[/DB], or redis://:PASSWORD@HOST:PORT[/DB]).
//
// A person linked to their session is `dirigo:user:KEY` → "NAME MILLIS",
// with the same TTL. A session is one hash, `dirigo:session:NAME`, with
// fields `state` (the
// serialised SessionState), `version` and `updated_ms`. Writes are Lua
// scripts, so compare-and-set is atomic on the server; every write resets
// the key's Redis TTL to the idle time, so Redis itself frees idle sessions.
// Scrub() asks Redis to rewrite its append-only file (when on) and to save a
// new snapshot (when snapshots are configured), in the background, so that
// erased data leaves its persistence files too: at most one rewrite every 5
// seconds, shared by the erasures meanwhile, and retried if it fails. Keys
// that expire by TTL leave the files at Redis's own next rewrite.
//
// Thread-safe: a pool of connections, one per call in flight.
#ifndef DIRIGO_ADVISOR_REDIS_SESSION_STORE_H_
#define DIRIGO_ADVISOR_REDIS_SESSION_STORE_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "advisor/scrubber.h"
#include "advisor/session_store.h"

struct redisContext;
struct redisReply;

namespace dirigo {

class RedisSessionStore final : public SessionStore {
 public:
  // Connects to the Redis server named by `url` and checks that it answers.
  // INVALID_ARGUMENT for a malformed URL, UNAVAILABLE when it cannot be
  // reached or refuses the password or database.
  static absl::StatusOr<std::unique_ptr<SessionStore>> Open(
      const std::string& url, const Clock* clock, StoreOptions options);
  ~RedisSessionStore() override;

  absl::Status Delete(const std::string& name) override;
  absl::Status UnlinkUser(const std::string& user) override;
  absl::Status Scrub() override;
  absl::Status Ping() override;
  std::string Describe() const override;

  // Where a URL points.
  struct Address {
    std::string host;
    int port = 6379;
    int db = 0;
    std::string password;
  };
  static absl::StatusOr<Address> ParseUrl(const std::string& url);

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
  class Connection;
  RedisSessionStore(Address address, const Clock* clock, StoreOptions options);

  // Runs one command on a pooled connection; the reply, or UNAVAILABLE.
  absl::StatusOr<std::shared_ptr<redisReply>> Command(
      const std::vector<std::string>& args);
  absl::StatusOr<std::unique_ptr<Connection>> Connect() const;
  std::string Key(const std::string& name) const;
  std::string UserKey(const std::string& user) const;
  // Asks Redis to rewrite its files (run by `scrubber_`).
  absl::Status ScrubNow();

  const Address address_;
  absl::Mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(pool_mu_);

  // Last: stops first. A fork and a write of the whole dataset, so at most
  // once every 5 seconds.
  Scrubber scrubber_{[this] { return ScrubNow(); }, absl::Seconds(5)};
};

}  // namespace dirigo

#endif  // DIRIGO_ADVISOR_REDIS_SESSION_STORE_H_
