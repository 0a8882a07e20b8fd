#include "advisor/redis_session_store.h"

#include <hiredis/hiredis.h>

#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/log.h"
#include "base/status_macros.h"

namespace dirigo {
namespace {

constexpr char kKeyPrefix[] = "dirigo:session:";
constexpr char kUserPrefix[] = "dirigo:user:";
// Connecting, and waiting for one reply.
constexpr timeval kConnectTimeout = {2, 0};
constexpr timeval kReplyTimeout = {5, 0};
// How long the scrubber waits for a rewrite Redis is already running.
constexpr absl::Duration kScrubWait = absl::Minutes(2);

// Atomic on the server: creates the hash unless the key exists.
constexpr char kCreateScript[] = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'version', '1',
           'updated_ms', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
)lua";

// Compare-and-set: writes only if the version is still the expected one.
constexpr char kUpdateScript[] = R"lua(
local v = redis.call('HGET', KEYS[1], 'version')
if not v then return -1 end
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2],
           'version', tostring(tonumber(v) + 1), 'updated_ms', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
)lua";

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};

}  // namespace

class RedisSessionStore::Connection {
 public:
  explicit Connection(redisContext* c) : c_(c) {}
  ~Connection() { redisFree(c_); }
  redisContext* get() const { return c_; }
  bool broken() const { return c_->err != 0; }

 private:
  redisContext* c_;
};

absl::StatusOr<RedisSessionStore::Address> RedisSessionStore::ParseUrl(
    const std::string& url) {
  auto bad = [&url](const std::string& why) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad Redis address '", url, "': ", why,
                     " (expected redis://[:PASSWORD@]HOST:PORT[/DB])"));
  };
  if (!absl::StartsWith(url, "redis://")) return bad("not redis://");
  std::string rest = url.substr(8);
  Address a;
  if (size_t at = rest.rfind('@'); at != std::string::npos) {
    std::string auth = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (!absl::StartsWith(auth, ":"))
      return bad("only a password is supported");
    a.password = auth.substr(1);
  }
  if (size_t slash = rest.find('/'); slash != std::string::npos) {
    std::string db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!db.empty() && (!absl::SimpleAtoi(db, &a.db) || a.db < 0)) {
      return bad("the database must be a number");
    }
  }
  std::string port;
  if (absl::StartsWith(rest, "[")) {  // [::1]:6379
    size_t close = rest.find(']');
    if (close == std::string::npos) return bad("unclosed '['");
    a.host = rest.substr(1, close - 1);
    if (rest.size() > close + 1) {
      if (rest[close + 1] != ':') return bad("expected ':' after ']'");
      port = rest.substr(close + 2);
    }
  } else if (size_t colon = rest.rfind(':'); colon != std::string::npos) {
    a.host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  } else {
    a.host = rest;
  }
  if (a.host.empty()) return bad("no host");
  if (!port.empty() &&
      (!absl::SimpleAtoi(port, &a.port) || a.port < 1 || a.port > 65535)) {
    return bad("the port must be a number from 1 to 65535");
  }
  return a;
}

absl::StatusOr<std::unique_ptr<SessionStore>> RedisSessionStore::Open(
    const std::string& url, const Clock* clock, StoreOptions options) {
  ASSIGN_OR_RETURN(Address address, ParseUrl(url));
  std::unique_ptr<RedisSessionStore> store(
      new RedisSessionStore(std::move(address), clock, options));
  RETURN_IF_ERROR(store->Ping());
  return store;
}

RedisSessionStore::RedisSessionStore(Address address, const Clock* clock,
                                     StoreOptions options)
    : SessionStore(clock, options), address_(std::move(address)) {}

RedisSessionStore::~RedisSessionStore() = default;

std::string RedisSessionStore::Describe() const {
  return absl::StrCat("redis://", address_.host, ":", address_.port, "/",
                      address_.db);
}

std::string RedisSessionStore::Key(const std::string& name) const {
  return kKeyPrefix + name;
}

std::string RedisSessionStore::UserKey(const std::string& user) const {
  return kUserPrefix + user;
}

