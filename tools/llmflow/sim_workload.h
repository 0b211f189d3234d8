// A workload's applications loaded for the simulator (program, behaviour
// model, sample inputs, replayed traces), the executors it configures and
// its arrival rate: what `simulate` and `decima train` both start from.
#pragma once

#include "app_loader.h"

#include "sim/experiment.h"
#include "sim/replay.h"
#include "sim/workload.h"

#include <memory>

namespace llmflow::cli {

struct LoadedSimApp {
  LoadedApp loaded;
  SimParts parts;
  std::unique_ptr<sim::ReplayIndex> index;
};

struct SimWorkload {
  std::vector<std::unique_ptr<LoadedSimApp>> loaded;
  std::vector<sim::ExperimentApp> data;
  std::vector<sim::SimApp> apps;
  sim::SimConfig cfg;
};

/// Loads every [[apps]] entry and the executors; prints the problem and
/// returns the exit code on failure (kOk on success).
int loadSimWorkload(const Args &args, const sim::Workload &w, SimWorkload &out);

/// The workload's arrival rate: given, or its load factor times the burst
/// capacity of its jobs (returned in *capacity; 0 when a rate was given and
/// the capacity was not measured).
double arrivalRate(const SimWorkload &s, const sim::Workload &w, double *capacity);

} // namespace llmflow::cli
