#include "journal/sqlite_journal.h"

#include "common/json_reader.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/xxhash.h"

#include "sqlite/checkpointer.h"
#include "sqlite/sqlite_stmt.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace llmflow::journal {

/// Pages of write-ahead log after which a checkpoint runs (SQLite's default).
static constexpr int kCheckpointPages = 1000;

std::string jobKey(JobNumber job, const llvm::json::Object &inputs) {
  // llvm::json prints object keys sorted, so equal inputs hash equally.
  std::string text = llvm::formatv("{0}", llvm::json::Value(llvm::json::Object(inputs))).str();
  return llvm::formatv("{0}:{1:x16}", job, llvm::xxHash64(text)).str();
}

namespace {

// Tables keyed by their primary key (WITHOUT ROWID) are one B-tree each, so
// a commit writes fewer pages.
const char *const kSchema = R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE jobs (
  job INTEGER PRIMARY KEY, key TEXT NOT NULL, app TEXT NOT NULL, inputs TEXT NOT NULL,
  idempotency_key TEXT);
CREATE TABLE stages (
  job INTEGER NOT NULL, instance TEXT NOT NULL, seq INTEGER NOT NULL, node TEXT NOT NULL,
  starts INTEGER NOT NULL DEFAULT 1, done INTEGER NOT NULL DEFAULT 0, llm INTEGER, ok INTEGER,
  value TEXT, error TEXT, tokens_in INTEGER, tokens_out INTEGER, duration REAL, attempts INTEGER,
  endpoint TEXT, PRIMARY KEY (job, instance, seq)) WITHOUT ROWID;
CREATE TABLE expansions (
  job INTEGER NOT NULL, instance TEXT NOT NULL, node TEXT NOT NULL, structure TEXT NOT NULL,
  size INTEGER NOT NULL, PRIMARY KEY (job, instance, structure, size)) WITHOUT ROWID;
CREATE TABLE job_ends (
  job INTEGER PRIMARY KEY, ok INTEGER NOT NULL, result TEXT, error TEXT, arrival REAL, finish REAL,
  llm_calls INTEGER, tool_calls INTEGER, tokens_in INTEGER, tokens_out INTEGER);
)sql";

std::string jsonText(const llvm::json::Value &v) { return llvm::formatv("{0}", v).str(); }

using sqlite::Stmt;

/// A value (as JSON text) at column i, or else the error at i + 1.
void bindOutcome(Stmt &s, int i, bool ok, const llvm::json::Value &value, llvm::StringRef error) {
  if (ok)
    s.text(i, jsonText(value));
  else
    s.text(i + 1, error);
}

class SQLiteJournal : public Journal {
public:
  explicit SQLiteJournal(std::string path) : path(std::move(path)) {}
  ~SQLiteJournal() override {
    checkpointer.reset();
    // Uncommitted writes are dropped: only commit() makes a record count.
    for (Stmt *s : {&insJob, &insStart, &insResult, &insExpansion, &insEnd})
      sqlite3_finalize(s->s), s->s = nullptr;
    sqlite3_close_v2(db);
    // Last: closing any descriptor of the file drops the process's POSIX
    // locks on it, SQLite's included.
    if (ownerLock >= 0)
      ::close(ownerLock);
  }

  llvm::Error open(const SQLiteOptions &o);

  std::string name() const override { return path; }
  llvm::Expected<JournalContents> load() override;
  void admit(Admission a) override;
  void stageStarted(const StageKey &k, llvm::StringRef node) override;
  void stageFinished(const StageKey &k, StageResult r) override;
  void expanded(const Expansion &e) override;
  void jobEnded(JobEnd e) override;
  llvm::Error commit() override;

private:
  /// An error naming the file, what failed and SQLite's own message.
  llvm::Error error(llvm::StringRef what) const;
  llvm::Error exec(const char *sql, const char *what);
  llvm::Error prepare(Stmt &s, const char *sql);
  /// Runs a bound write inside the open transaction (opened on demand).
  void write(Stmt &s);
  llvm::Expected<llvm::json::Value> json(const std::string &text, llvm::StringRef what) const;

