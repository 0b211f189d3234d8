// Behaviour models: what the simulated backend's models and tools "do" for
// one application: output lengths per LLM stage, tool latencies and
// failures, branch probabilities, loop iteration counts, plan sizes and
// shapes, list lengths, all driven by per-job latent factors so a job's
// stages are correlated (a hard task plans more steps, loops longer and
// writes longer answers). The format and its sources are docs/behaviour.md.
#pragma once

#include "behave/dist.h"
#include "behave/draw.h"
#include "core/job.h"
#include "ir/ir.h"

#include <map>
#include <optional>

namespace llmflow::behave {

struct LLMSpec {
  Dist outputTokens;
  std::optional<Dist> promptTokens;   // default: words of the rendered prompt x 1.3
};

struct ToolSpec {
  Dist latency;                       // seconds
  double failRate = 0;                // per attempt
};

struct PlanSpec {
  Dist steps;
  /// Relative weight of each allowed tool (by name); default equal.
  std::map<std::string, double> toolWeights;
  /// Shape mix: "parallel" (no edges), "chain", "dag" (random earlier deps).
  double parallel = 1, chain = 0, dag = 0;
  double tokensPerStep = 25;          // added to the planner's output tokens
};

/// How a branch picks its arm.
struct BranchSpec {
  enum class Mode {
    Coin,     // `then`: a bernoulli draw (1 = then arm)
    Evaluate, // `evaluate = true`: the program's condition decides (it reads real values)
    Loop,     // `loop` + `then_if`: follows the outcome of a loop's drawn iteration count
  };
  /// Loop mode: which outcome takes the then arm. Inside the loop's body:
  /// Continues (this iteration is not the last, or the loop runs to its
  /// cap) or Stops; after the loop: Finished (stopped before the cap) or Capped.
  enum class ThenIf { Continues, Stops, Finished, Capped };
  Mode mode = Mode::Coin;
  Dist then;
  std::string loop;                   // the loop's node id
  ThenIf thenIf = ThenIf::Continues;
  bool insideLoop = false;            // the branch is in the loop's body (else after it)
};

struct BehaviourModel {
  std::string app;
  std::string source;                                  // file it came from
  std::vector<std::pair<std::string, Dist>> latents;   // per job, drawn at arrival
  std::map<std::string, LLMSpec> llm;                  // by node id
  std::map<std::string, ToolSpec> tool;
  std::map<std::string, BranchSpec> branch;            // by the branch's node id
  std::map<std::string, Dist> loopIterations;
  std::map<std::string, PlanSpec> plan;                // by the planner's Dynamic node id
  std::map<std::string, Dist> listLength;              // list-valued outputs, by node id
  LLMSpec defaultLLM;
  ToolSpec defaultTool;

  /// Fallbacks for what the file does not describe (docs/behaviour.md).
  static constexpr double kDefaultBranchThen = 0.5;     // coin for an undescribed branch
  static constexpr double kDefaultLoopStop = 0.5;       // per-iteration stop probability
  static constexpr double kDefaultPlanMaxSteps = 4;     // plan size ~ round(U(1, min(4, max_steps)))
  static constexpr double kDefaultTokensPerStep = 25;

  /// The built-in defaults (docs/behaviour.md), for applications without a file.
  static BehaviourModel defaults(llvm::StringRef app);
  /// Loads behaviour.toml; every node id it names must exist in `app` (or
  /// in an application it calls) with the right kind.
  static llvm::Expected<BehaviourModel> load(llvm::StringRef path, const ir::Module &m, const ir::App &app);
  /// The same for every application of the module (a service of all of
  /// them): an `app` the file names must be one of them.
  static llvm::Expected<BehaviourModel> loadProgram(llvm::StringRef path, const ir::Module &m);

private:
  static llvm::Expected<BehaviourModel> loadFor(llvm::StringRef path, const ir::Module &m, const ir::App *app);
};

/// One job's draw from a behaviour model. Everything is keyed by
/// (seed, job, instance), so a job behaves the same under every scheduler.
class JobBehaviour : public JobDraw {
public:
  JobBehaviour(const BehaviourModel &model, const ir::Module &m, uint64_t seed, uint64_t job);

  const Latents &latents() const { return factors; }
  unsigned outputTokens(const std::string &nodeId, const std::string &instance) override;
  unsigned promptTokens(const std::string &nodeId, const std::string &instance,
                        llvm::ArrayRef<llvm::StringRef> prompt) override;
  double toolLatency(const std::string &nodeId, const std::string &instance, unsigned attempt) override;
  bool toolFails(const std::string &nodeId, const std::string &instance, unsigned attempt) override;
  llvm::json::Value synthesize(const ir::Type &t, const std::string &nodeId, const std::string &instance,
                               unsigned words) override;
  llvm::json::Value makePlan(const ir::Node &steps, const std::string &instance, unsigned *count) override;
  double tokensPerStep(const std::string &stepsId) const override;
  /// The number of iterations a loop instance runs (drawn once, then fixed;
  /// at least 1, at most the loop's max).
  unsigned loopIterations(const ir::Node &loop, llvm::StringRef instance);

  std::optional<unsigned> branchArm(const ir::Node &branch, llvm::StringRef instance) override;
  std::optional<bool> loopStops(const ir::Node &loop, llvm::StringRef instance, unsigned iteration) override;

private:
  uint64_t key(llvm::StringRef what) const { return mixKey(seed, job, what); }
  const BehaviourModel &model;
  const ir::Module &module;
  uint64_t seed, job;
  Latents factors;
  llvm::StringMap<double> lastEps;                   // chains (rho): chain -> noise of its last draw
  llvm::StringMap<double> drawnEps;                  // chained instances -> their noise (draws are stable)
  llvm::StringMap<unsigned> loopTarget;              // loop instance -> iterations
  llvm::StringMap<const ir::Node *> nodeCache;
};

} // namespace llmflow::behave
