#include "advisor/sqlite_session_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace dirigo {
namespace {

// How often idle sessions are freed.
constexpr absl::Duration kSweepPeriod = absl::Minutes(1);
// PRAGMA application_id of a Dirigo session file ("DIRG").
constexpr int64_t kApplicationId = 0x44495247;

// Migration i brings a file from schema version i to i + 1.
const std::vector<std::string>& Migrations() {
  static const auto* migrations = new std::vector<std::string>{
      // 0 → 1: one row per session.
      "CREATE TABLE sessions ("
      "  name TEXT PRIMARY KEY,"
      "  version INTEGER NOT NULL,"
      "  updated_ms INTEGER NOT NULL,"
      "  state BLOB NOT NULL"
      ") WITHOUT ROWID;"
      "CREATE INDEX sessions_by_update ON sessions(updated_ms);",
      // 1 → 2: people of a channel linked to their session.
      "CREATE TABLE users ("
      "  user TEXT PRIMARY KEY,"
      "  name TEXT NOT NULL,"
      "  updated_ms INTEGER NOT NULL"
      ") WITHOUT ROWID;",
  };
  return *migrations;
}

// A prepared statement, finalised when it goes out of scope.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // SQLITE_OK once prepared.
  Statement& Bind(int i, const std::string& text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()),
                      SQLITE_STATIC);
    return *this;
  }
  Statement& BindBlob(int i, const std::string& bytes) {
    sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()),
                      SQLITE_STATIC);
    return *this;
  }
  Statement& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error (the preparation's, if it failed).
  int Step() { return rc_ != SQLITE_OK ? rc_ : sqlite3_step(stmt_); }
  int64_t Int(int col) { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p == nullptr ? std::string() : reinterpret_cast<const char*>(p);
  }
  std::string Blob(int col) {
    const void* p = sqlite3_column_blob(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return p == nullptr ? std::string()
                        : std::string(static_cast<const char*>(p), n);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<SessionStore>> SqliteSessionStore::Open(
    const std::string& path, const Clock* clock, StoreOptions options) {
  if (path.empty()) {
    return absl::InvalidArgumentError(
        "--store=sqlite:PATH needs a file path (e.g. sqlite:var/dirigo.db)");
  }
  // The file holds what people said, and a session's name is its only key:
  // a new folder and file are readable by this user only (SQLite gives the
  // -wal and -shm files the same mode).
  std::filesystem::path folder = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!folder.empty() && !std::filesystem::exists(folder)) {
    std::filesystem::create_directories(folder, ec);
    if (!ec) {
      std::filesystem::permissions(folder, std::filesystem::perms::owner_all,
                                   ec);
    }
  }
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create the folder ", folder.string(), " for ",
                     path, ": ", ec.message()));
  }
  if (int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
      fd >= 0) {
    close(fd);
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open the session database ", path, ": ", why));
  }
  sqlite3_busy_timeout(
      db, static_cast<int>(absl::ToInt64Milliseconds(options.lock_timeout)));
  std::unique_ptr<SqliteSessionStore> store(
      new SqliteSessionStore(path, db, clock, options));
  {
    absl::MutexLock lock(&store->mu_);
    // WAL: readers never wait for the writer, and a crash loses nothing
    // committed. secure_delete: freed space is overwritten with zeros.
    // journal_size_limit=0: the log shrinks to nothing at each checkpoint,
    // so old copies of sessions do not linger in it.
    {
      Statement wal(store->db_, "PRAGMA journal_mode=WAL;");
      int rc = wal.Step();
      if (rc != SQLITE_ROW) return store->Error(rc, "opening");
      if (wal.Text(0) != "wal") {
        return absl::FailedPreconditionError(absl::StrCat(
            "the session database ", path, " cannot use write-ahead logging (",
            wal.Text(0), " instead)"));
      }
    }
    RETURN_IF_ERROR(store->Exec(options.sync_every_turn
                                    ? "PRAGMA synchronous=FULL;"
                                    : "PRAGMA synchronous=NORMAL;",
                                "opening"));
    RETURN_IF_ERROR(store->Exec(
        "PRAGMA secure_delete=ON; PRAGMA journal_size_limit=0;", "opening"));
    RETURN_IF_ERROR(store->Migrate());
  }
  return store;
}

SqliteSessionStore::SqliteSessionStore(std::string path, sqlite3* db,
                                       const Clock* clock, StoreOptions options)
    : SessionStore(clock, options),
      path_(std::move(path)),
      db_(db),
      last_sweep_(absl::InfinitePast()) {}

