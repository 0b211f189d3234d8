#include "sim/experiment.h"

#include "sched/scheduler.h"

#include <random>

namespace llmflow::sim {

std::vector<profile::JobProfile> profileAlone(const std::vector<SimApp> &apps, unsigned app,
                                              const std::vector<llvm::json::Object> &inputs, unsigned jobs,
                                              const SimConfig &config, uint64_t firstId) {
  engine::MemorySink sink;
  auto fcfs = sched::makeFCFS();
  for (unsigned k = 0; k < jobs; ++k) {
    std::vector<SimJob> one{{app, inputs[k % inputs.size()], 0, firstId + k}};
    simulate(apps, one, *fcfs, config, &sink);
  }
  return profile::fromEvents(sink.events, *apps[app].module);
}

std::vector<profile::JobProfile> trainingHistory(const std::vector<SimApp> &apps,
                                                 const std::vector<ExperimentApp> &data, const SimConfig &config,
                                                 unsigned jobsPerApp) {
  SimConfig alone = config;
  alone.seed = config.seed + 0x9e3779b9ULL;
  std::vector<profile::JobProfile> history;
  for (size_t a = 0; a < apps.size(); ++a) {
    if (!data[a].replay.empty()) {
      history.insert(history.end(), data[a].history.begin(), data[a].history.end());
      continue;
    }
    auto profiles = profileAlone(apps, unsigned(a), data[a].inputs, jobsPerApp, alone, kTrainingJobIds);
    history.insert(history.end(), std::make_move_iterator(profiles.begin()), std::make_move_iterator(profiles.end()));
  }
  return history;
}

std::vector<SimJob> makeJobs(const std::vector<ExperimentApp> &data, unsigned n, double rate, uint64_t seed) {
  std::mt19937_64 pickRng(seed), gapRng(seed ^ 0x5851f42d4c957f2dULL);
  std::vector<double> weights;
  for (const ExperimentApp &a : data)
    weights.push_back(a.weight);
  std::discrete_distribution<unsigned> pick(weights.begin(), weights.end());
  std::exponential_distribution<double> gap(1.0);
  std::vector<unsigned> used(data.size(), 0);
  std::vector<SimJob> jobs;
  double t = 0;
  for (unsigned k = 0; k < n; ++k) {
    unsigned a = pick(pickRng);
    const auto &in = data[a].inputs;
    const auto &replay = data[a].replay;
    if (replay.empty()) {
      jobs.push_back({a, in[used[a]++ % in.size()], t, k + 1});
    } else {
      // The application's k-th job replays recorded job k (cyclically), on
      // the input line `llmflow profile` ran it with.
      const profile::JobProfile &rec = replay[used[a]++ % replay.size()];
      jobs.push_back({a, in[(rec.job ? rec.job - 1 : 0) % in.size()], t, k + 1, &rec});
    }
    double g = gap(gapRng);
    t += rate > 0 ? g / rate : 0;
  }
  return jobs;
}

double burstCapacity(const std::vector<SimApp> &apps, std::vector<SimJob> jobs, const SimConfig &config) {
  for (SimJob &j : jobs)
    j.arrival = 0;
  auto fcfs = sched::makeFCFS();
  SimResult r = simulate(apps, jobs, *fcfs, config);
  return r.makespan > 0 ? double(jobs.size()) / r.makespan : 0;
}

} // namespace llmflow::sim
