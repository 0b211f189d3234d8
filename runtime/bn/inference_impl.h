// Internal: the per-job state of an Inference (its copy of the clique and
// separator tables, the evidence, cached posteriors). Shared by
// inference.cpp (evidence and propagation) and query.cpp (joints, entropy,
// mutual information, estimates).
#pragma once

#include "bn/jtree.h"

#include <memory>
#include <vector>

namespace llmflow::bn {

struct Inference::Impl {
  std::shared_ptr<const JunctionTree> jt;
  std::vector<double> tables;          // cliques then separators
  std::vector<int> evidence;           // requested: state or -1
  std::vector<int> applied;            // reflected in `tables`
  bool dirty = false;
  double logScale = 0;                 // true potentials = tables * exp(logScale)
  double evidenceMass = 1;             // P(evidence), valid after sync()
  std::vector<double> scratch;
  // Posterior cache: post[postOffset[v] ...], valid when postEpoch[v] == epoch.
  std::vector<double> post;
  std::vector<size_t> postOffset;
  std::vector<uint64_t> postEpoch;
  uint64_t epoch = 1;
  size_t jointLimit = 4096;

  explicit Impl(std::shared_ptr<const JunctionTree> tree);
  /// Brings the tables in line with the evidence.
  void sync();
  /// The posterior of v (cached until the evidence changes).
  llvm::ArrayRef<double> posterior(unsigned v);
  /// Joint posterior by variable elimination (query.cpp).
  std::vector<double> joint(llvm::ArrayRef<unsigned> vars);
};

} // namespace llmflow::bn