SqliteSessionStore::~SqliteSessionStore() {
  scrubber_.Stop();
  absl::MutexLock lock(&mu_);
  sqlite3_close(db_);
}

absl::Status SqliteSessionStore::Error(int rc, const std::string& what) const {
  const std::string detail =
      absl::StrCat(" (", what, " ", path_, ": ", sqlite3_errmsg(db_), ")");
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(absl::StrCat(
          "the session database is locked by another program", detail));
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return absl::FailedPreconditionError(absl::StrCat(
          "the session database is corrupt or not a Dirigo database", detail));
    case SQLITE_FULL:
      return absl::ResourceExhaustedError(
          absl::StrCat("the disk of the session database is full", detail));
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return absl::FailedPreconditionError(
          absl::StrCat("the session database cannot be written", detail));
    default:
      return absl::UnavailableError(
          absl::StrCat("the session database failed", detail));
  }
}

absl::Status SqliteSessionStore::Exec(const std::string& sql,
                                      const std::string& what) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK) return Error(rc, what);
  return absl::OkStatus();
}

absl::Status SqliteSessionStore::Migrate() {
  // In one write transaction, so that two servers starting on a new file do
  // not both migrate it.
  RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE;", "opening"));
  absl::Status status = MigrateLocked();
  if (!status.ok()) {
    (void)Exec("ROLLBACK;", "opening");
    return status;
  }
  return Exec("COMMIT;", "opening");
}

absl::Status SqliteSessionStore::MigrateLocked() {
  auto read = [this](const char* pragma) -> absl::StatusOr<int64_t> {
    Statement s(db_, pragma);
    int rc = s.Step();
    if (rc != SQLITE_ROW) return Error(rc, "reading");
    return s.Int(0);
  };
  ASSIGN_OR_RETURN(int64_t current, read("PRAGMA user_version;"));
  ASSIGN_OR_RETURN(int64_t app, read("PRAGMA application_id;"));
  ASSIGN_OR_RETURN(int64_t tables, read("SELECT count(*) FROM sqlite_master;"));
  // Files of this Dirigo from before application_id have a user_version.
  if (app != kApplicationId && (app != 0 || (tables > 0 && current == 0))) {
    // Another program's database: never add tables to it.
    return absl::FailedPreconditionError(absl::StrCat(
        "the session database is corrupt or not a Dirigo database (opening ",
        path_, ": it belongs to another program)"));
  }
  const int64_t latest = static_cast<int64_t>(Migrations().size());
  if (current > latest) {
    return absl::FailedPreconditionError(
        absl::StrCat("the session database ", path_,
                     " was written by a newer Dirigo (schema ", current,
                     "; this version reads up to ", latest, ")"));
  }
  for (int64_t v = current; v < latest; ++v) {
    RETURN_IF_ERROR(Exec(Migrations()[v], "migrating"));
  }
  return Exec(absl::StrCat("PRAGMA application_id=", kApplicationId,
                           "; PRAGMA user_version=", latest, ";"),
              "migrating");
}

void SqliteSessionStore::SweepLocked(absl::Time now) {
  if (now - last_sweep_ < kSweepPeriod) return;
  last_sweep_ = now;
  for (const char* sql : {"DELETE FROM sessions WHERE updated_ms < ?;",
                          "DELETE FROM users WHERE updated_ms < ?;"}) {
    Statement sweep(db_, sql);
    sweep.Bind(1, absl::ToUnixMillis(now - options_.idle_ttl));
    (void)sweep.Step();  // a failed sweep only delays freeing
  }
}

absl::Status SqliteSessionStore::CreateBytes(const std::string& name,
                                             std::string bytes,
                                             absl::Time now) {
  absl::MutexLock lock(&mu_);
  SweepLocked(now);
  Statement insert(db_,
                   "INSERT INTO sessions(name, version, updated_ms, state) "
                   "VALUES (?, 1, ?, ?);");
  insert.Bind(1, name).Bind(2, absl::ToUnixMillis(now)).BindBlob(3, bytes);
  int rc = insert.Step();
  if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT) {
    return absl::AlreadyExistsError(
        absl::StrCat("session ", name, " already exists"));
  }
  if (rc != SQLITE_DONE) return Error(rc, "saving a new conversation in");
  return absl::OkStatus();
}

absl::StatusOr<SessionStore::Stored> SqliteSessionStore::GetBytes(
    const std::string& name) {
  absl::MutexLock lock(&mu_);
  Statement select(
      db_, "SELECT state, version, updated_ms FROM sessions WHERE name = ?;");
  select.Bind(1, name);
  int rc = select.Step();
  if (rc == SQLITE_DONE) return NotFound(name);
  if (rc != SQLITE_ROW) return Error(rc, "reading a conversation from");
  return Stored{select.Blob(0), select.Int(1),
                absl::FromUnixMillis(select.Int(2))};
}

