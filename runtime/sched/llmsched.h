// LLMSched (llmsched.md section 5): jobs grouped into non-overlapping
// duration sets by their [lo, hi] remaining-work intervals; within the
// shortest set that can use a free slot, an epsilon-coin chooses between
// exploring (the ready stage whose completion reduces the most uncertainty,
// R(X) > 0, launched partially) and exploiting (shortest expected remaining
// work first). Where the estimates come from is an Estimator: the Bayesian
// network (llmsched), the same estimator on a network without edges
// (llmsched-nobn). Without the uncertainty term (llmsched-nounc) it is
// plain SRTF on the network's estimates: no sets, no exploration.
#pragma once

#include "sched/knowledge.h"
#include "sched/scheduler.h"

namespace llmflow::sched {

struct JobEstimate {
  double mean = 0;   // expected remaining work, seconds
  double lo = 0, hi = 0;
  /// The estimate stays what it is until this time unless an observation
  /// of the job comes first (0: it may change at any time, so ask again at
  /// every decision). Lets a decision touch only the jobs that moved.
  double validUntil = 0;
};

class Estimator {
public:
  virtual ~Estimator() = default;
  virtual void observe(const Observation &o) = 0;
  /// At time `now` (running tasks have run for now - their start).
  virtual JobEstimate estimate(JobId job, llvm::StringRef app, double now) = 0;
  /// R(X) of launching a ready task of a node: expected uncertainty
  /// reduction weighted by the time at stake (seconds); 0 when launching it
  /// would reveal nothing new.
  virtual double score(JobId job, llvm::StringRef app, llvm::StringRef nodeId) = 0;
};

/// The knobs, with the defaults llmsched.md section 5 gives.
struct LLMSchedOptions {
  double epsilon = 0.1;     // probability of exploring, one coin per placement decision
  double partial = 0.2;     // fraction r of a multi-task stage launched when exploring (at least one)
  bool durationSets = true; // group jobs by overlapping [lo, hi] (false: one set, plain SRTF)
  uint64_t seed = 1;
  std::string name = "llmsched";
};

std::unique_ptr<Scheduler> makeLLMSched(std::unique_ptr<Estimator> estimator, const LLMSchedOptions &opts);

} // namespace llmflow::sched
