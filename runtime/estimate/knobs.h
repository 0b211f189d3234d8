// LLMSched's knobs in one place, with their defaults (llmsched.md section 5,
// docs/bn.md "Knobs"): the scheduler's own (epsilon, r), the estimator's
// (M descendants, how ranges aggregate), training's (bins, maximum parents)
// and how many jobs the simulator profiles per application. Set by name from
// a workload file's [llmsched] table or from command-line flags, so both
// spell them the same and check them the same way.
#pragma once

#include "bn/bn.h"
#include "estimate/bn_estimator.h"
#include "sched/llmsched.h"

namespace llmflow::estimate {

struct Knobs {
  sched::LLMSchedOptions llmsched;   // epsilon, partial
  BNEstimatorOptions estimator;      // descendants, aggregation
  bn::TrainOptions training;         // bins, max_parents
  unsigned trainingJobs = 1000;      // the simulator's profiled jobs per application
};

/// The knob names (as in files; flags spell '_' as '-').
const std::vector<std::string> &knobNames();

/// Sets one knob; the error names it and its valid range. `value` is a JSON
/// number or string (flags pass numbers as numbers).
llvm::Error setKnob(Knobs &k, llvm::StringRef name, const llvm::json::Value &value);

/// "epsilon 0.1, partial 0.2, ..." for summaries.
std::string describe(const Knobs &k);

} // namespace llmflow::estimate
