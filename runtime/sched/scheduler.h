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

/// A read-only view of one active job's DAG, for schedulers that ask for it
/// (Scheduler::wantsDAG; engine/dag_view.h builds it). Instances of one
/// template node opened by one expansion (map items, loop iterations) are
/// one node with several tasks, as a stage of Decima's DAGs. A Dynamic node
/// is opaque until it expands; then its sub-graph appears after it (edges
/// from it to the sub-graph's first nodes and from the sub-graph's last
/// nodes to its users). Profiled statistics are keyed by nodeId: a
/// scheduler that needs them holds them.
struct DAGNode {
  enum class Kind : uint8_t { Regular, LLM, Dynamic };
  enum class State : uint8_t { Done, Running, Ready, Waiting, Unexpanded };
  llvm::StringRef nodeId;       // stable IR id (a plan step: its template's id)
  Kind kind = Kind::Regular;
  State state = State::Waiting;
  unsigned tasks = 0;           // instances known so far (with map items not opened yet)
  unsigned remaining = 0;       // of which not done
  unsigned running = 0, ready = 0;
};

struct JobDAG {
  JobId id = 0;
  llvm::StringRef app;
  double arrival = 0;
  uint64_t version = 0;         // changes whenever the job's state does (a cache key)
  std::vector<DAGNode> nodes;
  std::vector<std::pair<uint32_t, uint32_t>> edges;    // (from, to): `to` waits for `from`
  std::vector<std::pair<TaskId, uint32_t>> readyTasks; // each ready task's node
};

class ReadyIndex;

struct Snapshot {
  double now = 0;
  std::vector<JobView> jobs;    // active jobs with a task that could be placed now
  unsigned free[kSlotKinds] = {0, 0};
  unsigned capacity[kSlotKinds] = {0, 0};   // all slots, free or busy
  unsigned activeJobs = 0;      // arrived, not finished (also those not in `jobs`)
  /// Every active job's DAG, in arrival order; only for a scheduler that
  /// wantsDAG() (empty otherwise). Valid during the call.
  std::vector<const JobDAG *> dags;
  /// For a scheduler that wantsIndex(), every job with ready tasks, kept up
  /// to date job by job (sched/ready_index.h); `jobs` is then left empty.
  /// Valid during the call.
  const ReadyIndex *index = nullptr;
};

struct Placement {
  JobId job = 0;
  TaskId task = 0;
};

/// What the scheduler may learn from as a run goes on (the engine and the
/// simulator send the same stream: engine/snapshot.h translates job events).
struct Observation {
  enum class Kind { JobArrived, TaskStarted, TaskFinished, Expanded, IterationStarted, JobFinished };
  Kind kind = Kind::JobArrived;
  JobId job = 0;
  std::string app;
  std::string nodeId;
  double time = 0;
  double duration = 0;          // TaskFinished: start to end
  std::string structure;        // Expanded: "branch" | "iterations" | "expansion_size"
  int64_t size = 0;             // Expanded: the value; IterationStarted: the iteration (1-based)
  TaskId task = 0;              // TaskStarted, TaskFinished
  Slot slot = Slot::Regular;    // TaskStarted, TaskFinished: the executor kind
  /// Expanded planner: steps per template node id (0 = not picked).
  std::vector<std::pair<std::string, int64_t>> parts;
  /// JobArrived: input features (core/features.h), by input name.
  std::vector<std::pair<std::string, double>> features;

  static Observation of(Kind kind, JobId job, llvm::StringRef app, llvm::StringRef nodeId, double time) {
    Observation o;
    o.kind = kind;
    o.job = job;
    o.app = app.str();
    o.nodeId = nodeId.str();
    o.time = time;
    return o;
  }
};

class Scheduler {
public:
  virtual ~Scheduler() = default;
  virtual std::string name() const = 0;
  /// Chooses tasks to start now, at most snap.free[k] of each slot kind.
  virtual std::vector<Placement> decide(const Snapshot &snap) = 0;
  virtual void observe(const Observation &) {}
  /// Whether decide() needs Snapshot::dags (it costs the caller a view per
  /// changed job, so only schedulers that read it ask).
  virtual bool wantsDAG() const { return false; }
  /// Whether decide() reads Snapshot::index instead of Snapshot::jobs (the
  /// caller then skips building the per-decision job list).
  virtual bool wantsIndex() const { return false; }
};

struct Knowledge;
class Clairvoyance;
class Estimator;
struct LLMSchedOptions;

/// What a scheduler may be built with. History-based policies need
/// `knowledge`; the oracle needs `truth`; LLMSched needs estimators.
struct SchedulerContext {
  uint64_t seed = 1;
  const Knowledge *knowledge = nullptr;
  /// The applications whose jobs it will schedule, when known in advance:
  /// a history-based policy refuses to start without the history of each
  /// (it would rank a job of an app it knows nothing of as nearly done).
  std::vector<std::string> apps;
  const Clairvoyance *truth = nullptr;
  /// llmsched, llmsched-nounc: an estimator on each application's trained
  /// Bayesian network (one per scheduler).
  std::function<std::unique_ptr<Estimator>()> bnEstimator;
  /// llmsched-nobn: the same estimator on networks with the same variables
  /// and no edges (independent stages).
  std::function<std::unique_ptr<Estimator>()> independentEstimator;
  /// llmsched's knobs (nullptr: the defaults).
  const LLMSchedOptions *llmsched = nullptr;
  /// decima: a scheduler on a trained policy (decima/policy.h).
  std::function<std::unique_ptr<Scheduler>()> decima;
};

/// First come, first served: ready tasks of earlier-arrived jobs first.
std::unique_ptr<Scheduler> makeFCFS();

/// A scheduler by name ("fcfs", "sjf", "fair", "srtf-mean", "carbyne",
/// "oracle-srtf", "llmsched", ...); nullptr and a reason in `why` if
/// unknown or if what it needs is missing from the context.
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
