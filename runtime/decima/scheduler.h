// Decima as a scheduler: on every decision, embeds each active job's DAG
// (re-encoding only the jobs that changed), then repeatedly picks a ready
// stage by the network's softmax and a parallelism limit for its job, and
// starts as many of the stage's tasks as the limit and the free slots of
// its kind allow, until no free slot can be used (as Decima assigns every
// free executor). In use it takes the most likely action (greedy); in
// training it samples and records, per decision, the gradient of the log
// probability of what it did.
#pragma once

#include "decima/policy.h"
#include "sched/scheduler.h"

#include <memory>

namespace llmflow::decima {

struct DecimaOptions {
  bool sample = false;          // sample actions (training) instead of taking the most likely
  bool record = false;          // keep each decision's gradient (training)
  uint64_t seed = 1;
};

/// One recorded decision: when, and d log pi(actions) / d weights.
struct Step {
  double time = 0;
  double logProb = 0;           // log pi(actions)
  std::vector<float> grad;
};

class DecimaScheduler : public sched::Scheduler {
public:
  DecimaScheduler(const Policy &policy, DecimaOptions options);
  ~DecimaScheduler() override;
  std::string name() const override { return "decima"; }
  bool wantsDAG() const override { return true; }
  std::vector<sched::Placement> decide(const sched::Snapshot &snap) override;
  /// The decisions recorded so far (moved out).
  std::vector<Step> takeSteps();

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace llmflow::decima
