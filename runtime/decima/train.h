// Training a Decima policy with REINFORCE in the discrete-event simulator,
// as in the Decima paper: each iteration draws one sequence of streaming
// arrivals (applications, arrival times, job behaviours) and runs several
// episodes on it with the policy sampling its actions; the return of a
// decision at time t is minus the time every job spends in the system
// after t (the sum of the rewards -(time x jobs in the system) between
// decisions), and its baseline is the mean return at the same time over
// the iteration's episodes (an input-dependent baseline: the same arrivals,
// so only the policy differs). Episodes grow from a few jobs to the
// workload's count (the curriculum). A fixed validation sequence, run
// greedily, gives the training curve and picks the policy kept.
#pragma once

#include "decima/policy.h"
#include "sim/experiment.h"

#include <functional>

namespace llmflow::decima {

struct TrainSetup {
  const std::vector<sim::SimApp> *apps = nullptr;
  const std::vector<sim::ExperimentApp> *data = nullptr;
  sim::SimConfig config;        // executors; its seed is replaced per iteration
  double rate = 1;              // arrivals per second
  unsigned jobs = 100;          // jobs of a full episode (and of the validation sequence)
};

struct TrainOptions {
  unsigned episodes = 960;
  unsigned perIteration = 8;    // episodes on one arrival sequence
  unsigned firstJobs = 20;      // the curriculum's first episode length
  double rampShare = 0.5;       // share of the iterations over which episodes grow to full length
  double learningRate = 3e-3;   // Adam
  unsigned validateEvery = 4;   // iterations
  unsigned threads = 1;         // episodes run in parallel (the result does not depend on it)
  uint64_t seed = 1;
};

struct IterationStats {
  unsigned iteration = 0, episodes = 0, jobs = 0;
  double trainJCT = 0;          // mean average JCT of the iteration's episodes
  double validationJCT = -1;    // greedy policy on the validation sequence (-1: not run)
  double seconds = 0;           // wall time so far
};

struct TrainReport {
  std::vector<IterationStats> curve;
  double initialJCT = 0, bestJCT = 0, fcfsJCT = 0;   // on the validation sequence
  unsigned bestIteration = 0;
};

/// Average JCT of the validation sequence under the policy (greedy).
double validate(const TrainSetup &setup, const Policy &policy, uint64_t seed);

/// Trains policy.net in place (ending with the weights that did best on
/// validation); progress is called after every iteration.
TrainReport train(const TrainSetup &setup, Policy &policy, const TrainOptions &options,
                  const std::function<void(const IterationStats &)> &progress = {});

} // namespace llmflow::decima