  std::string path;
  sqlite3 *db = nullptr;
  bool inTransaction = false;
  std::string firstError;
  Stmt insJob, insStart, insResult, insExpansion, insEnd;
  std::unique_ptr<sqlite::Checkpointer> checkpointer;
  int ownerLock = -1; // flock()ed: the one llmflow writing this journal
};

llvm::Error SQLiteJournal::error(llvm::StringRef what) const {
  std::string why = sqlite::reason(db);
  if ((sqlite3_errcode(db) & 0xff) == SQLITE_BUSY || (sqlite3_errcode(db) & 0xff) == SQLITE_LOCKED)
    why = " (another process has it open: one llmflow writes a journal at a time)";
  return llvm::createStringError(std::errc::io_error, "journal '%s': %s: %s%s", path.c_str(), what.str().c_str(),
                                 db ? sqlite3_errmsg(db) : "cannot allocate", why.c_str());
}

llvm::Error SQLiteJournal::exec(const char *sql, const char *what) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
    return error(what);
  return llvm::Error::success();
}

llvm::Error SQLiteJournal::prepare(Stmt &s, const char *sql) {
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s.s, nullptr) != SQLITE_OK)
    return error("cannot prepare a statement");
  return llvm::Error::success();
}

llvm::Error SQLiteJournal::open(const SQLiteOptions &o) {
  bool exists = llvm::sys::fs::exists(path);
  if (o.mustExist && !exists)
    return llvm::createStringError(std::errc::no_such_file_or_directory,
                                   "journal '%s': no such file (nothing to resume)", path.c_str());
  int flags = SQLITE_OPEN_READWRITE | (o.mustExist ? 0 : SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK)
    return error("cannot open");
  sqlite3_extended_result_codes(db, 1);
  if (sqlite3_db_readonly(db, "main") == 1)
    return llvm::createStringError(std::errc::read_only_file_system, "journal '%s': the file is read-only",
                                   path.c_str());
  // One writer: an advisory lock on the file, held until it is closed. Not
  // SQLite's exclusive locking mode, which would shut out the checkpointer's
  // connection (and a user's sqlite3 reading along).
  ownerLock = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ownerLock < 0 || ::flock(ownerLock, LOCK_EX | LOCK_NB) != 0) {
    bool held = ownerLock >= 0 && errno == EWOULDBLOCK;
    return llvm::createStringError(std::errc::resource_unavailable_try_again, "journal '%s': %s", path.c_str(),
                                   held ? "another process has it open: one llmflow writes a journal at a time"
                                        : std::strerror(errno));
  }
  {
    Stmt mode;
    if (llvm::Error e = prepare(mode, "PRAGMA journal_mode = WAL"))
      return e;
    if (sqlite3_step(mode.s) != SQLITE_ROW)
      return error("cannot switch to WAL mode");
    if (mode.column(0) != "wal")
      return llvm::createStringError(std::errc::io_error, "journal '%s': cannot switch to WAL mode (got '%s')",
                                     path.c_str(), mode.column(0).c_str());
  }
  if (llvm::Error e = exec(o.fullSync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                           "cannot set synchronous"))
    return e;
  // Closing would copy the whole log into the database, fsync both and
  // delete the log: tens of milliseconds at the end of every run. The log is
  // as good a home for committed records (the next open, or sqlite3, reads
  // it), so it stays beside the file, as it does after a kill.
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  if (llvm::Error e = exec("BEGIN IMMEDIATE", "cannot start a transaction"))
    return e;
  Stmt tables;
  if (llvm::Error e = prepare(tables, "SELECT name FROM sqlite_schema WHERE type = 'table'"))
    return e;
  bool versioned = false, other = false;
  int rc;
  while ((rc = sqlite3_step(tables.s)) == SQLITE_ROW)
    (tables.column(0) == "schema_version" ? versioned : other) = true;
  if (rc != SQLITE_DONE)
    return error("cannot read the schema");
  if (!versioned && other)
    return llvm::createStringError(std::errc::invalid_argument,
                                   "journal '%s': an SQLite database, but not an llmflow journal", path.c_str());
  if (!versioned) {
    if (llvm::Error e = exec(kSchema, "cannot create the schema"))
      return e;
    std::string ins = llvm::formatv("INSERT INTO schema_version VALUES ({0})", kSchemaVersion).str();
    if (llvm::Error e = exec(ins.c_str(), "cannot create the schema"))
      return e;
  } else {
    Stmt version;
    if (llvm::Error e = prepare(version, "SELECT version FROM schema_version"))
      return e;
    if (sqlite3_step(version.s) != SQLITE_ROW)
      return llvm::createStringError(std::errc::invalid_argument, "journal '%s': the schema version is missing",
                                     path.c_str());
    int64_t v = version.columnInt(0);
    if (v != kSchemaVersion)
      return llvm::createStringError(std::errc::invalid_argument,
                                     "journal '%s': schema version %lld, but this llmflow reads version %d",
                                     path.c_str(), (long long)v, kSchemaVersion);
    if (!o.mustExist) {
      Stmt count;
      if (llvm::Error e = prepare(count, "SELECT count(*) FROM jobs"))
        return e;
      if (sqlite3_step(count.s) != SQLITE_ROW)
        return error("cannot read the jobs");
      if (count.columnInt(0) > 0)
        return llvm::createStringError(std::errc::file_exists,
                                       "journal '%s' already holds a run: finish it with --resume, or give a new file",
                                       path.c_str());
    }
  }
  sqlite3_finalize(tables.s); // the schema read must not hold the transaction open
  tables.s = nullptr;
  if (llvm::Error e = exec("COMMIT", "cannot commit"))
    return e;
  // Checkpoints beside the writer, every kCheckpointPages pages of log.
  checkpointer = std::make_unique<sqlite::Checkpointer>(path);
  if (std::string e = checkpointer->firstError(); !e.empty())
    return llvm::createStringError(std::errc::io_error, "journal '%s': cannot open for checkpoints: %s",
                                   path.c_str(), e.c_str());
  checkpointer->watch(db, kCheckpointPages);
  // From here on the only other connection is ours (or a reader): a lock
  // held for a moment is waited for, not a failure.
  sqlite3_busy_timeout(db, 5000);
  if (llvm::Error e = prepare(insJob, "INSERT OR IGNORE INTO jobs VALUES (?1, ?2, ?3, ?4, ?5)"))
    return e;
  if (llvm::Error e = prepare(insStart, "INSERT INTO stages (job, instance, seq, node) VALUES (?1, ?2, ?3, ?4) "
                                        "ON CONFLICT DO UPDATE SET starts = starts + 1"))
    return e;
  if (llvm::Error e = prepare(insResult,
                              "INSERT INTO stages VALUES (?1, ?2, ?3, ?4, 1, 1, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
                              "ON CONFLICT DO UPDATE SET done = 1, llm = ?5, ok = ?6, value = ?7, error = ?8, "
                              "tokens_in = ?9, tokens_out = ?10, duration = ?11, attempts = ?12, endpoint = ?13"))
    return e;
  if (llvm::Error e = prepare(insExpansion, "INSERT OR IGNORE INTO expansions VALUES (?1, ?2, ?3, ?4, ?5)"))
    return e;
  return prepare(insEnd, "INSERT OR REPLACE INTO job_ends VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
}

