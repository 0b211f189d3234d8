#include "cache/call_cache.h"

#include "common/json_reader.h"
#include "sqlite/checkpointer.h"
#include "sqlite/sqlite_stmt.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

namespace llmflow::cache {

namespace {
const char *const kSchema = R"sql(
CREATE TABLE llmflow_call_cache (version INTEGER NOT NULL);
CREATE TABLE calls (
  key TEXT PRIMARY KEY, node TEXT NOT NULL, value TEXT NOT NULL, tokens_in INTEGER, tokens_out INTEGER,
  request TEXT, response TEXT, stderr TEXT, stored_at INTEGER NOT NULL) WITHOUT ROWID;
)sql";

std::string jsonText(const llvm::json::Value &v) { return llvm::formatv("{0}", v).str(); }
} // namespace

struct CallCache::Impl {
  sqlite3 *db = nullptr;
  sqlite::Stmt get, put;
  std::unique_ptr<sqlite::Checkpointer> checkpointer;
  ~Impl() {
    checkpointer.reset();
    sqlite3_finalize(get.s), get.s = nullptr;
    sqlite3_finalize(put.s), put.s = nullptr;
    sqlite3_close_v2(db);
  }
};

CallCache::CallCache(std::string path) : path(std::move(path)), impl(std::make_unique<Impl>()) {}
CallCache::~CallCache() = default;

llvm::Expected<std::unique_ptr<CallCache>> CallCache::open(const std::string &given) {
  std::string path = given;
  if (llvm::sys::fs::is_directory(given)) {
    llvm::SmallString<256> p(given);
    llvm::sys::path::append(p, kFileName);
    path = std::string(p);
  }
  std::unique_ptr<CallCache> c(new CallCache(path));
  sqlite3 *&db = c->impl->db;
  auto error = [&](llvm::StringRef what) {
    return llvm::createStringError(std::errc::io_error, "cache '%s': %s: %s%s", path.c_str(), what.str().c_str(),
                                   db ? sqlite3_errmsg(db) : "cannot allocate", sqlite::reason(db).c_str());
  };
  auto exec = [&](const char *sql, llvm::StringRef what) -> llvm::Error {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
      return error(what);
    return llvm::Error::success();
  };
  auto prepare = [&](sqlite::Stmt &s, const char *sql) -> llvm::Error {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s.s, nullptr) != SQLITE_OK)
      return error("cannot prepare a statement");
    return llvm::Error::success();
  };
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK)
    return error("cannot open");
  sqlite3_extended_result_codes(db, 1);
  if (sqlite3_db_readonly(db, "main") == 1)
    return llvm::createStringError(std::errc::read_only_file_system, "cache '%s': the file is read-only",
                                   path.c_str());
  // Several llmflow processes may share a cache: wait for another's write
  // rather than fail.
  sqlite3_busy_timeout(db, 5000);
  if (llvm::Error e = exec("PRAGMA journal_mode = WAL", "cannot switch to WAL mode"))
    return std::move(e);
  // A killed process loses at most its last entries (they are recomputed
  // next time), never the file's consistency: no fsync per entry.
  if (llvm::Error e = exec("PRAGMA synchronous = NORMAL", "cannot set synchronous"))
    return std::move(e);
  if (llvm::Error e = exec("BEGIN IMMEDIATE", "cannot start a transaction"))
    return std::move(e);
  bool marked = false, other = false;
  {
    sqlite::Stmt tables;
    if (llvm::Error e = prepare(tables, "SELECT name FROM sqlite_schema WHERE type = 'table'"))
      return std::move(e);
    int rc;
    while ((rc = sqlite3_step(tables.s)) == SQLITE_ROW)
      (tables.column(0) == "llmflow_call_cache" ? marked : other) = true;
    if (rc != SQLITE_DONE)
      return error("cannot read the schema");
  }
  if (!marked && other)
    return llvm::createStringError(std::errc::invalid_argument,
                                   "cache '%s': an SQLite database, but not an llmflow call cache", path.c_str());
  if (!marked) {
    if (llvm::Error e = exec(kSchema, "cannot create the schema"))
      return std::move(e);
    std::string ins = llvm::formatv("INSERT INTO llmflow_call_cache VALUES ({0})", kSchemaVersion).str();
    if (llvm::Error e = exec(ins.c_str(), "cannot create the schema"))
      return std::move(e);
  } else {
    sqlite::Stmt version;
    if (llvm::Error e = prepare(version, "SELECT version FROM llmflow_call_cache"))
      return std::move(e);
    if (sqlite3_step(version.s) != SQLITE_ROW || version.columnInt(0) != kSchemaVersion)
      return llvm::createStringError(std::errc::invalid_argument,
                                     "cache '%s': another schema version than this llmflow's (%d); give a new file",
                                     path.c_str(), kSchemaVersion);
  }
  if (llvm::Error e = exec("COMMIT", "cannot write"))
    return std::move(e);
  // Checkpoints off the engine's thread; without the second connection,
  // SQLite's own (after a commit) still keep the log bounded.
  auto checkpointer = std::make_unique<sqlite::Checkpointer>(path);
  if (checkpointer->firstError().empty()) {
    checkpointer->watch(db, 1000);
    c->impl->checkpointer = std::move(checkpointer);
  }
  if (llvm::Error e = prepare(c->impl->get, "SELECT value, tokens_in, tokens_out, request, response, stderr "
                                            "FROM calls WHERE key = ?1"))
    return std::move(e);
  if (llvm::Error e = prepare(c->impl->put, "INSERT OR IGNORE INTO calls VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                                            "CAST(strftime('%s', 'now') AS INTEGER))"))
    return std::move(e);
  return std::move(c);
}

