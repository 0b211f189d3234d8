// LLMSched's estimator (docs/bn.md, "What the scheduler asks"): per job, a
// Bayesian-network inference state that takes evidence as the job reveals
// itself — its inputs on arrival, each finished task, a branch taken, each
// loop iteration that starts, a map's size, a plan's tools and their counts —
// and answers the expected remaining work, its [lo, hi] interval, and the
// score R(X) of ready stages (llmsched.md sections 4-5).
#pragma once

#include "estimate/variables.h"
#include "sched/llmsched.h"

#include <memory>

namespace llmflow::estimate {

/// An application's trained network with what the estimator needs from it,
/// shared by every job of the application.
struct AppBN {
  AppModel model;
  bn::Network net;
  std::shared_ptr<const bn::JunctionTree> compiled; // shared by every job's inference
  llvm::StringMap<unsigned> var;               // variable name -> index
  /// Per node (AppModel::order): its duration, count and structure
  /// variables (-1 = none). countVar is the variable its instances are
  /// counted by (its own or its loop's / map's structure).
  struct NodeVars {
    int duration = -1, count = -1, structure = -1;
  };
  std::vector<NodeVars> nodeVars;
  std::vector<unsigned> work;                  // node indices of Regular and LLM nodes
  std::vector<std::pair<std::string, unsigned>> features; // input name -> variable
  /// Per Dynamic node (by node index): the nodes under it with the arm they
  /// are in (-1 outside branches), and whether the node's count is the
  /// Dynamic node's own count (nothing repeats or branches in between).
  struct Under {
    unsigned node;
    int arm;
    bool direct;
  };
  std::vector<std::vector<Under>> under;
  /// Per variable: the work (duration) variables downstream in the network,
  /// nearest first (the Ys of R(X)).
  std::vector<std::vector<unsigned>> descendants;

  static llvm::Expected<std::unique_ptr<AppBN>> make(AppModel model, bn::Network net);
};

struct BNEstimatorOptions {
  unsigned maxDescendants = 6;                 // M: the Ys in I(X; Y1..YM | E)
  bool productOfRanges = false;                // sum of Range(Ym) (default) or product
  /// The quantiles of the [lo, hi] interval of remaining work (llmsched.md 5).
  double intervalLo = 0.05, intervalHi = 0.95;
};

std::unique_ptr<sched::Estimator> makeBNEstimator(std::vector<const AppBN *> apps, BNEstimatorOptions opts = {});

/// What an estimator made by makeBNEstimator knows of one stage of a job
/// (tests, explanations); nullopt for an unknown job or node, or another
/// kind of estimator.
struct StageView {
  bool closed = false;        // no instance of it is still to start or finish
  bool absent = false;        // it will not run in this job
  int count = -1;             // its instances in all, once known
  unsigned started = 0, finished = 0;
  double toCome = 0;          // expected instances still to start
  /// A Dynamic node's expected structure value (e.g. loop iterations), or
  /// a repeated stage's expected count, under the evidence; -1 if none.
  double expectedCount = -1;
};
std::optional<StageView> inspect(sched::Estimator &e, sched::JobId job, llvm::StringRef nodeId);

} // namespace llmflow::estimate
