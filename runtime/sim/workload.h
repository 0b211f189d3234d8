// Workload files (TOML, docs/simulate.md): which applications in what mix,
// how many jobs, the arrival process, executor counts, seeds, schedulers to
// compare, and how much profiling history the schedulers learn from.
#pragma once

#include "estimate/knobs.h"

#include "llvm/Support/Error.h"

#include <optional>

#include <string>
#include <vector>

namespace llmflow::sim {

struct WorkloadApp {
  std::string path;        // example folder (or .llmflow), resolved against the workload's folder
  std::string app;         // application name ("" = the folder's default)
  double weight = 1;
  /// A profile (PROFILE.jsonl) whose jobs this application's jobs replay
  /// (sim/replay.h), resolved against the workload's folder; "" = draw from
  /// the behaviour model. Its first half trains the schedulers' history, its
  /// second half is replayed (docs/simulate.md, "Trace replay").
  std::string trace;
};

struct Workload {
  std::string name, description, file;
  std::vector<WorkloadApp> apps;
  unsigned jobs = 100;
  uint64_t seed = 1;
  /// Poisson arrivals: a rate in jobs per second, or a load factor (the
  /// rate as a multiple of the measured burst capacity). Exactly one is set
  /// (a file that gives neither: load 1).
  std::optional<double> rate, load;
  std::vector<std::string> schedulers;
  unsigned llmEndpoints = 1, llmMaxInFlight = 16, regularSlots = 8;
  std::string gpu = "h100";
  /// LLMSched's knobs ([llmsched]) and the profiled jobs per application
  /// ([training] jobs), from disjoint seeds.
  estimate::Knobs knobs;
  /// [decima] policy: the trained policy `--scheduler decima` uses ("" = none).
  std::string decimaPolicy;
};

llvm::Expected<Workload> loadWorkload(llvm::StringRef path);

} // namespace llmflow::sim