llvm::Expected<std::optional<CachedCall>> CallCache::lookup(llvm::StringRef key) {
  sqlite::Stmt &s = impl->get;
  s.text(1, key);
  auto done = llvm::make_scope_exit([&] { s.reset(); });
  int rc = sqlite3_step(s.s);
  if (rc == SQLITE_DONE)
    return std::nullopt;
  auto damaged = [&](llvm::StringRef why) {
    return llvm::createStringError(std::errc::invalid_argument, "cache '%s': entry %s: %s", path.c_str(),
                                   key.str().c_str(), why.str().c_str());
  };
  if (rc != SQLITE_ROW)
    return damaged(std::string("cannot read: ") + sqlite3_errmsg(impl->db) + sqlite::reason(impl->db));
  CachedCall c;
  auto value = parseJSON(s.column(0));
  if (!value)
    return damaged("the value is not JSON (" + llvm::toString(value.takeError()) + ")");
  c.value = std::move(*value);
  c.tokensIn = s.columnOptional(1);
  c.tokensOut = s.columnOptional(2);
  if (!s.isNull(3)) {
    auto request = parseJSON(s.column(3));
    if (!request)
      return damaged("the request is not JSON (" + llvm::toString(request.takeError()) + ")");
    c.transcript = engine::Transcript{std::move(*request), s.column(4), s.column(5)};
  }
  return std::optional<CachedCall>(std::move(c));
}

llvm::Error CallCache::store(llvm::StringRef key, llvm::StringRef node, const CachedCall &call) {
  sqlite::Stmt &s = impl->put;
  s.text(1, key);
  s.text(2, node);
  s.text(3, jsonText(call.value));
  s.optional(4, call.tokensIn);
  s.optional(5, call.tokensOut);
  if (call.transcript) {
    s.text(6, jsonText(call.transcript->request));
    s.text(7, call.transcript->response);
    s.text(8, call.transcript->stderrText);
  }
  int rc = sqlite3_step(s.s);
  s.reset();
  if (rc != SQLITE_DONE)
    return llvm::createStringError(std::errc::io_error, "cache '%s': cannot store a result: %s%s", path.c_str(),
                                   sqlite3_errmsg(impl->db), sqlite::reason(impl->db).c_str());
  return llvm::Error::success();
}

} // namespace llmflow::cache
