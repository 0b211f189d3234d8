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
  /// Soft evidence per variable: the product of every likelihood entered
  /// (empty = none), and the part of it not yet in `tables`.
  std::vector<std::vector<double>> like, likeNew;
  bool dirty = false;
  bool retracted = false;              // soft evidence was taken back: rebuild
  double evidenceMass = 1;             // P(evidence), valid when massEpoch == epoch
  uint64_t massEpoch = 0;
  std::vector<double> scratch;
  std::vector<uint64_t> needed, sources;   // clique bit sets (sync() scratch)
  std::vector<uint64_t> sepPass;           // per separator: the pass that last made it current
  uint64_t pass = 0;
  // Posterior cache: post[postOffset[v] ...], valid when postEpoch[v] == epoch.
  std::vector<double> post;
  std::vector<size_t> postOffset;
  std::vector<uint64_t> postEpoch;
  uint64_t epoch = 1;
  size_t jointLimit = 4096;

  explicit Impl(std::shared_ptr<const JunctionTree> tree);
  /// Brings the tables in line with the evidence: every clique that holds
  /// the posterior of an unobserved variable ends up proportional to its
  /// calibrated value. Cliques no query needs may be left stale; they are
  /// never on the path between two cliques that are needed later (the
  /// needed set only shrinks until a retraction rebuilds from the prior).
  void sync();
  /// Multiplies v = state into its home clique and rescales it to sum 1.
  void enter(unsigned v);
  /// Multiplies a likelihood over v's states into its home clique (rescaled).
  void enterLikelihood(unsigned v, const std::vector<double> &factor);
  /// Enters whatever evidence on v is not yet in `tables`.
  void enterNew(unsigned v);
  /// Pre-order pass over `sched`, skipping subtrees with no needed clique
  /// and, when `prune` (the tree was consistent before the evidence at the
  /// schedule's root), subtrees whose message would change nothing.
  void distribute(const JunctionTree::Schedule &sched, bool prune);
  /// The posterior of v (cached until the evidence changes).
  llvm::ArrayRef<double> posterior(unsigned v);
  /// Joint posterior by variable elimination (query.cpp).
  std::vector<double> joint(llvm::ArrayRef<unsigned> vars);
};

} // namespace llmflow::bn
