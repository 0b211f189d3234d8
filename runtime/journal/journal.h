// The journal: a durable record of a run, written before each step is acted
// on, so that a run killed at any point can be finished by another process
// without losing what it finished. It records each job's admission (app,
// inputs, a key that identifies the job across runs), each stage's start and
// result (value, tokens, duration, attempts), each dynamic expansion (branch
// arm, loop iteration and count, map fan-out, accepted plan) and each job's
// end. Writes are grouped: they join an open transaction that commit() makes
// durable, in order, so a commit covers everything written before it (when
// the engine commits: engine/engine_journal.cpp). One interface so that a shared database
// (PostgreSQL) can sit beside the embedded SQLite file (sqlite_journal.h).
// Not for: the event log (engine/events.h), which is for people and tools;
// the journal is for resuming.
#pragma once

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace llmflow::journal {

using JobNumber = uint64_t;

/// A job as admitted. `key` identifies it across runs (the batch's job
/// number and a hash of its inputs); `idempotencyKey` is a caller's own.
struct Admission {
  JobNumber job = 0;
  /// jobKey(job, inputs). A writer may leave it empty: the journal computes
  /// it when it writes the record (off the caller's thread in the background).
  std::string key;
  std::string app;
  llvm::json::Object inputs;
  std::string idempotencyKey;
};

/// One run of a stage instance. `seq` counts the runs of the same instance
/// within the job (a planner whose plan was rejected runs again): 1, 2, ...
struct StageKey {
  JobNumber job = 0;
  std::string instance;
  unsigned seq = 1;
  bool operator<(const StageKey &o) const {
    return std::tie(job, instance, seq) < std::tie(o.job, o.instance, o.seq);
  }
};

struct StageResult {
  std::string node;
  bool llm = false;
  bool ok = true;
  llvm::json::Value value = nullptr;
  std::string error;
  std::optional<unsigned> tokensIn, tokensOut;
  double duration = 0;
  unsigned attempts = 1;
  std::string endpoint;
};

/// A Dynamic node resolved, or a loop iteration opened ("iteration", size =
/// the iteration, 1-based).
struct Expansion {
  JobNumber job = 0;
  std::string instance, node, structure;
  int64_t size = 0;
};

struct JobEnd {
  JobNumber job = 0;
  bool ok = false;
  llvm::json::Value result = nullptr;
  std::string error;
  double arrival = 0, finish = 0;
  unsigned llmCalls = 0, toolCalls = 0;
  uint64_t tokensIn = 0, tokensOut = 0;
};

/// What an earlier run left: every admitted job, the stage results it
/// journaled and, for the jobs that ended, how.
struct JournaledJob {
  Admission admission;
  std::optional<JobEnd> end;
  std::map<std::pair<std::string, unsigned>, StageResult> stages; // by (instance, seq)
  unsigned startedNotFinished = 0; // stages in flight when the run stopped
};
struct JournalContents {
  std::map<JobNumber, JournaledJob> jobs;
};

class Journal {
public:
  virtual ~Journal() = default;
  /// Where it lives, for messages ("run.db").
  virtual std::string name() const = 0;
  /// Everything journaled so far (for --resume).
  virtual llvm::Expected<JournalContents> load() = 0;

  // Writes join the open transaction; the first error is kept and returned
  // by commit() (the engine then stops the run). Records are taken by value
  // so that a journal which keeps them (background_journal.h) need not copy.
  virtual void admit(Admission a) = 0;
  virtual void stageStarted(const StageKey &k, llvm::StringRef node) = 0;
  virtual void stageFinished(const StageKey &k, StageResult r) = 0;
  virtual void expanded(const Expansion &e) = 0;
  virtual void jobEnded(JobEnd e) = 0;
  /// Makes every write so far durable (as the implementation documents),
  /// waiting for it.
  virtual llvm::Error commit() = 0;

  /// Called once commits up to `ticket` are durable, with the first error
  /// ("" if none): on the thread that made them durable.
  using DurableCallback = std::function<void(uint64_t ticket, const std::string &error)>;
  /// Sets (or, with null, removes) the callback. Once this returns, the old
  /// one is not running and is never called again, whatever thread calls it.
  virtual void setDurableCallback(DurableCallback cb) { durable = std::move(cb); }
  /// Asks for every write so far to be made durable without waiting for it
  /// and returns the commit's ticket (1, 2, ...); the durable callback hears
  /// of it. By default the commit happens at once, on the caller's thread
  /// (background_journal.h does it on a writer thread).
  virtual uint64_t commitAsync() {
    llvm::Error e = commit();
    std::string error = e ? llvm::toString(std::move(e)) : "";
    if (durable)
      durable(++tickets, error);
    return tickets;
  }

protected:
  DurableCallback durable;
  uint64_t tickets = 0;
};

/// The key that identifies a batch's job across runs: its number and a hash
/// of its inputs ("3:5f1c..."), so that a resume over different inputs is
/// caught.
std::string jobKey(JobNumber job, const llvm::json::Object &inputs);

} // namespace llmflow::journal
