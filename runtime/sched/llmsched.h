// LLMSched (llmsched.md section 5): jobs grouped into non-overlapping
// duration sets by their [lo, hi] remaining-time intervals; within the
// shortest set that can use a free slot, an epsilon-coin chooses between
// exploring (the ready stage whose completion reduces the most uncertainty,
// R(X), launched partially) and exploiting (shortest expected remaining
// time first). Where the estimates come from is an Estimator: the Bayesian
// network (llmsched), historical means (llmsched-nobn).
#pragma once

#include "sched/knowledge.h"
#include "sched/scheduler.h"

namespace llmflow::sched {

struct JobEstimate {
  double mean = 0;   // expected remaining time
  double lo = 0, hi = 0;
};

class Estimator {
public:
  virtual ~Estimator() = default;
  virtual void observe(const Observation &o) = 0;
  virtual JobEstimate estimate(JobId job, llvm::StringRef app) = 0;
  /// R(X) of a ready stage: expected uncertainty reduction weighted by the
  /// time at stake (seconds).
  virtual double score(JobId job, llvm::StringRef app, llvm::StringRef nodeId) = 0;
};

struct LLMSchedOptions {
  double epsilon = 0.1;
  double partial = 0.2;
  uint64_t seed = 1;
  std::string name = "llmsched";
};

std::unique_ptr<Scheduler> makeLLMSched(std::unique_ptr<Estimator> estimator, const LLMSchedOptions &opts);

/// Historical means: remaining = mean work - work done; the interval from
/// the profiled 5%/95% work quantiles; R(X) = the node's profiled spread.
std::unique_ptr<Estimator> makeMeanEstimator(const Knowledge &k);

} // namespace llmflow::sched
