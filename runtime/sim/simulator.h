// The discrete-event simulator: virtual time, the same job state machine,
// the same scheduler code and the same simulated task model as the runtime's
// simulated backend, with continuous-batching LLM servers and regular slots.
// Deterministic: a job's behaviour is keyed by (seed, job id), or replays
// a recorded job (SimJob::trace, sim/replay.h), so every scheduler sees the
// same jobs. Not for: reading files or printing.
#pragma once

#include "behave/behaviour.h"
#include "engine/events.h"
#include "engine/sim_model.h"
#include "profile/profile.h"
#include "sched/scheduler.h"
#include "serving/batching.h"

#include <memory>
#include <string>
#include <vector>

namespace llmflow::sim {

class ReplayIndex;

struct SimApp {
  std::string name;
  const ir::Module *module = nullptr;
  const ir::App *app = nullptr;
  const behave::BehaviourModel *behaviour = nullptr;
  const engine::SimTaskModel *model = nullptr;
  /// Needed when jobs of this application replay a trace (sim/replay.h).
  const ReplayIndex *replay = nullptr;
};

struct SimJob {
  unsigned app = 0;                  // index into the apps
  llvm::json::Object inputs;
  double arrival = 0;
  uint64_t id = 0;                   // keys the job's behaviour draw (same under every scheduler)
  /// Set: the job replays this recorded job (sim/replay.h) instead of
  /// drawing from the behaviour model. Must outlive the simulation.
  const profile::JobProfile *trace = nullptr;
};

struct SimConfig {
  unsigned llmEndpoints = 1;
  unsigned llmMaxInFlight = 16;      // per endpoint
  serving::ServingParams serving;
  unsigned regularSlots = 16;
  uint64_t seed = 1;
};

struct JobOutcome {
  uint64_t id = 0;
  unsigned app = 0;
  double arrival = 0, finish = 0;
  bool ok = false;
  std::string error;
  double work = 0;                   // summed task durations
  unsigned llmCalls = 0, toolCalls = 0;
  uint64_t tokensIn = 0, tokensOut = 0;
  unsigned replayMismatches = 0;     // replayed job: instances that departed from the record
};

struct SimResult {
  std::vector<JobOutcome> jobs;
  unsigned decisions = 0;
  std::vector<double> decisionSeconds;   // wall time of each decide() call
  double makespan = 0;
  double wallSeconds = 0;
  unsigned maxActiveJobs = 0;
  unsigned replayedJobs = 0;
  unsigned replayMismatches = 0;         // summed over the replayed jobs
  std::vector<std::string> replayNotes;  // the first few mismatches, described
};

/// Runs the jobs under the scheduler. `events` (optional) receives the same
/// event stream the engine writes, on the virtual clock.
SimResult simulate(const std::vector<SimApp> &apps, const std::vector<SimJob> &jobs, sched::Scheduler &scheduler,
                   const SimConfig &config, engine::EventSink *events = nullptr);

/// Each job run alone with no contention: its standalone completion time and
/// total work, for the clairvoyant oracle and for normalising.
std::vector<JobOutcome> standalone(const std::vector<SimApp> &apps, const std::vector<SimJob> &jobs,
                                   const SimConfig &config);

} // namespace llmflow::sim
