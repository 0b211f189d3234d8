#include "report/run_data.h"

#include <algorithm>
#include <cmath>

namespace llmflow::report {

double percentileOf(const std::vector<double> &sorted, double q) {
  if (sorted.empty())
    return 0;
  size_t rank = size_t(std::ceil(q * double(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank ? rank - 1 : 0)];
}

RunData analyse(const std::vector<engine::Event> &events) {
  using engine::EventType;
  RunData d;
  std::map<std::pair<uint64_t, std::string>, size_t> open; // (job, instance) -> task of the current attempt
  std::map<std::string, unsigned> failures;
  bool first = true;
  unsigned runs = 0;
  auto jobKey = [&](uint64_t job) { return (uint64_t(std::max(1u, runs) - 1) << 32) | job; };
  auto taskFor = [&](const engine::Event &e) -> TaskRun & {
    const std::string &inst = e.instance.empty() ? e.node : e.instance;
    uint64_t job = jobKey(e.job);
    auto it = open.find({job, inst});
    if (it == open.end()) {
      TaskRun t;
      t.job = job;
      t.node = e.node;
      t.instance = inst;
      d.tasks.push_back(std::move(t));
      it = open.emplace(std::make_pair(job, inst), d.tasks.size() - 1).first;
      d.jobs[job].tasks.push_back(d.tasks.size() - 1);
    }
    return d.tasks[it->second];
  };
  for (const engine::Event &e : events) {
    if (first || e.t < d.start)
      d.start = e.t;
    d.end = std::max(d.end, e.t);
    first = false;
    switch (e.type) {
    case EventType::RunStarted:
      ++runs;
      if (e.extra && !d.run)
        d.run = *e.extra;
      break;
    case EventType::JobSubmitted: {
      JobRun &j = d.jobs[jobKey(e.job)];
      j.id = jobKey(e.job);
      j.label = "job " + std::to_string(e.job);
      j.app = e.app;
      j.arrival = e.t;
      break;
    }
    case EventType::JobFinished:
    case EventType::JobFailed: {
      JobRun &j = d.jobs[jobKey(e.job)];
      j.id = jobKey(e.job);
      if (j.label.empty())
        j.label = "job " + std::to_string(e.job);
      if (j.app.empty())
        j.app = e.app;
      j.finish = e.t;
      j.ok = e.type == EventType::JobFinished;
      j.error = e.error;
      if (!j.ok)
        ++failures["job: " + e.error];
      break;
    }
    case EventType::TaskReady: taskFor(e).ready = e.t; break;
    case EventType::TaskDispatched: {
      TaskRun &t = taskFor(e);
      t.dispatched = e.t;
      t.executor = e.executor;
      break;
    }
    case EventType::TaskFinished:
    case EventType::TaskFailed: {
      TaskRun &t = taskFor(e);
      if (t.ended && e.type == EventType::TaskFailed)
        break; // the job's own record of a failure the executor reported already
      t.ended = e.t;
      t.ok = e.type == EventType::TaskFinished;
      t.error = e.error;
      if (!e.executor.empty())
        t.executor = e.executor;
      t.endpoint = e.endpoint;
      t.model = e.model;
      t.tokensIn = e.tokensIn;
      t.tokensOut = e.tokensOut;
      t.attempts = e.attempts;
      if (!t.ok)
        ++failures[e.node + ": " + e.error];
      open.erase({t.job, t.instance}); // a later run of the same instance is a new task
      break;
    }
    default:
      break;
    }
  }
  if (runs > 1)
    for (auto &[key, j] : d.jobs)
      j.label = "run " + std::to_string((key >> 32) + 1) + " " + j.label;
  for (const TaskRun &t : d.tasks) {
    StageStats &s = d.stages[t.node];
    s.node = t.node;
    if (!t.executor.empty())
      s.executor = t.executor;
    if (!t.dispatched)
      continue;
    ++s.calls;
    s.failed += !t.ok;
    if (t.ended)
      s.run.push_back(*t.ended - *t.dispatched);
    if (t.ready)
      s.wait.push_back(*t.dispatched - *t.ready);
    if (t.tokensIn || t.tokensOut) {
      ++s.withTokens;
      s.tokensIn += t.tokensIn.value_or(0);
      s.tokensOut += t.tokensOut.value_or(0);
    }
  }
  for (auto &[id, s] : d.stages) {
    std::sort(s.run.begin(), s.run.end());
    std::sort(s.wait.begin(), s.wait.end());
  }
  for (auto &[what, n] : failures)
    d.failures.push_back({what, n});
  std::stable_sort(d.failures.begin(), d.failures.end(),
                   [](const auto &a, const auto &b) { return a.second > b.second; });
  return d;
}

} // namespace llmflow::report
