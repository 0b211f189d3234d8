// The engine: one Boost.Asio event loop drives every job. A task is handed
// to an executor the moment its inputs are ready and the scheduler gives it
// a free slot of its kind; results flow back into the job state machine,
// which expands Dynamic nodes and readies the next tasks. Every step is
// recorded in the event log and, with a journal, journaled before it is
// acted on; a job journaled by an earlier run replays its journaled stage
// results instead of running them (engine_journal.cpp). Not for: policy (sched/), running tasks
// (executors), parsing programs (the compiler).
#pragma once

#include "engine/dag_view.h"
#include "engine/events.h"
#include "engine/executor.h"
#include "sched/ready_index.h"
#include "journal/journal.h"
#include "sched/scheduler.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <boost/asio/executor_work_guard.hpp>

#include <cassert>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <set>

namespace llmflow::engine {

struct EngineConfig {
  unsigned llmSlots = 16;
  unsigned regularSlots = 8;
  /// Attach each task's content (transcript and value) to its end event.
  bool recordContent = false;
  /// run() answers SIGINT and SIGTERM (a Boost.Asio signal_set on the loop)
  /// by interrupting the run: see interrupt(). A second one forces it.
  bool handleSignals = false;
  /// Journal every admission, stage start and result, expansion and job end
  /// (null: none). Not owned.
  journal::Journal *journal = nullptr;
  /// Group commit: stage starts and results are committed together at most
  /// this many real seconds after the first of them (a job's end is always
  /// committed before it is reported). 0: every scheduling round commits
  /// before its stages start, and every step's results right after it.
  double journalWindow = 0;
};

struct JobRecord {
  rt::JobId id = 0;
  std::string app;
  double arrival = 0, finish = -1;
  bool ok = false;
  bool interrupted = false; // stopped by interrupt() before it finished (or started)
  bool restored = false;    // ended in an earlier run (restore()); not run again
  bool cancelled = false;   // ended by cancel()
  unsigned replayed = 0;    // stages whose journaled results were replayed
  std::string error;
  llvm::json::Value result = nullptr;
  unsigned llmCalls = 0, toolCalls = 0;
  uint64_t tokensIn = 0, tokensOut = 0;
  unsigned cacheHits = 0, cacheMisses = 0; // calls the call cache answered, or was asked and did not
};

/// The record of a job that ended as journaled (restored: not run again).
JobRecord recordOf(const journal::JournaledJob &ended);

class Engine {
public:
  /// `programs` are the modules whose apps it runs (their sources go in
  /// the run_started event); jobs of all of them share the scheduler.
  Engine(boost::asio::io_context &io, const EngineClock &clock, llvm::ArrayRef<const ir::Module *> programs,
         sched::Scheduler &scheduler, TaskExecutor &llm, TaskExecutor &regular, EventSink &events,
         EngineConfig config);
  ~Engine();

  /// Adds a job of `app`, an app of `module` (one of the engine's programs),
  /// arriving `delay` engine seconds from now. `oracle` (may be
  /// null) decides structure for simulated backends; it must outlive the job.
  /// `replay` (may be null; it must outlive the job) is what an earlier run
  /// journaled of this job: its stage results are fed to the job instead of
  /// running those stages again.
  /// `idempotencyKey` (may be empty) is the caller's own, journaled with
  /// the admission.
  rt::JobId submit(const ir::Module &module, const ir::App &app, llvm::json::Object inputs, double delay = 0,
                   rt::StructureOracle *oracle = nullptr, const journal::JournaledJob *replay = nullptr,
                   const std::string &idempotencyKey = "");
  /// The next submit() numbers its job `id` instead of the next number in
  /// turn: a shared queue numbers jobs across processes. `id` must be new.
  void numberNext(rt::JobId id) {
    assert(!jobs.count(id) && "job ids do not repeat");
    nextId = id;
  }
  /// Records a job that ended in an earlier run (its journaled end) under the
  /// next job id, without running it, so that summaries cover every job.
  /// `logEnd`: the earlier run was killed after its end became durable and
  /// before it was logged; the end is logged now (marked restored).
  rt::JobId restore(const journal::JournaledJob &ended, bool logEnd = false);
  /// Why the journal stopped the run (a failed write), or "".
  const std::string &journalError() const { return journalFailure; }
  /// Runs until every submitted job has finished or failed, or the run is
  /// interrupted.
  void run();