void SQLiteJournal::write(Stmt &s) {
  if (firstError.empty()) {
    if (!inTransaction) {
      if (sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK)
        inTransaction = true;
      else
        firstError = llvm::toString(error("cannot start a transaction"));
    }
    if (inTransaction && sqlite3_step(s.s) != SQLITE_DONE)
      firstError = llvm::toString(error("cannot write"));
  }
  sqlite3_reset(s.s);
  sqlite3_clear_bindings(s.s);
}

void SQLiteJournal::admit(Admission a) {
  insJob.integer(1, int64_t(a.job));
  insJob.text(2, a.key.empty() ? jobKey(a.job, a.inputs) : a.key);
  insJob.text(3, a.app);
  insJob.text(4, jsonText(llvm::json::Object(a.inputs)));
  if (!a.idempotencyKey.empty())
    insJob.text(5, a.idempotencyKey);
  write(insJob);
}

void SQLiteJournal::stageStarted(const StageKey &k, llvm::StringRef node) {
  insStart.integer(1, int64_t(k.job));
  insStart.text(2, k.instance);
  insStart.integer(3, k.seq);
  insStart.text(4, node);
  write(insStart);
}

void SQLiteJournal::stageFinished(const StageKey &k, StageResult r) {
  Stmt &s = insResult;
  s.integer(1, int64_t(k.job));
  s.text(2, k.instance);
  s.integer(3, k.seq);
  s.text(4, r.node);
  s.integer(5, r.llm);
  s.integer(6, r.ok);
  bindOutcome(s, 7, r.ok, r.value, r.error);
  s.optional(9, r.tokensIn);
  s.optional(10, r.tokensOut);
  s.real(11, r.duration);
  s.integer(12, r.attempts);
  s.text(13, r.endpoint);
  write(s);
}

