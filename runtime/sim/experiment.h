// The pieces of a simulated experiment (`llmflow simulate`, docs/simulate.md)
// that do not depend on how applications were loaded: the schedulers'
// training history (each application profiled alone, on job ids and a seed
// the evaluated jobs never use), the evaluated jobs (applications by
// weight, Poisson arrivals), the burst capacity that load factors refer
// to, and each job's standalone time and work (the oracle's truth and the
// baseline of queueing delay).
#pragma once

#include "sim/simulator.h"

namespace llmflow::sim {

/// An application of a workload with what the experiment draws from.
struct ExperimentApp {
  std::vector<llvm::json::Object> inputs;        // sample jobs' inputs (inputs.jsonl)
  double weight = 1;
  /// Trace replay: recorded jobs, split into the schedulers' history and
  /// the jobs replayed (both empty: draw from the behaviour model).
  std::vector<profile::JobProfile> history, replay;
};

/// Id offset of training jobs: never an evaluated job's id.
inline constexpr uint64_t kTrainingJobIds = 1000000000ULL;

/// Profiles of `jobs` jobs of application `app`, each run alone in virtual
/// time (inputs taken in turn), with job ids firstId, firstId + 1, ...
std::vector<profile::JobProfile> profileAlone(const std::vector<SimApp> &apps, unsigned app,
                                              const std::vector<llvm::json::Object> &inputs, unsigned jobs,
                                              const SimConfig &config, uint64_t firstId);

/// Profiles of `jobsPerApp` jobs of each application run alone on a seed
/// derived from config.seed (a replayed application contributes its
/// recorded history instead).
std::vector<profile::JobProfile> trainingHistory(const std::vector<SimApp> &apps,
                                                 const std::vector<ExperimentApp> &data, const SimConfig &config,
                                                 unsigned jobsPerApp);

/// `n` jobs: the application of each by weight, then arrival times of a
/// Poisson process at `rate` jobs per second (0: all at time 0). The
/// applications drawn do not depend on the rate, so a workload at two
/// loads runs the same jobs.
std::vector<SimJob> makeJobs(const std::vector<ExperimentApp> &data, unsigned n, double rate, uint64_t seed);

/// Burst capacity in jobs per second: the jobs all arriving at once, run
/// under FCFS, divided by the makespan. A load factor is an arrival rate
/// over this.
double burstCapacity(const std::vector<SimApp> &apps, std::vector<SimJob> jobs, const SimConfig &config);

} // namespace llmflow::sim
