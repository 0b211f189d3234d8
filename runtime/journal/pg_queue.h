// The shared job queue of several `llmflow serve` processes on one
// PostgreSQL database (the journal's own tables, pg_journal.h): a job is
// admitted by any process (a number from the database; an idempotency key
// admits once across all of them), and each process claims runnable jobs
// with SELECT ... FOR UPDATE SKIP LOCKED, so that no two processes claim the
// same one at once. A claim is a lease: the claimer is the job's owner until
// `lease_until`, which it renews while it runs the job; a job whose lease
// ran out (its holder died, or stalled longer than the lease) is runnable
// again and the next claim takes it over, with the stage results its last
// holder journaled. Uses a connection of its own, on the caller's thread.
// No statement waits for a row lock (SKIP LOCKED, and a lock timeout as a
// backstop): the caller's own journal, on another connection, may hold one
// until the caller's loop asks it to commit. Not for: when to claim or renew
// (the service, serve/shared_queue.h).
#pragma once

#include "journal/journal.h"

#include <optional>
#include <vector>

namespace llmflow::journal {

namespace pg { class Connection; }

struct QueuedJob {
  JobNumber job = 0;
  std::string app;
  bool existed = false; // admitted before under the same idempotency key
};

/// Jobs claimed at once, with what was journaled of them.
struct ClaimedJobs {
  JournalContents contents;
  /// Of those, the jobs claimed before (by another process, or by this one
  /// before it gave them back): taken over.
  std::vector<JobNumber> takenOver;
};

/// A job as the database has it, for a process that does not run it.
struct SharedJobView {
  JournaledJob job;           // its admission and, if it ended, its end
  bool held = false;          // claimed, and the lease has not run out
  std::string owner;          // who holds it, if held (host:pid)
  double submittedUnix = 0;
};

class PgQueue {
public:
  /// Connects (a second connection beside the journal's). `owner` names
  /// this process in the table; `leaseSeconds` is how long a claim lasts
  /// without renewal.
  static llvm::Expected<std::unique_ptr<PgQueue>> open(const std::string &uri, std::string owner,
                                                       double leaseSeconds);
  ~PgQueue();
  const std::string &owner() const { return me; }
  /// The server, for messages (the URI without its password).
  const std::string &name() const;

  /// Admits a job; with `claim`, this process holds it from the start.
  llvm::Expected<QueuedJob> enqueue(llvm::StringRef app, const llvm::json::Object &inputs,
                                    llvm::StringRef idempotencyKey, bool claim);
  /// Claims up to `max` runnable jobs of any of `apps` (not ended; nobody's,
  /// or their lease ran out), oldest first, but none of `running` (the jobs
  /// this process runs: one whose lease ran out is renew()'s to take back);
  /// returns them with what was journaled of them. Jobs of other apps are
  /// left to the processes that run those.
  llvm::Expected<ClaimedJobs> claim(unsigned max, llvm::ArrayRef<std::string> apps,
                                        llvm::ArrayRef<JobNumber> running);
  /// Extends the lease of every job of `running` (the jobs this process
  /// runs) that it holds (an expired lease too, unless another process
  /// claimed the job since) and returns those another process holds now:
  /// lost. A job it holds but does not run (a claim whose answer was lost
  /// with the connection) is left to expire. Waits for no lock: a row this process's own journal
  /// has locked in an open transaction (a job ending) is left for the
  /// next renewal.
  llvm::Expected<std::vector<JobNumber>> renew(llvm::ArrayRef<JobNumber> running);
  /// Gives back the unfinished jobs this process holds, for others to claim
  /// at once (a graceful stop).
  llvm::Error release();
  /// Ends a job nobody holds (not ended; no owner, or its lease ran out)
  /// as failed with `error`, its end written by the statement that marks it
  /// ended. False (nothing written): it ended, is held, or is being claimed
  /// this moment (its row locked: not waited for).
  llvm::Expected<bool> cancel(JobNumber job, llvm::StringRef error);
  /// The job as the database has it (none: no such job).
  llvm::Expected<std::optional<SharedJobView>> lookup(JobNumber job);

private:
  PgQueue() = default;
  std::unique_ptr<pg::Connection> db;
  std::string me;
  std::string lease; // seconds, as text
};

} // namespace llmflow::journal
