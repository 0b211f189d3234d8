// This process's side of the job queue that several `llmflow serve`
// processes share on one PostgreSQL database (journal/pg_queue.h; how it
// works for users: docs/serve.md, "Scale-out with PostgreSQL"). It admits
// jobs into the database, claims runnable jobs of its apps whenever it has
// room (a timer, and at once after an admission or a job's end), hands each
// to `run` with what its last holder journaled (replayed, not re-run),
// renews its leases every third of the lease, answers for jobs that other
// processes run or ran, and gives back its unfinished jobs when it stops.
// Database calls are short statements made on the loop's thread. Not for:
// HTTP (job_service.h), the jobs this process runs (job_board.h).
#pragma once

#include "journal/pg_queue.h"
#include "serve/job_board.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <optional>
#include <set>

namespace llmflow::serve {

struct SharedOptions {
  /// The apps whose jobs this process runs (it claims no other's).
  std::vector<std::string> apps;
  /// How long a claim lasts without renewal (renewed every third of it).
  double leaseSeconds = 10;
  /// How often to look for runnable jobs when nothing else prompts it.
  double pollSeconds = 0.25;
  /// Jobs this process runs at once, at most.
  unsigned maxClaimed = 64;
};

/// What the queue did in this process, for the metrics (counters since
/// the start).
struct QueueCounts {
  uint64_t claims = 0;     // jobs claimed, admissions run here included
  uint64_t takeovers = 0;  // of those, jobs claimed before (by any process)
  uint64_t leasesLost = 0; // renewals that found a job taken over
  uint64_t errors = 0;     // failed database calls (told or answered)
  size_t claimed = 0;      // jobs held now
};

class SharedQueue {
public:
  /// Starts a claimed job here (engine and board); `job` lives until it ends.
  using Run = std::function<void(const journal::JournaledJob &job)>;
  SharedQueue(boost::asio::io_context &io, journal::PgQueue &queue, Run run, SharedOptions options);
  ~SharedQueue();
  /// Starts claiming and renewing.
  void start();
  /// Admits a job into the database; with `runHere` this process claims it
  /// and runs it at once (the caller waits for its end here; only when not
  /// full()).
  llvm::Expected<journal::QueuedJob> admit(const std::string &app, const llvm::json::Object &inputs,
                                           const std::string &idempotencyKey, bool runHere);
  /// A job this process ran has ended (its end journaled): room for another.
  void ended(rt::JobId id);
  /// A job this process does not run, as the database has it (none: no
  /// such job). Queued, running elsewhere, or ended (its result).
  llvm::Expected<std::optional<BoardJob>> lookup(rt::JobId id);
  /// Ends a job that nobody holds as cancelled, in the database (every
  /// process then answers it so). `now`: this call cancelled it; `job`: the
  /// job as the database has it afterwards (none: no such job).
  struct Cancel {
    bool now = false;
    std::optional<BoardJob> job;
  };
  llvm::Expected<Cancel> cancel(rt::JobId id, const std::string &reason);
  /// Stops claiming (a graceful stop; running jobs finish).
  void pause();
  /// Stops claiming and renewing and gives back the unfinished jobs held.
  llvm::Error stop();
  /// Told of each failed database call (the queue retries on its next
  /// turn) and of each lease lost.
  std::function<void(const std::string &)> onError;
  size_t running() const { return claimed.size(); }
  /// Holds --max-claimed jobs: claims nothing more, runs nothing more here.
  bool full() const { return claimed.size() >= options.maxClaimed; }
  QueueCounts counts() const;

private:
  void claimNow();
  std::vector<journal::JobNumber> runningHere() const;
  void poll();
  void renew();
  void renewLater();
  void report(llvm::Error e); // a failed database call
  void tell(const std::string &message);

  boost::asio::io_context &io;
  journal::PgQueue &queue;
  Run run;
  SharedOptions options;
  boost::asio::steady_timer pollTimer, renewTimer;
  std::map<rt::JobId, journal::JournaledJob> claimed; // running here
  std::set<rt::JobId> lost;                            // of those, taken over by another process
  QueueCounts count; // but `claimed`, which is claimed.size()
  bool paused = false, claimPosted = false;
};

} // namespace llmflow::serve
