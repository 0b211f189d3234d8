// What a report needs from an event log, assembled once: jobs (arrival,
// finish, status, error), tasks (ready, dispatched and end times, executor,
// tokens, error) and per-stage statistics. Internal to the report library.
#pragma once

#include "engine/events.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace llmflow::report {

struct TaskRun {
  uint64_t job = 0;
  std::string node, instance, executor;
  std::string endpoint, model;   // as the task's end recorded them
  std::optional<double> ready, dispatched, ended;
  bool ok = true;
  std::string error;
  std::optional<unsigned> tokensIn, tokensOut;
  unsigned attempts = 0;
};

struct JobRun {
  uint64_t id = 0;              // unique in the log (runs appended to one log are numbered apart)
  std::string label;            // "job 3", or "run 2 job 3" when the log holds several runs
  std::string app;
  double arrival = 0;
  std::optional<double> finish;
  bool ok = false;
  std::string error;
  std::vector<size_t> tasks; // indices into RunData::tasks
};

struct StageStats {
  std::string node, executor;
  unsigned calls = 0, failed = 0;
  std::vector<double> run, wait;   // seconds, sorted
  uint64_t tokensIn = 0, tokensOut = 0;
  unsigned withTokens = 0;
};

struct RunData {
  std::map<uint64_t, JobRun> jobs;
  std::vector<TaskRun> tasks;
  std::map<std::string, StageStats> stages;
  std::optional<llvm::json::Value> run;   // run_started's configuration
  double start = 0, end = 0;              // first and last event time
  std::vector<std::pair<std::string, unsigned>> failures;   // "stage: reason" -> count, most first
};

/// Several runs may be appended to one log (--events appends): each
/// run_started starts a new numbering of jobs, kept apart here.
RunData analyse(const std::vector<engine::Event> &events);

/// Nearest-rank percentile of sorted values (q in [0, 1]); 0 when empty.
double percentileOf(const std::vector<double> &sorted, double q);

} // namespace llmflow::report
