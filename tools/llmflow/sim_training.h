// What the schedulers of `llmflow simulate` learn before the evaluated runs:
// the training history (each application profiled alone) and, for
// llmsched, each application's trained network and its edgeless
// counterpart. Both are cached on disk (disk_cache.h) under a key made of
// everything they are computed from, since they are most of a small
// simulation's time and the same for every run of an unchanged workload.
#pragma once

#include "disk_cache.h"
#include "sim_workload.h"

#include "estimate/train_app.h"

namespace llmflow::cli {

struct SimTraining {
  std::vector<profile::JobProfile> history;
  std::vector<estimate::TrainedApp> trained;   // per application, when networks were asked for
};

/// Fills `out` (from the cache when it holds a good entry); prints the
/// problem and returns the exit code on failure (kOk on success).
int trainSchedulers(const DiskCache &cache, const sim::Workload &w, const SimWorkload &sw, bool networks,
                    SimTraining &out);

} // namespace llmflow::cli