void SQLiteJournal::expanded(const Expansion &e) {
  insExpansion.integer(1, int64_t(e.job));
  insExpansion.text(2, e.instance);
  insExpansion.text(3, e.node);
  insExpansion.text(4, e.structure);
  insExpansion.integer(5, e.size);
  write(insExpansion);
}

void SQLiteJournal::jobEnded(JobEnd e) {
  Stmt &s = insEnd;
  s.integer(1, int64_t(e.job));
  s.integer(2, e.ok);
  bindOutcome(s, 3, e.ok, e.result, e.error);
  s.real(5, e.arrival);
  s.real(6, e.finish);
  s.integer(7, e.llmCalls);
  s.integer(8, e.toolCalls);
  s.integer(9, int64_t(e.tokensIn));
  s.integer(10, int64_t(e.tokensOut));
  write(s);
}

llvm::Error SQLiteJournal::commit() {
  if (inTransaction) {
    inTransaction = false;
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      llvm::Error e = error("cannot commit");
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      if (firstError.empty())
        firstError = llvm::toString(std::move(e));
    }
  }
  if (firstError.empty())
    if (std::string e = checkpointer ? checkpointer->firstError() : ""; !e.empty())
      firstError = "journal '" + path + "': checkpoint failed: " + e;
  if (!firstError.empty())
    return llvm::createStringError(std::errc::io_error, "%s", firstError.c_str());
  return llvm::Error::success();
}

llvm::Expected<llvm::json::Value> SQLiteJournal::json(const std::string &text, llvm::StringRef what) const {
  auto v = parseJSON(text);
  if (!v)
    return llvm::createStringError(std::errc::invalid_argument, "journal '%s': %s: %s", path.c_str(),
                                   what.str().c_str(), llvm::toString(v.takeError()).c_str());
  return v;
}

