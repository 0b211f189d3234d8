// What history-based schedulers know about applications: from profiles of
// earlier runs (never from the jobs being scheduled). Plain data; built by
// the profile library (profile/knowledge.h).
#pragma once

#include "llvm/ADT/StringMap.h"

#include <string>
#include <vector>

namespace llmflow::sched {

struct NodeStats {
  double meanDuration = 0;   // per job in which it ran (all instances summed)
  double presence = 0;       // fraction of jobs in which it ran
  double p5 = 0, p95 = 0;    // 5% and 95% quantiles of that duration
};

struct AppKnowledge {
  double meanJob = 0;        // mean job completion time when run alone
  double meanWork = 0;       // mean summed task durations per job (LLM + tools)
  double workP5 = 0, workP95 = 0;
  llvm::StringMap<NodeStats> nodes;
  /// Every profiled job's work, ascending, and the sums of its suffixes
  /// (tail[i] = works[i] + ... + works.back()).
  std::vector<double> works, tail;

  /// Expected work still to come of a job that has done `attained` seconds:
  /// E[W - a | W > a] over the profiled jobs; past their 95% point, a
  /// Pareto tail continuous there (the longer a job has run, the more it
  /// is expected to need, never 0). The mean work when a = 0.
  double remainingWork(double attained) const;
  /// Fills works and tail from unsorted works (and meanWork, workP5/P95).
  void setWorks(std::vector<double> w);
};

struct Knowledge {
  llvm::StringMap<AppKnowledge> apps;
  const AppKnowledge *app(llvm::StringRef name) const {
    auto it = apps.find(name);
    return it == apps.end() ? nullptr : &it->second;
  }
};

/// A clairvoyant view of the truth, for the oracle baseline only: each
/// job's completion time and total work when run alone.
class Clairvoyance {
public:
  virtual ~Clairvoyance() = default;
  virtual double standaloneTime(uint64_t job) const = 0;
  virtual double standaloneWork(uint64_t job) const = 0;
};

} // namespace llmflow::sched