  /// Stops the run: no further job starts, every running task is cancelled
  /// (requests aborted, tool process groups sent TERM, then KILL after their
  /// grace period) and every job not yet finished is recorded as
  /// interrupted. run() returns once the cancelled tasks have reported back
  /// (the event log is complete), or at once with `force` (tool process
  /// groups are killed first). Idempotent; a forced call after an unforced
  /// one finishes it off.
  void interrupt(const std::string &reason, bool force);
  /// The signal that interrupted the run (0: none). The caller picks the
  /// exit status; the engine never exits.
  int interruptedBy() const { return signalNumber; }

  // A long-lived run (a service) keeps the loop busy itself, submits jobs
  // from the loop while run() runs, and uses these.
  /// Ends one job that has not ended: its running tasks are cancelled as by
  /// interrupt(), and it fails with `reason` (journaled as ended: a resume
  /// does not run it again). False if the job is unknown or has ended.
  bool cancel(rt::JobId id, const std::string &reason);
  /// Starts no further stage (running ones finish): the first step of a
  /// graceful stop, before interrupt().
  void hold() { holding = true; }
  /// Runs `action` on the loop once the journal's writes so far are durable
  /// (an admission before the caller acknowledges it), with false if the
  /// journal failed. The loop goes on meanwhile, so admissions that come in
  /// while one commit is on its way share the next.
  void afterCommit(std::function<void(bool durable)> action);
  /// Drops the record of a job that has ended (bounded memory in a service).
  void forget(rt::JobId id);

  double now() const { return clock.now(); }

  const std::map<rt::JobId, JobRecord> &records() const { return jobs; }
  rt::Job *job(rt::JobId id);
  /// Called after every job finishes (progress display).
  std::function<void(const JobRecord &)> onJobDone;
  /// If set, the run pulls its jobs from it instead of taking them all up
  /// front: it is called (from run() and as jobs arrive) while fewer than
  /// kFeedAhead submitted jobs wait to arrive, submits one job and returns
  /// false once it has none left. Jobs with far-off arrival times then cost
  /// nothing until shortly before they arrive.
  std::function<bool()> feed;
  static constexpr size_t kFeedAhead = 64;
  /// If set, a job's record is handed to it and dropped once the job has
  /// ended, onJobDone has heard of it and nothing of it runs, so that a long
  /// batch holds no record per finished job (records() keeps the others).
  std::function<void(const JobRecord &)> onRecordDropped;
  unsigned decisions() const { return decisionCount; }
  /// Tasks running now (both slot kinds), and jobs submitted but not arrived.
  unsigned tasksInFlight() const { return busy[0] + busy[1]; }
  size_t jobsNotArrived() const { return waiting.size(); }
  double decisionSeconds() const { return decisionTime; }

private:
  using TaskKey = std::pair<rt::JobId, rt::TaskId>;
  void arrive(rt::JobId id);
  void requestSchedule();
  void schedule();
  /// Marks the task running and returns the executor call, which the caller
  /// makes once the journal has committed the start.
  std::function<void()> dispatch(rt::Job &job, rt::TaskId t);
  void finished(rt::JobId id, rt::TaskId t, double start, unsigned seq, ExecResult r);
  void drainEvents(rt::Job &job, std::vector<rt::JobEvent> events);
  /// Stops a running task; its completion is recorded with `reason`.
  void cancelTask(TaskKey key, const std::string &reason);
  /// Forgets a job's state once it has ended and nothing of it runs.
  void retireIfDone(rt::JobId id);
  /// Hands an ended, reported job's record to onRecordDropped and drops it,
  /// or, while tasks of the job still run, marks it to be dropped on retiring.
  void dropRecord(rt::JobId id);
  /// Ends run() when nothing is left to wait for (see run()).
  void checkDone();
  /// Calls `feed` while fewer than kFeedAhead jobs wait to arrive.
  void refill();
  bool fed = true; // `feed` has no more jobs (or there is none)
  void waitForSignal();
  void emit(Event e);

