// One job: an application instance with its inputs, executed as a tree of
// frames (the app graph; a loop iteration, branch arm, map item, plan or
// sub-workflow call each open a child frame over a template sub-graph).
// The job is a pure state machine: it knows nothing of clocks, executors or
// threads. The engine (real time) and the simulator (virtual time) drive
// it: take ready tasks, start them, hand back results.
#pragma once

#include "core/eval.h"
#include "ir/ir.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <cassert>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llmflow::rt {

using JobId = uint64_t;
using TaskId = uint64_t;

/// Run-time structure decisions a behaviour model may impose instead of
/// evaluating the program's conditions (the simulated backend's outputs are
/// synthetic, so its conditions would be meaningless). Real runs have none.
class StructureOracle {
public:
  virtual ~StructureOracle() = default;
  /// Which arm a branch takes (0 = then, 1 = else), or nullopt to evaluate.
  virtual std::optional<unsigned> branchArm(const ir::Node &branch, llvm::StringRef instance) = 0;
  /// Whether a loop stops after `iteration` (1-based), or nullopt to evaluate.
  virtual std::optional<bool> loopStops(const ir::Node &loop, llvm::StringRef instance, unsigned iteration) = 0;
};

/// A runnable unit: one LLM request or one tool invocation.
struct Task {
  JobId job = 0;
  TaskId id = 0;
  const ir::Node *node = nullptr;     // the node to run (LLM or Regular)
  std::string nodeId;                 // the stable id profiles and the BN key on
  std::string instance;               // unique within the job, e.g. "a/loop/fix#2"
  ir::ExecutorClass executor = ir::ExecutorClass::Regular;
  /// Tasks opened by one expansion (map items, plan steps) share a group:
  /// the expansion's Dynamic node instance. 0 = a task on its own.
  uint64_t group = 0;
  // LLM
  std::string system, prompt;
  std::string repairNote;             // planner: why the previous plan was rejected
  // Regular
  const ir::ToolDef *tool = nullptr;
  llvm::json::Object args;
};

struct TaskOutcome {
  bool ok = true;
  Value value = nullptr;              // parsed output (JSON for typed outputs, string otherwise)
  std::string error;                  // when !ok
};

/// What happened inside the job, for the event log and the scheduler.
struct JobEvent {
  /// NodeRetried: a finished node runs again (a planner whose plan was
  /// rejected is asked for a new one); detail says why.
  enum class Kind { TaskReady, Expanded, IterationStarted, NodeFinished, NodeFailed, NodeRetried, JobFinished, JobFailed };
  Kind kind;
  std::string nodeId, instance;
  /// Expanded: "branch" (size = arm), "iterations" (size = count), "expansion_size".
  /// IterationStarted: "iterations", size = the iteration that starts (1-based).
  std::string structure;
  int64_t size = 0;
  std::string detail;
  /// Expanded planner: how many steps each of its template nodes got (every
  /// template node, 0 for the tools the plan did not pick), in template order.
  std::vector<std::pair<std::string, int64_t>> parts;
};

/// Fills defaults for missing inputs and checks every input against its
/// declared type; errors name the input and the expected type.
llvm::Error checkInputs(const ir::Module &m, const ir::App &app, llvm::json::Object &inputs);

class Job {
public:
  Job(JobId id, const ir::Module &module, const ir::App &app, llvm::json::Object inputs,
      StructureOracle *oracle = nullptr);
  ~Job();
  Job(const Job &) = delete;
  Job &operator=(const Job &) = delete;

  JobId id() const { return jobId; }
  const ir::App &app() const { return *appPtr; }
  /// The module the app belongs to (a run may hold jobs of several programs).
  const ir::Module &program() const { return module; }
  /// The inputs as given (before defaults are filled in by start()).
  const llvm::json::Object &inputValues() const { return inputs; }

  /// Opens the app frame; call once. Errors (bad inputs) fail the job.
  void start();

  /// Tasks ready to run and allowed by parallelism caps, in readiness order.
  const std::vector<TaskId> &ready() const { return readyList; }
  const Task &task(TaskId t) const;
  void markRunning(TaskId t);
  void complete(TaskId t, TaskOutcome outcome);
  /// Fails the job from outside (the run is being interrupted): JobFailed
  /// with `why`; results of its running tasks are ignored from now on.
  void abort(const std::string &why) { fail(why); }

