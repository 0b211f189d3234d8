// The Decima network (Mao et al., "Learning Scheduling Algorithms for Data
// Processing Clusters", SIGCOMM 2019), small enough to train on two cores:
// per-node embeddings by message passing from children to parents over a
// job's DAG (e_v = prep(x_v) + g(sum over children u of f(e_u))), a per-job
// summary y_j and a global summary z = sum_j s(y_j); a score per ready
// stage from (x_v, e_v, y_j, z) with a softmax over all ready stages, and a
// score per parallelism limit from (y_j, z, limit) with a softmax over the
// limits. Hidden layers 16 wide, embeddings 8 wide, leaky ReLUs.
//
// The first layer of each score is split by its inputs (a sum of products
// equals the product of the concatenation), so a job's part is computed
// once per change of the job (JobEncoding, on its own tape) and a decision
// only adds the global part: that is what keeps a decision at hundreds of
// active jobs within a millisecond.
#pragma once

#include "decima/tape.h"

#include <cstdint>
#include <vector>

namespace llmflow::decima {

inline constexpr int kFeatures = 6;   // per node: see decima/features.h
inline constexpr int kHidden = 16;
inline constexpr int kEmbed = 8;
inline constexpr int kLimits = 8;     // parallelism limits 1..8 slots of a kind

struct Network {
  Param prep1W, prep1b, prep2W, prep2b;           // x -> prep(x)
  Param f1W, f1b, f2W, f2b;                       // message from a child
  Param g1W, g1b, g2W, g2b;                       // sum of messages -> embedding
  Param s1W, s1b, s2W, s2b;                       // [x, e] -> per-job summary (summed)
  Param t1W, t1b, t2W, t2b;                       // y_j -> global summary (summed)
  Param qNodeW, qJobW, qGlobalW, q1b, q2W, q2b, q3W, q3b;     // stage score
  Param lJobW, lGlobalW, lLimitW, l1b, l2W, l2b, l3W, l3b;    // limit score

  Network();
  /// Glorot-uniform weights, zero biases, from a seeded generator.
  void initialise(uint64_t seed);
  /// Every parameter, in a fixed order (the policy file's and the optimiser's).
  std::vector<Param *> params();
  size_t size();
  void zeroGrad();
  /// All gradients, flattened in params() order.
  std::vector<float> flatGrad();
};

/// A job as the network sees it: features of its unfinished nodes, which of
/// them wait for which, and which have ready tasks (rows of x).
struct JobGraph {
  Mat x;                                      // nodes x kFeatures
  std::vector<std::vector<uint32_t>> children; // per row: rows that wait for it
  std::vector<uint32_t> candidates;           // rows with ready tasks
};

/// One job's forward pass, kept while the job does not change; its outputs
/// feed every decision's head.
struct JobEncoding {
  Tape tape;
  Tape::Var nodeScore = 0;   // candidates x kHidden: first layer of the stage score, the node's part
  Tape::Var jobScore = 0;    // 1 x kHidden: the job's part of it
  Tape::Var jobLimit = 0;    // 1 x kHidden: the job's part of the limit score
  Tape::Var global = 0;      // 1 x kEmbed: the job's term of the global summary
};

void encodeJob(Network &net, const JobGraph &g, JobEncoding &out);

/// One decision's head: the global summary, every candidate's score, and
/// the limit scores of a job.
class Head {
public:
  /// globals: one row per active job (its JobEncoding::global); firstLayer:
  /// one row per candidate (nodeScore row + its job's jobScore).
  void build(Network &net, Mat globals, Mat firstLayer);
  const Mat &scores() const { return tape.value(scoreVar); }
  /// The limit scores (kLimits x 1) of a job from its jobLimit row, and the
  /// leaf that row became (its gradient goes back to the job).
  std::pair<Tape::Var, Tape::Var> limitScores(Network &net, const Mat &jobLimit);
  Tape &t() { return tape; }
  Tape::Var scoreVar = 0, globalsVar = 0, firstLayerVar = 0;

private:
  Tape tape;
  Tape::Var z = 0, limitGlobal = 0, levels = 0;
};

} // namespace llmflow::decima