absl::Status SqliteSessionStore::UpdateBytes(const std::string& name,
                                             std::string bytes,
                                             int64_t expected_version,
                                             absl::Time now) {
  absl::MutexLock lock(&mu_);
  Statement update(db_,
                   "UPDATE sessions SET state = ?, version = version + 1, "
                   "updated_ms = ? WHERE name = ? AND version = ?;");
  update.BindBlob(1, bytes)
      .Bind(2, absl::ToUnixMillis(now))
      .Bind(3, name)
      .Bind(4, expected_version);
  int rc = update.Step();
  if (rc != SQLITE_DONE) return Error(rc, "saving a turn in");
  if (sqlite3_changes(db_) == 1) return absl::OkStatus();
  Statement exists(db_, "SELECT 1 FROM sessions WHERE name = ?;");
  exists.Bind(1, name);
  rc = exists.Step();
  if (rc == SQLITE_ROW) return Changed();
  if (rc == SQLITE_DONE) return NotFound(name);
  return Error(rc, "reading a conversation from");
}

absl::Status SqliteSessionStore::Delete(const std::string& name) {
  absl::MutexLock lock(&mu_);
  Statement erase(db_, "DELETE FROM sessions WHERE name = ?;");
  erase.Bind(1, name);
  int rc = erase.Step();
  if (rc != SQLITE_DONE) return Error(rc, "deleting a conversation from");
  if (sqlite3_changes(db_) == 0) return NotFound(name);
  return absl::OkStatus();
}

absl::Status SqliteSessionStore::PutLink(const std::string& user,
                                         const std::string& name,
                                         absl::Time now) {
  absl::MutexLock lock(&mu_);
  Statement put(db_,
                "INSERT INTO users(user, name, updated_ms) VALUES (?, ?, ?) "
                "ON CONFLICT(user) DO UPDATE SET name = excluded.name, "
                "updated_ms = excluded.updated_ms;");
  put.Bind(1, user).Bind(2, name).Bind(3, absl::ToUnixMillis(now));
  int rc = put.Step();
  if (rc != SQLITE_DONE) return Error(rc, "linking a person in");
  return absl::OkStatus();
}

absl::StatusOr<SessionStore::Link> SqliteSessionStore::GetLink(
    const std::string& user) {
  absl::MutexLock lock(&mu_);
  Statement get(db_, "SELECT name, updated_ms FROM users WHERE user = ?;");
  get.Bind(1, user);
  int rc = get.Step();
  if (rc == SQLITE_DONE) {
    return absl::NotFoundError("no conversation for this person");
  }
  if (rc != SQLITE_ROW) return Error(rc, "reading a person's link from");
  return Link{get.Text(0), absl::FromUnixMillis(get.Int(1))};
}

absl::Status SqliteSessionStore::UnlinkUser(const std::string& user) {
  absl::MutexLock lock(&mu_);
  Statement erase(db_, "DELETE FROM users WHERE user = ?;");
  erase.Bind(1, user);
  int rc = erase.Step();
  if (rc != SQLITE_DONE) return Error(rc, "unlinking a person in");
  return absl::OkStatus();
}

absl::Status SqliteSessionStore::Scrub() {
  scrubber_.Request();
  return absl::OkStatus();
}

absl::Status SqliteSessionStore::ScrubNow() {
  absl::MutexLock lock(&mu_);
  // Copies every page of the log into the file (where secure_delete has
  // zeroed what was freed) and truncates the log to nothing. Another
  // process reading the file can hold the log back: then it is an error.
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE,
                                     nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "scrubbing the log of");
  return absl::OkStatus();
}

absl::Status SqliteSessionStore::Ping() {
  // In use by a turn: health must not wait for that turn (a turn stuck on
  // the file shows as calls waiting for a worker); the last reading stands.
  if (!mu_.TryLock()) {
    absl::MutexLock lock(&ping_mu_);
    return last_ping_;
  }
  int rc = SQLITE_OK;
  {
    Statement ping(db_, "SELECT name FROM sessions LIMIT 1;");
    rc = ping.Step();
  }
  absl::Status status = rc == SQLITE_ROW || rc == SQLITE_DONE
                            ? absl::OkStatus()
                            : Error(rc, "reading");
  mu_.Unlock();
  absl::MutexLock lock(&ping_mu_);
  last_ping_ = status;
  return status;
}

}  // namespace dirigo
