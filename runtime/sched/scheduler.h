// The scheduler interface: a decision function over a snapshot of active
// jobs, their ready tasks and the free executor slots. It never sees a
// clock, a thread or an executor: the runtime engine (real time) and the
// simulator (virtual time) call the same code with the same snapshots and
// the same observations, so simulated results carry over to real runs.
#pragma once

#include "ir/ir.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llmflow::sched {

using JobId = uint64_t;
using TaskId = uint64_t;

enum class Slot { LLM = 0, Regular = 1 };
inline constexpr unsigned kSlotKinds = 2;

struct ReadyTask {
  TaskId task = 0;
  llvm::StringRef nodeId;       // stable IR node id (the BN's variable key); valid during the call
  Slot slot = Slot::Regular;
  /// Tasks of one expansion (map items, plan steps) share a group; 0 = none.
  uint64_t group = 0;
};

struct JobView {
  JobId id = 0;
  llvm::StringRef app;          // valid during the call
  double arrival = 0;           // seconds, on the caller's clock
  unsigned running = 0;         // tasks of this job on executors now
  std::vector<ReadyTask> ready; // in readiness order
};

struct Snapshot {
  double now = 0;
  std::vector<JobView> jobs;    // active jobs (arrived, not finished)
  unsigned free[kSlotKinds] = {0, 0};
};

struct Placement {
  JobId job = 0;
  TaskId task = 0;
};

/// What the scheduler may learn from as a run goes on.
struct Observation {
  enum class Kind { JobArrived, TaskFinished, Expanded, JobFinished };
  Kind kind = Kind::JobArrived;
  JobId job = 0;
  std::string app;
  std::string nodeId;
  double time = 0;
  double duration = 0;          // TaskFinished: start to end
  std::string structure;        // Expanded: "branch" | "iterations" | "expansion_size"
  int64_t size = 0;
};

class Scheduler {
public:
  virtual ~Scheduler() = default;
  virtual std::string name() const = 0;
  /// Chooses tasks to start now, at most snap.free[k] of each slot kind.
  virtual std::vector<Placement> decide(const Snapshot &snap) = 0;
  virtual void observe(const Observation &) {}
};

struct Knowledge;
class Clairvoyance;
class Estimator;

/// What a scheduler may be built with. History-based policies need
/// `knowledge`; the oracle needs `truth`; LLMSched also takes its options.
struct SchedulerContext {
  uint64_t seed = 1;
  const Knowledge *knowledge = nullptr;
  const Clairvoyance *truth = nullptr;
  /// llmsched: makes a Bayesian-network estimator (one per scheduler).
  std::function<std::unique_ptr<Estimator>()> bnEstimator;
  double epsilon = 0.1;          // llmsched: exploration probability
  double partial = 0.2;          // llmsched: fraction r of a multi-task stage launched when exploring
};

/// First come, first served: ready tasks of earlier-arrived jobs first.
std::unique_ptr<Scheduler> makeFCFS();

/// A scheduler by name ("fcfs", "sjf", "fair", "srtf-mean", "carbyne",
/// "oracle", ...); nullptr and a reason in `why` if unknown or if what it
/// needs is missing from the context.
std::unique_ptr<Scheduler> makeScheduler(llvm::StringRef name, const SchedulerContext &ctx, std::string *why = nullptr);
std::vector<std::string> schedulerNames();

/// Places at most one task per job per round, rounds until slots or tasks
/// run out (Fair and the first pass of Carbyne).
std::vector<Placement> placeRoundRobin(const Snapshot &snap, const std::vector<size_t> &order, unsigned maxRounds);

/// Places tasks greedily in the order given (shared by priority policies):
/// walks `order` (indices into snap.jobs) and each job's ready tasks, taking
/// those whose slot kind still has room.
std::vector<Placement> placeInOrder(const Snapshot &snap, const std::vector<size_t> &order);

} // namespace llmflow::sched