absl::StatusOr<std::unique_ptr<RedisSessionStore::Connection>>
RedisSessionStore::Connect() const {
  redisContext* c = redisConnectWithTimeout(address_.host.c_str(),
                                            address_.port, kConnectTimeout);
  auto conn = std::make_unique<Connection>(c);
  if (c == nullptr || c->err) {
    return absl::UnavailableError(
        absl::StrCat("cannot reach Redis at ", Describe(), ": ",
                     c ? c->errstr : "out of memory"));
  }
  redisSetTimeout(c, kReplyTimeout);
  auto check = [&](redisReply* r, const std::string& what) -> absl::Status {
    std::unique_ptr<redisReply, ReplyDeleter> reply(r);
    if (reply == nullptr) {
      return absl::UnavailableError(absl::StrCat(
          "Redis at ", Describe(), " did not answer: ", c->errstr));
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      return absl::UnavailableError(absl::StrCat(
          "Redis at ", Describe(), " refused ", what, ": ", reply->str));
    }
    return absl::OkStatus();
  };
  if (!address_.password.empty()) {
    RETURN_IF_ERROR(check(static_cast<redisReply*>(redisCommand(
                              c, "AUTH %s", address_.password.c_str())),
                          "the password"));
  }
  if (address_.db != 0) {
    RETURN_IF_ERROR(check(
        static_cast<redisReply*>(redisCommand(c, "SELECT %d", address_.db)),
        "the database"));
  }
  return conn;
}

absl::StatusOr<std::shared_ptr<redisReply>> RedisSessionStore::Command(
    const std::vector<std::string>& args) {
  std::unique_ptr<Connection> conn;
  {
    absl::MutexLock lock(&pool_mu_);
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (conn == nullptr) {
    ASSIGN_OR_RETURN(conn, Connect());
  }
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* raw = static_cast<redisReply*>(redisCommandArgv(
      conn->get(), static_cast<int>(args.size()), argv.data(), lens.data()));
  std::shared_ptr<redisReply> reply(raw, ReplyDeleter());
  if (reply == nullptr || conn->broken()) {
    // Redis restarted or went away: every pooled connection is as dead as
    // this one. Drop them all; the next calls open new ones.
    {
      absl::MutexLock lock(&pool_mu_);
      idle_.clear();
    }
    return absl::UnavailableError(absl::StrCat(
        "Redis at ", Describe(), " failed: ", conn->get()->errstr));
  }
  {
    absl::MutexLock lock(&pool_mu_);
    idle_.push_back(std::move(conn));
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("Redis at ", Describe(), " refused: ", reply->str));
  }
  return reply;
}

absl::Status RedisSessionStore::CreateBytes(const std::string& name,
                                            std::string bytes, absl::Time now) {
  ASSIGN_OR_RETURN(
      auto reply,
      Command({"EVAL", kCreateScript, "1", Key(name), std::move(bytes),
               absl::StrCat(absl::ToUnixMillis(now)),
               absl::StrCat(absl::ToInt64Milliseconds(options_.idle_ttl))}));
  if (reply->type == REDIS_REPLY_INTEGER && reply->integer == 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("session ", name, " already exists"));
  }
  return absl::OkStatus();
}

absl::StatusOr<SessionStore::Stored> RedisSessionStore::GetBytes(
    const std::string& name) {
  std::vector<std::string> args = {"HMGET", Key(name), "state", "version",
                                   "updated_ms"};
  absl::StatusOr<std::shared_ptr<redisReply>> reply = Command(args);
  // A pooled connection may have gone stale (Redis restarted); the failure
  // emptied the pool, so a second try connects afresh. Only reads are
  // retried here: a write whose answer was lost may have been applied.
  if (absl::IsUnavailable(reply.status())) reply = Command(args);
  RETURN_IF_ERROR(reply.status());
  const redisReply* r = reply->get();
  if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
      r->element[0]->type != REDIS_REPLY_STRING) {
    return NotFound(name);
  }
  Stored stored;
  stored.bytes.assign(r->element[0]->str, r->element[0]->len);
  int64_t ms = 0;
  if (r->element[1]->type != REDIS_REPLY_STRING ||
      r->element[2]->type != REDIS_REPLY_STRING ||
      !absl::SimpleAtoi(r->element[1]->str, &stored.version) ||
      !absl::SimpleAtoi(r->element[2]->str, &ms)) {
    return absl::DataLossError(
        absl::StrCat("the stored conversation '", name, "' cannot be read"));
  }
  stored.updated = absl::FromUnixMillis(ms);
  return stored;
}