  bool done() const { return state != State::Running; }
  bool failed() const { return state == State::Failed; }
  const Value &result() const { return resultValue; }
  const std::string &error() const { return errorText; }
  unsigned running() const { return runningCount; }

  /// Events since the last call (moved out).
  std::vector<JobEvent> takeEvents() { return std::move(events); }

  /// Maximum plan-repair rounds for a planner whose plan is invalid.
  static constexpr unsigned kPlanRepairs = 1;

  /// Read-only structure, for schedulers that look at a job's whole DAG
  /// (engine/dag_view.h). Frames are numbered in opening order, so a
  /// frame's parent comes before it.
  enum class NodeState { Waiting, Ready, Running, Done, Failed };
  static constexpr size_t kNoFrame = ~size_t(0);
  struct FrameInfo {
    const ir::Graph *graph = nullptr;
    size_t parent = kNoFrame;       // kNoFrame for the app frame
    size_t owner = 0;               // the Dynamic node of the parent frame that opened it
    bool plan = false;              // a planner's steps: node ids "TEMPLATE#k"
  };
  struct NodeInfo {
    NodeState state = NodeState::Waiting;
    llvm::ArrayRef<size_t> users;   // nodes of the same frame that wait for it
    unsigned heldBack = 0;          // a map: items its concurrency has not opened yet
  };
  size_t frameCount() const { return frames.size(); }
  FrameInfo frameInfo(size_t f) const;
  NodeInfo nodeInfo(size_t f, size_t i) const;
  /// The frame and node of a task.
  std::pair<size_t, size_t> placeOf(TaskId t) const;
  /// Grows whenever the job's state changes (a task started or finished), so
  /// views of it can be cached.
  uint64_t version() const { return changes; }

private:
  struct Frame;
  struct Inst;
  enum class State { Running, Done, Failed };

  void openFrame(Frame *f);
  Frame *newFrame(const ir::Graph *g, Frame *parent, Inst *owner, std::string path);
  void nodeReady(Frame *f, size_t i);
  void finishNode(Frame *f, size_t i, Value v);
  void frameDone(Frame *f);
  void resolveDynamic(Frame *f, size_t i);
  void childFrameDone(Frame *parent, size_t i, Frame *child);
  void fail(const std::string &why);
  void refreshReady();
  EvalScope scopeFor(const Frame *f, const Value *loopOverride = nullptr, const std::string *loopId = nullptr) const;
  const Value *lookup(const Frame *f, ir::RefRoot root, llvm::StringRef name, const Value *loopOverride,
                      const std::string *loopId) const;
  bool buildTask(Frame *f, size_t i, Task &t);
  void openPlan(Frame *f, size_t i);
  void openMapItems(Frame *f, size_t i);
  llvm::Error validatePlan(const Frame *f, size_t i, const Value &plan, std::vector<struct PlanStep> &steps) const;
  void emit(JobEvent::Kind k, const Frame *f, size_t i, std::string structure = "", int64_t size = 0,
            std::string detail = "");
  std::string instanceOf(const Frame *f, size_t i) const;

  JobId jobId;
  const ir::Module &module;
  const ir::App *appPtr;
  llvm::json::Object inputs;
  StructureOracle *oracle;
  State state = State::Running;
  Value resultValue = nullptr;
  std::string errorText;
  std::vector<std::unique_ptr<Frame>> frames;
  std::deque<Task> tasks;                          // by TaskId - 1
  /// Each task's node, by TaskId - 1 (a vector: ids are dense, and a
  /// DenseMap's 64-bucket minimum cost 1.5 KB per queued job).
  std::vector<std::pair<Frame *, size_t>> taskNode;
  std::pair<Frame *, size_t> nodeOf(TaskId t) const {
    assert(t >= 1 && t <= taskNode.size() && taskNode[t - 1].first && "a task this job never built");
    return taskNode[t - 1];
  }
  std::vector<TaskId> readyList;
  std::vector<TaskId> pending;                     // ready by deps, maybe held by a cap
  unsigned runningCount = 0;
  uint64_t changes = 0;
  std::vector<JobEvent> events;
};

} // namespace llmflow::rt
