#include "journal/pg_journal.h"

#include "journal/pg_conn.h"
#include "journal/pg_read.h"

#include "llvm/Support/FormatVariadic.h"

namespace llmflow::journal {
namespace {

using pg::Param;

std::string jsonText(const llvm::json::Value &v) { return llvm::formatv("{0}", v).str(); }
Param integer(int64_t v) { return std::to_string(v); }
Param boolean(bool v) { return std::string(v ? "true" : "false"); }
Param real(double v) { return llvm::formatv("{0:e16}", v).str(); }
Param text(llvm::StringRef s) { return s.str(); }
Param optional(std::optional<unsigned> v) { return v ? integer(*v) : Param(); }

class PgJournal : public Journal {
public:
  explicit PgJournal(std::unique_ptr<pg::Connection> c) : db(std::move(c)) {}
  // Uncommitted writes are dropped with the connection (the server rolls
  // the transaction back): only commit() makes a record count.

  std::string name() const override { return db->name(); }
  llvm::Expected<JournalContents> load() override;
  void admit(Admission a) override {
    write("INSERT INTO llmflow_jobs (job, key, app, inputs, idempotency_key) VALUES ($1, $2, $3, $4, $5) "
          "ON CONFLICT DO NOTHING",
          {integer(int64_t(a.job)), text(a.key.empty() ? jobKey(a.job, a.inputs) : a.key), text(a.app), jsonText(llvm::json::Object(a.inputs)),
           a.idempotencyKey.empty() ? Param() : text(a.idempotencyKey)});
  }
  void stageStarted(const StageKey &k, llvm::StringRef node) override {
    write("INSERT INTO llmflow_stages (job, instance, seq, node) VALUES ($1, $2, $3, $4) "
          "ON CONFLICT (job, instance, seq) DO UPDATE SET starts = llmflow_stages.starts + 1",
          {integer(int64_t(k.job)), text(k.instance), integer(k.seq), text(node)});
  }
  void stageFinished(const StageKey &k, StageResult r) override {
    write("INSERT INTO llmflow_stages VALUES ($1, $2, $3, $4, 1, true, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
          "ON CONFLICT (job, instance, seq) DO UPDATE SET done = true, llm = $5, ok = $6, value = $7, error = $8, "
          "tokens_in = $9, tokens_out = $10, duration = $11, attempts = $12, endpoint = $13",
          {integer(int64_t(k.job)), text(k.instance), integer(k.seq), text(r.node), boolean(r.llm), boolean(r.ok),
           r.ok ? Param(jsonText(r.value)) : Param(), r.ok ? Param() : text(r.error), optional(r.tokensIn),
           optional(r.tokensOut), real(r.duration), integer(r.attempts), text(r.endpoint)});
  }
  void expanded(const Expansion &e) override {
    write("INSERT INTO llmflow_expansions VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
          {integer(int64_t(e.job)), text(e.instance), text(e.node), text(e.structure), integer(e.size)});
  }
  void jobEnded(JobEnd e) override {
    // The first end recorded is the job's; the job leaves the queue with it.
    write("WITH e AS (INSERT INTO llmflow_job_ends VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
          "ON CONFLICT DO NOTHING) "
          "UPDATE llmflow_jobs SET ended = true, owner = NULL, lease_until = NULL WHERE job = $1",
          {integer(int64_t(e.job)), boolean(e.ok), e.ok ? Param(jsonText(e.result)) : Param(),
           e.ok ? Param() : text(e.error), real(e.arrival), real(e.finish), integer(e.llmCalls),
           integer(e.toolCalls), integer(int64_t(e.tokensIn)), integer(int64_t(e.tokensOut))});
  }
  llvm::Error commit() override;

private:
  /// Runs a write inside the open transaction (opened on demand); the first
  /// error is kept for commit().
  void write(const char *sql, llvm::ArrayRef<Param> params);

  std::unique_ptr<pg::Connection> db;
  bool inTransaction = false;
  std::string firstError;
};

void PgJournal::write(const char *sql, llvm::ArrayRef<Param> params) {
  if (!firstError.empty())
    return;
  if (!inTransaction) {
    // A connection lost between transactions (the server restarted) lost
    // nothing committed: connect again. libpq finds it lost only when a
    // statement fails, so a BEGIN that fails that way is tried once more.
    llvm::Error e = db->reconnectIfLost();
    if (!e)
      e = db->run("BEGIN", "cannot start a transaction");
    if (e && db->lost()) {
      llvm::consumeError(std::move(e));
      e = db->reconnectIfLost();
      if (!e)
        e = db->run("BEGIN", "cannot start a transaction");
    }
    if (e) {
      firstError = llvm::toString(std::move(e));
      return;
    }
    inTransaction = true;
  }
  if (auto r = db->exec(sql, params, "cannot write"); !r)
    firstError = llvm::toString(r.takeError());
}

llvm::Error PgJournal::commit() {
  if (inTransaction) {
    inTransaction = false;
    // After a failed write the server has aborted the transaction: COMMIT
    // then rolls it back, which is what should happen.
    llvm::Error e = db->run("COMMIT", "cannot commit");
    if (e && firstError.empty())
      firstError = llvm::toString(std::move(e));
    else
      llvm::consumeError(std::move(e));
  }
  if (!firstError.empty())
    return llvm::createStringError(std::errc::io_error, "%s", firstError.c_str());
  return llvm::Error::success();
}

llvm::Expected<JournalContents> PgJournal::load() {
  JournalContents out;
  auto jobs = db->exec((std::string("SELECT ") + pg::kJobColumns + " FROM llmflow_jobs ORDER BY job").c_str(), {},
                       "cannot read the jobs");
  if (!jobs)
    return jobs.takeError();
  if (llvm::Error e = pg::readJobs(*db, *jobs, out))
    return e;
  if (llvm::Error e = pg::readProgress(*db, out))
    return e;
  return out;
}

} // namespace

llvm::Expected<std::unique_ptr<Journal>> openPgJournal(const std::string &uri, PgOptions options) {
  auto c = pg::Connection::open(uri);
  if (!c)
    return c.takeError();
  if (llvm::Error e = (*c)->ensureSchema())
    return e;
  if (!options.shared) {
    auto n = (*c)->exec("SELECT count(*) FROM llmflow_jobs", {}, "cannot read the jobs");
    if (!n)
      return n.takeError();
    if (options.mustHoldRun && n->integer(0, 0) == 0)
      return llvm::createStringError(std::errc::no_such_file_or_directory,
                                     "journal '%s': the database holds no run (nothing to resume)",
                                     (*c)->name().c_str());
    if (!options.mustHoldRun && n->integer(0, 0) > 0)
      return llvm::createStringError(std::errc::file_exists,
                                     "journal '%s' already holds a run: finish it with --resume, or use another "
                                     "database",
                                     (*c)->name().c_str());
  }
  return std::unique_ptr<Journal>(std::make_unique<PgJournal>(std::move(*c)));
}

} // namespace llmflow::journal