  // The journal (engine_journal.cpp); all no-ops without one.
  struct JournalState {
    std::map<std::string, unsigned> starts;           // runs of each stage instance so far
    const journal::JournaledJob *replay = nullptr;    // what an earlier run journaled
  };
  /// Journals a stage's start; returns its run number within the job.
  unsigned journalStart(const rt::Task &task);
  void journalResult(const rt::Task &task, unsigned seq, const ExecResult &r, double duration);
  void journalJobEvent(const rt::JobEvent &je, const JobRecord &rec);
  /// Feeds the job every ready task whose result is journaled; true if any.
  bool replayReady(rt::Job &job);
  /// Makes the journal's writes durable, waiting for it (the end of a run);
  /// on failure stops the run.
  void commitJournal();
  /// Runs `action` once everything journaled so far is durable: at once
  /// without a journal, else when the journal says so (durableUpTo), without
  /// waiting on the loop.
  void afterDurable(std::function<void()> action);
  /// The journal made commits up to `ticket` durable (or failed: `error`).
  void durableUpTo(uint64_t ticket, const std::string &error);
  /// Commits, waiting for it, and then reports the jobs that ended (the end
  /// of run()). During the run ends are reported after an asynchronous
  /// commit (commitNow()); a kill between the two loses only the log line,
  /// which a resume writes (restore()).
  void reportEnds();
  std::vector<std::function<void()>> endsToReport; // written, not yet in a commit
  /// Runs the deferred actions whose commits are durable, in order.
  void runDurable(uint64_t ticket);
  void failJournal(const std::string &error);
  /// Commits once the loop has handled what is already queued (results that
  /// arrive together share a transaction), or within the window.
  void requestCommit();
  /// Asks the journal to commit; job ends written so far are reported once
  /// that commit is durable.
  void commitNow();

  boost::asio::io_context &io;
  const EngineClock &clock;
  sched::Scheduler &scheduler;
  TaskExecutor *executors[sched::kSlotKinds];
  EventSink &events;
  EngineConfig config;
  std::map<rt::JobId, std::unique_ptr<rt::Job>> live;      // arrived, not finished (or tasks still running)
  std::map<rt::JobId, std::unique_ptr<rt::Job>> waiting;   // submitted, not arrived
  std::map<rt::JobId, JobRecord> jobs;
  std::set<rt::JobId> dropOnRetire; // reported to onJobDone while tasks of the job still ran
  std::map<rt::JobId, std::unique_ptr<boost::asio::steady_timer>> arrivals; // of the waiting jobs
  unsigned busy[sched::kSlotKinds] = {0, 0};
  std::map<TaskKey, sched::Slot> running;          // dispatched, not yet reported back
  std::map<TaskKey, std::string> cancelled;        // running tasks we stopped, and why
  rt::JobId nextId = 1;
  bool schedulePending = false;
  bool stopping = false;
  bool holding = false;
  int signalNumber = 0;
  std::unique_ptr<boost::asio::signal_set> signals; // while run() handles signals
  unsigned decisionCount = 0;
  double decisionTime = 0;
  DAGViews dags;
  sched::ReadyIndex readyIndex;  // kept only when the scheduler wantsIndex()
  void reindex(const rt::Job &job);
  std::map<rt::JobId, JournalState> journaled;
  std::string journalFailure;
  bool commitPending = false;
  bool windowArmed = false; // commitTimer waits to commit
  std::deque<std::pair<uint64_t, std::function<void()>>> deferred; // afterDurable, by commit ticket
  uint64_t durableTicket = 0;
  /// Keeps run() going while a commit it waits for is on the journal's thread.
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> awaitingCommit;
  std::unique_ptr<boost::asio::steady_timer> commitTimer; // journalWindow > 0
};

} // namespace llmflow::engine
