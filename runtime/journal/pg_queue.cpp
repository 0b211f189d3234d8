#include "journal/pg_queue.h"

#include "journal/pg_conn.h"
#include "journal/pg_read.h"

#include "llvm/Support/FormatVariadic.h"

namespace llmflow::journal {

using pg::Param;

PgQueue::~PgQueue() = default;

const std::string &PgQueue::name() const { return db->name(); }

llvm::Expected<std::unique_ptr<PgQueue>> PgQueue::open(const std::string &uri, std::string owner,
                                                       double leaseSeconds) {
  // A backstop: no statement here should wait for a lock (see the header).
  auto c = pg::Connection::open(uri, "-c lock_timeout=5s");
  if (!c)
    return c.takeError();
  if (llvm::Error e = (*c)->ensureSchema())
    return e;
  std::unique_ptr<PgQueue> q(new PgQueue);
  q->db = std::move(*c);
  q->me = std::move(owner);
  q->lease = llvm::formatv("{0}", leaseSeconds).str();
  return q;
}

llvm::Expected<QueuedJob> PgQueue::enqueue(llvm::StringRef app, const llvm::json::Object &inputs,
                                           llvm::StringRef idempotencyKey, bool claim) {
  if (llvm::Error e = db->reconnectIfLost()) // every statement here is a transaction of its own
    return e;
  auto n = db->exec("SELECT nextval('llmflow_job_numbers')", {}, "cannot number a job");
  if (!n)
    return n.takeError();
  QueuedJob q{JobNumber(n->integer(0, 0)), app.str(), false};
  Param key = idempotencyKey.empty() ? Param() : Param(idempotencyKey.str());
  Param owner = claim ? Param(me) : Param();
  auto ins = db->exec("INSERT INTO llmflow_jobs (job, key, app, inputs, idempotency_key, owner, lease_until, claims) "
                      "VALUES ($1, $2, $3, $4, $5, $6, now() + CASE WHEN $6::text IS NULL THEN NULL "
                      "ELSE $7::float8 * interval '1 second' END, CASE WHEN $6::text IS NULL THEN 0 ELSE 1 END) "
                      "ON CONFLICT (idempotency_key) DO NOTHING RETURNING job",
                      {std::to_string(q.job), jobKey(q.job, inputs), app.str(),
                       llvm::formatv("{0}", llvm::json::Value(llvm::json::Object(inputs))).str(), key, owner, lease},
                      "cannot admit a job");
  if (!ins)
    return ins.takeError();
  if (ins->count() == 1)
    return q;
  // The key was used before: that job, whoever admitted it.
  auto seen = db->exec("SELECT job, app FROM llmflow_jobs WHERE idempotency_key = $1", {key}, "cannot read a job");
  if (!seen)
    return seen.takeError();
  if (seen->count() != 1)
    return db->error("cannot admit a job", "the idempotency key conflicts, but no job has it");
  return QueuedJob{JobNumber(seen->integer(0, 0)), seen->text(0, 1), true};
}

llvm::Expected<ClaimedJobs> PgQueue::claim(unsigned max, llvm::ArrayRef<std::string> apps,
                                           llvm::ArrayRef<JobNumber> running) {
  if (llvm::Error e = db->reconnectIfLost()) // every statement here is a transaction of its own
    return e;
  ClaimedJobs out;
  if (max == 0)
    return out;
  // SKIP LOCKED: processes claiming at once take different jobs instead of
  // waiting for each other; the row lock is held to the statement's end.
  auto rows = db->exec((std::string("UPDATE llmflow_jobs SET owner = $1, lease_until = now() + $2::float8 * interval "
                                    "'1 second', claims = claims + 1 WHERE job IN (SELECT job FROM llmflow_jobs "
                                    "WHERE NOT ended AND app = ANY($4::text[]) AND (owner IS NULL OR lease_until < now()) "
                                    "AND NOT job = ANY($5::bigint[]) ORDER BY job "
                                    "LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING ") +
                        pg::kJobColumns + ", claims > 1")
                           .c_str(),
                       {me, lease, std::to_string(max), pg::arrayOf(apps), pg::arrayOf(running)}, "cannot claim jobs");
  if (!rows)
    return rows.takeError();
  if (rows->count() == 0)
    return out;
  if (llvm::Error e = pg::readJobs(*db, *rows, out.contents))
    return e;
  std::vector<JobNumber> jobs;
  for (int i = 0; i < rows->count(); ++i) {
    jobs.push_back(JobNumber(rows->integer(i, 0)));
    if (rows->boolean(i, 5))
      out.takenOver.push_back(jobs.back());
  }
  if (llvm::Error e = pg::readProgress(*db, out.contents, jobs))
    return e;
  return out;
}

llvm::Expected<std::vector<JobNumber>> PgQueue::renew(llvm::ArrayRef<JobNumber> running) {
  if (llvm::Error e = db->reconnectIfLost()) // every statement here is a transaction of its own
    return e;
  auto r = db->exec("UPDATE llmflow_jobs SET lease_until = now() + $2::float8 * interval '1 second' "
                    "WHERE job IN (SELECT job FROM llmflow_jobs WHERE owner = $1 AND job = ANY($3::bigint[]) "
                    "AND NOT ended FOR UPDATE SKIP LOCKED)",
                    {me, lease, pg::arrayOf(running)}, "cannot renew leases");
  if (!r)
    return r.takeError();
  auto taken = db->exec("SELECT job FROM llmflow_jobs WHERE job = ANY($2::bigint[]) AND NOT ended "
                        "AND owner IS DISTINCT FROM $1",
                        {me, pg::arrayOf(running)}, "cannot renew leases");
  if (!taken)
    return taken.takeError();
  std::vector<JobNumber> lost;
  for (int i = 0; i < taken->count(); ++i)
    lost.push_back(JobNumber(taken->integer(i, 0)));
  return lost;
}

llvm::Error PgQueue::release() {
  if (llvm::Error e = db->reconnectIfLost()) // every statement here is a transaction of its own
    return e;
  auto r = db->exec("UPDATE llmflow_jobs SET owner = NULL, lease_until = NULL WHERE owner = $1 AND NOT ended", {me},
                    "cannot release jobs");
  return r ? llvm::Error::success() : r.takeError();
}

llvm::Expected<bool> PgQueue::cancel(JobNumber job, llvm::StringRef error) {
  if (llvm::Error e = db->reconnectIfLost()) // every statement here is a transaction of its own
    return e;
  // One statement: a claim that comes first makes it find no row (SKIP
  // LOCKED while the claim runs, the owner's lease after), and a claim
  // after it finds the job ended.
  auto r = db->exec("WITH c AS (UPDATE llmflow_jobs SET ended = true, owner = NULL, lease_until = NULL "
                    "WHERE job IN (SELECT job FROM llmflow_jobs WHERE job = $1 AND NOT ended "
                    "AND (owner IS NULL OR lease_until < now()) FOR UPDATE SKIP LOCKED) RETURNING job) "
                    "INSERT INTO llmflow_job_ends SELECT job, false, NULL, $2, 0, 0, 0, 0, 0, 0 FROM c "
                    "ON CONFLICT DO NOTHING RETURNING job",
                    {std::to_string(job), error.str()}, "cannot cancel a job");
  if (!r)
    return r.takeError();
  return r->count() == 1;
}

llvm::Expected<std::optional<SharedJobView>> PgQueue::lookup(JobNumber job) {
  if (llvm::Error e = db->reconnectIfLost()) // every statement here is a transaction of its own
    return e;
  auto rows = db->exec((std::string("SELECT ") + pg::kJobColumns +
                        ", owner IS NOT NULL AND lease_until >= now(), extract(epoch from submitted), owner "
                        "FROM llmflow_jobs WHERE job = $1")
                           .c_str(),
                       {std::to_string(job)}, "cannot read a job");
  if (!rows)
    return rows.takeError();
  if (rows->count() == 0)
    return std::nullopt;
  JournalContents c;
  if (llvm::Error e = pg::readJobs(*db, *rows, c))
    return e;
  if (llvm::Error e = pg::readProgress(*db, c, {job}))
    return e;
  SharedJobView v;
  v.job = std::move(c.jobs.begin()->second);
  v.held = rows->boolean(0, 5);
  v.submittedUnix = rows->real(0, 6);
  if (v.held)
    v.owner = rows->text(0, 7);
  return v;
}

} // namespace llmflow::journal
