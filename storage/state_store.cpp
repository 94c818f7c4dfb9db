// The daemon's metadata database.
#include "storage/state_store.hpp"

#include <sqlite3.h>

#include "base/error.hpp"
#include "base/time.hpp"
#include "storage/state_schema.hpp"

namespace berth::storage {

namespace {

caf::error db_error(sqlite3* db, const std::string& what) {
  return make_error(errc::system, "state store: " + what + ": " + sqlite3_errmsg(db));
}

// A prepared statement that finalizes itself.
class statement {
 public:
  statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~statement() { sqlite3_finalize(stmt_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  [[nodiscard]] bool ok() const { return stmt_ != nullptr; }
  void bind(int index, const std::string& text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  int step() { return sqlite3_step(stmt_); }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string column_text(int index) {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, index))) : "";
  }
  int column_int(int index) { return sqlite3_column_int(stmt_, index); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

} // namespace

caf::expected<std::unique_ptr<state_store>> state_store::open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    auto err = make_error(errc::system, "state store: open " + path + ": " +
                                            (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close(db);
    return err;
  }
  std::unique_ptr<state_store> store{new state_store(db)};
  sqlite3_busy_timeout(db, 5000);
  // WAL keeps readers and the writer apart and survives a crash at any point; synchronous=NORMAL
  // in WAL mode never corrupts the database, it can only lose the last commits on power loss.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                             "PRAGMA foreign_keys=ON", "PRAGMA temp_store=MEMORY"}) {
    if (auto err = store->exec(pragma)) return err;
  }
  if (auto err = store->migrate()) return err;
  return store;
}

state_store::~state_store() {
  sqlite3_close(db_);
}

int state_store::latest_schema_version() {
  return static_cast<int>(state_migrations().size());
}

caf::error state_store::exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string text = msg ? msg : "unknown error";
    sqlite3_free(msg);
    return make_error(errc::system, "state store: " + text);
  }
  return {};
}

caf::error state_store::migrate() {
  statement version{db_, "PRAGMA user_version"};
  if (!version.ok() || version.step() != SQLITE_ROW) return db_error(db_, "read schema version");
  schema_version_ = version.column_int(0);
  const auto& migrations = state_migrations();
  if (schema_version_ > static_cast<int>(migrations.size()))
    return make_error(errc::system,
                      "state store: schema version " + std::to_string(schema_version_) +
                          " is newer than this berthd knows (" + std::to_string(migrations.size()) +
                          "); refusing to downgrade");
  for (auto next = static_cast<size_t>(schema_version_); next < migrations.size(); ++next) {
    // Each migration and its version bump commit together.
    std::string sql = "BEGIN IMMEDIATE;";
    sql += migrations[next];
    sql += ";PRAGMA user_version=" + std::to_string(next + 1) + ";COMMIT;";
    if (auto err = exec(sql.c_str())) {
      (void)exec("ROLLBACK");
      return err;
    }
    schema_version_ = static_cast<int>(next + 1);
  }
  return {};
}

caf::error state_store::apply(const std::vector<state_op>& ops) {
  if (ops.empty()) return {};
  if (auto err = exec("BEGIN IMMEDIATE")) return err;
  statement put{db_, "INSERT INTO objects(kind, id, body, updated_at) VALUES(?1, ?2, ?3, ?4) "
                     "ON CONFLICT(kind, id) DO UPDATE SET body=excluded.body, "
                     "updated_at=excluded.updated_at"};
  statement erase{db_, "DELETE FROM objects WHERE kind=?1 AND id=?2"};
  if (!put.ok() || !erase.ok()) {
    auto err = db_error(db_, "prepare");
    (void)exec("ROLLBACK");
    return err;
  }
  auto now = unix_nanos_now();
  for (const auto& op : ops) {
    auto& stmt = op.act == state_op::action::put ? put : erase;
    stmt.bind(1, op.kind);
    stmt.bind(2, op.id);
    if (op.act == state_op::action::put) {
      stmt.bind(3, op.body);
      stmt.bind(4, now);
    }
    int rc = stmt.step();
    stmt.reset();
    if (rc != SQLITE_DONE) {
      auto err = db_error(db_, "write " + op.kind + "/" + op.id);
      (void)exec("ROLLBACK");
      return err;
    }
  }
  return exec("COMMIT");
}

caf::expected<std::vector<state_record>> state_store::load(const std::string& kind) {
  statement q{db_, "SELECT id, body FROM objects WHERE kind=?1 ORDER BY id"};
  if (!q.ok()) return db_error(db_, "prepare load");
  q.bind(1, kind);
  std::vector<state_record> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW)
    out.push_back({q.column_text(0), q.column_text(1)});
  if (rc != SQLITE_DONE) return db_error(db_, "load " + kind);
  return out;
}

caf::expected<std::optional<std::string>> state_store::get(const std::string& kind,
                                                           const std::string& id) {
  statement q{db_, "SELECT body FROM objects WHERE kind=?1 AND id=?2"};
  if (!q.ok()) return db_error(db_, "prepare get");
  q.bind(1, kind);
  q.bind(2, id);
  int rc = q.step();
  if (rc == SQLITE_ROW) return std::optional<std::string>{q.column_text(0)};
  if (rc != SQLITE_DONE) return db_error(db_, "get " + kind + "/" + id);
  return std::optional<std::string>{};
}

caf::expected<std::optional<std::string>> state_store::get_meta(const std::string& key) {
  statement q{db_, "SELECT value FROM meta WHERE key=?1"};
  if (!q.ok()) return db_error(db_, "prepare get_meta");
  q.bind(1, key);
  int rc = q.step();
  if (rc == SQLITE_ROW) return std::optional<std::string>{q.column_text(0)};
  if (rc != SQLITE_DONE) return db_error(db_, "get meta " + key);
  return std::optional<std::string>{};
}

caf::error state_store::set_meta(const std::string& key, const std::string& value) {
  statement q{db_, "INSERT INTO meta(key, value) VALUES(?1, ?2) "
                   "ON CONFLICT(key) DO UPDATE SET value=excluded.value"};
  if (!q.ok()) return db_error(db_, "prepare set_meta");
  q.bind(1, key);
  q.bind(2, value);
  if (q.step() != SQLITE_DONE) return db_error(db_, "set meta " + key);
  return {};
}

} // namespace berth::storage
