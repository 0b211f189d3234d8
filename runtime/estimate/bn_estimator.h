// LLMSched's estimator: per job, a Bayesian-network inference state that
// takes evidence as stages finish and Dynamic nodes resolve, and answers the
// expected remaining time, its [lo, hi] interval, and the uncertainty
// reduction score R(X) of ready stages (llmsched.md sections 4-5).
#pragma once

#include "estimate/variables.h"
#include "sched/llmsched.h"

#include <memory>

namespace llmflow::estimate {

/// An application's trained network with what the estimator needs from it.
struct AppBN {
  AppModel model;
  bn::Network net;
  std::shared_ptr<const bn::JunctionTree> compiled; // shared by every job's inference
  llvm::StringMap<unsigned> var;               // variable name -> index
  std::vector<unsigned> workVars;              // durations of Regular and LLM nodes
  std::vector<std::vector<unsigned>> descendants; // per variable, nearest first
  std::vector<double> range;                   // per variable: span of its value support

  static llvm::Expected<std::unique_ptr<AppBN>> make(AppModel model, bn::Network net);
};

struct BNEstimatorOptions {
  unsigned maxDescendants = 6;                 // Ys in I(X; Y1..Ym | E)
  bool productOfRanges = false;                // Σ Range(Ym) (default) or Π
};

std::unique_ptr<sched::Estimator> makeBNEstimator(std::vector<const AppBN *> apps, BNEstimatorOptions opts = {});

} // namespace llmflow::estimate