absl::Status RedisSessionStore::UpdateBytes(const std::string& name,
                                            std::string bytes,
                                            int64_t expected_version,
                                            absl::Time now) {
  ASSIGN_OR_RETURN(
      auto reply,
      Command({"EVAL", kUpdateScript, "1", Key(name),
               absl::StrCat(expected_version), std::move(bytes),
               absl::StrCat(absl::ToUnixMillis(now)),
               absl::StrCat(absl::ToInt64Milliseconds(options_.idle_ttl))}));
  if (reply->type != REDIS_REPLY_INTEGER) {
    return absl::InternalError("Redis answered the update oddly");
  }
  if (reply->integer == -1) return NotFound(name);
  if (reply->integer == 0) return Changed();
  return absl::OkStatus();
}

absl::Status RedisSessionStore::Delete(const std::string& name) {
  ASSIGN_OR_RETURN(auto reply, Command({"DEL", Key(name)}));
  if (reply->type == REDIS_REPLY_INTEGER && reply->integer == 0) {
    return NotFound(name);
  }
  return absl::OkStatus();
}

absl::Status RedisSessionStore::PutLink(const std::string& user,
                                        const std::string& name,
                                        absl::Time now) {
  return Command({"SET", UserKey(user),
                  absl::StrCat(name, " ", absl::ToUnixMillis(now)), "PX",
                  absl::StrCat(absl::ToInt64Milliseconds(options_.idle_ttl))})
      .status();
}

absl::StatusOr<SessionStore::Link> RedisSessionStore::GetLink(
    const std::string& user) {
  std::vector<std::string> args = {"GET", UserKey(user)};
  absl::StatusOr<std::shared_ptr<redisReply>> reply = Command(args);
  if (absl::IsUnavailable(reply.status())) reply = Command(args);
  RETURN_IF_ERROR(reply.status());
  if ((*reply)->type != REDIS_REPLY_STRING) {
    return absl::NotFoundError("no conversation for this person");
  }
  std::string value((*reply)->str, (*reply)->len);
  size_t space = value.rfind(' ');
  int64_t ms = 0;
  if (space == std::string::npos ||
      !absl::SimpleAtoi(value.substr(space + 1), &ms)) {
    return absl::DataLossError("a person's link cannot be read");
  }
  return Link{value.substr(0, space), absl::FromUnixMillis(ms)};
}

absl::Status RedisSessionStore::UnlinkUser(const std::string& user) {
  return Command({"DEL", UserKey(user)}).status();
}

absl::Status RedisSessionStore::Ping() {
  absl::StatusOr<std::shared_ptr<redisReply>> reply = Command({"PING"});
  if (absl::IsUnavailable(reply.status())) reply = Command({"PING"});
  return reply.status();
}

absl::Status RedisSessionStore::Scrub() {
  scrubber_.Request();
  return absl::OkStatus();
}

absl::Status RedisSessionStore::ScrubNow() {
  // A rewrite already running began before the erase and would keep its
  // data: wait for it to end, then ask for a new one.
  const absl::Time give_up = absl::Now() + kScrubWait;
  bool aof = false;
  while (true) {
    ASSIGN_OR_RETURN(auto info, Command({"INFO", "persistence"}));
    std::string text(info->str, info->len);
    aof = absl::StrContains(text, "aof_enabled:1");
    if (!absl::StrContains(text, "aof_rewrite_in_progress:1") &&
        !absl::StrContains(text, "rdb_bgsave_in_progress:1")) {
      break;
    }
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError("Redis kept rewriting its files");
    }
    if (scrubber_.stopping()) {
      return absl::CancelledError("the server is stopping");
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  if (aof) RETURN_IF_ERROR(Command({"BGREWRITEAOF"}).status());
  // A snapshot is saved only where snapshots are configured.
  absl::StatusOr<std::shared_ptr<redisReply>> save =
      Command({"CONFIG", "GET", "save"});
  if (save.ok() && (*save)->type == REDIS_REPLY_ARRAY &&
      (*save)->elements == 2 && (*save)->element[1]->len > 0) {
    RETURN_IF_ERROR(Command({"BGSAVE", "SCHEDULE"}).status());
  }
  return absl::OkStatus();
}

}  // namespace dirigo