llvm::Expected<JournalContents> SQLiteJournal::load() {
  JournalContents out;
  Stmt jobs, stages, ends;
  if (llvm::Error e = prepare(jobs, "SELECT job, key, app, inputs, idempotency_key FROM jobs ORDER BY job"))
    return e;
  int rc;
  while ((rc = sqlite3_step(jobs.s)) == SQLITE_ROW) {
    Admission a;
    a.job = JobNumber(jobs.columnInt(0));
    a.key = jobs.column(1);
    a.app = jobs.column(2);
    auto inputs = json(jobs.column(3), llvm::formatv("job {0}'s inputs", a.job).str());
    if (!inputs)
      return inputs.takeError();
    if (!inputs->getAsObject())
      return llvm::createStringError(std::errc::invalid_argument, "journal '%s': job %llu's inputs are not an object",
                                     path.c_str(), (unsigned long long)a.job);
    a.inputs = std::move(*inputs->getAsObject());
    a.idempotencyKey = jobs.column(4);
    out.jobs[a.job].admission = std::move(a);
  }
  if (rc != SQLITE_DONE)
    return error("cannot read the jobs");
  if (llvm::Error e = prepare(stages, "SELECT job, instance, seq, node, done, llm, ok, value, error, tokens_in, "
                                      "tokens_out, duration, attempts, endpoint FROM stages"))
    return e;
  while ((rc = sqlite3_step(stages.s)) == SQLITE_ROW) {
    JobNumber job = JobNumber(stages.columnInt(0));
    auto it = out.jobs.find(job);
    if (it == out.jobs.end())
      return llvm::createStringError(std::errc::invalid_argument, "journal '%s': a stage of job %llu, never admitted",
                                     path.c_str(), (unsigned long long)job);
    if (!stages.columnInt(4)) {
      ++it->second.startedNotFinished;
      continue;
    }
    StageResult r;
    r.node = stages.column(3);
    r.llm = stages.columnInt(5);
    r.ok = stages.columnInt(6);
    if (r.ok) {
      auto v = json(stages.column(7), llvm::formatv("job {0}, stage {1}", job, stages.column(1)).str());
      if (!v)
        return v.takeError();
      r.value = std::move(*v);
    } else {
      r.error = stages.column(8);
    }
    if (!stages.isNull(9))
      r.tokensIn = unsigned(stages.columnInt(9));
    if (!stages.isNull(10))
      r.tokensOut = unsigned(stages.columnInt(10));
    r.duration = sqlite3_column_double(stages.s, 11);
    r.attempts = unsigned(stages.columnInt(12));
    r.endpoint = stages.column(13);
    it->second.stages[{stages.column(1), unsigned(stages.columnInt(2))}] = std::move(r);
  }
  if (rc != SQLITE_DONE)
    return error("cannot read the stages");
  if (llvm::Error e = prepare(ends, "SELECT job, ok, result, error, arrival, finish, llm_calls, tool_calls, "
                                    "tokens_in, tokens_out FROM job_ends"))
    return e;
  while ((rc = sqlite3_step(ends.s)) == SQLITE_ROW) {
    JobEnd e;
    e.job = JobNumber(ends.columnInt(0));
    auto it = out.jobs.find(e.job);
    if (it == out.jobs.end())
      return llvm::createStringError(std::errc::invalid_argument, "journal '%s': the end of job %llu, never admitted",
                                     path.c_str(), (unsigned long long)e.job);
    e.ok = ends.columnInt(1);
    if (e.ok) {
      auto v = json(ends.column(2), llvm::formatv("job {0}'s result", e.job).str());
      if (!v)
        return v.takeError();
      e.result = std::move(*v);
    } else {
      e.error = ends.column(3);
    }
    e.arrival = sqlite3_column_double(ends.s, 4);
    e.finish = sqlite3_column_double(ends.s, 5);
    e.llmCalls = unsigned(ends.columnInt(6));
    e.toolCalls = unsigned(ends.columnInt(7));
    e.tokensIn = uint64_t(ends.columnInt(8));
    e.tokensOut = uint64_t(ends.columnInt(9));
    it->second.end = std::move(e);
  }
  if (rc != SQLITE_DONE)
    return error("cannot read the job ends");
  return out;
}

} // namespace

llvm::Expected<std::unique_ptr<Journal>> openSQLiteJournal(const std::string &path, SQLiteOptions options) {
  auto j = std::make_unique<SQLiteJournal>(path);
  if (llvm::Error e = j->open(options))
    return e;
  return std::unique_ptr<Journal>(std::move(j));
}

} // namespace llmflow::journal
