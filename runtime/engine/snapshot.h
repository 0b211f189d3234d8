// What the scheduler sees, built the same way by the engine and the
// simulator so both hand it exactly the same view: the snapshot of live
// jobs (only tasks whose slot kind has room, since nothing else could be
// placed, and only jobs with at least one such task) and the observations
// job events turn into.
#pragma once

#include "core/features.h"
#include "core/job.h"
#include "sched/ready_index.h"
#include "sched/scheduler.h"

#include <optional>

namespace llmflow::engine {

inline sched::Slot slotOf(ir::ExecutorClass c) {
  return c == ir::ExecutorClass::LLM ? sched::Slot::LLM : sched::Slot::Regular;
}

/// Appends the job's placeable ready tasks as a JobView (reusing a cleared
/// view's storage when the snapshot is reused); nothing if it has none.
inline void addJobView(sched::Snapshot &snap, size_t &used, sched::JobId id, llvm::StringRef app, double arrival,
                       const rt::Job &job) {
  if (job.done() || job.ready().empty())
    return;
  if (used == snap.jobs.size())
    snap.jobs.emplace_back();
  sched::JobView &v = snap.jobs[used];
  v.ready.clear();
  for (rt::TaskId t : job.ready()) {
    const rt::Task &task = job.task(t);
    sched::Slot s = slotOf(task.executor);
    if (snap.free[unsigned(s)])
      v.ready.push_back({t, task.nodeId, s, task.group});
  }
  if (v.ready.empty())
    return;
  v.id = id;
  v.app = app;
  v.arrival = arrival;
  v.running = job.running();
  ++used;
}

/// Refreshes the job's entry in a ReadyIndex after its ready list changed
/// (every ready task, whatever the free slots; a finished job leaves it).
inline void indexJob(sched::ReadyIndex &index, sched::JobId id, llvm::StringRef app, double arrival,
                     const rt::Job &job) {
  sched::JobView v;
  v.id = id;
  v.app = app;
  v.arrival = arrival;
  v.running = job.running();
  if (!job.done())
    for (rt::TaskId t : job.ready()) {
      const rt::Task &task = job.task(t);
      v.ready.push_back({t, task.nodeId, slotOf(task.executor), task.group});
    }
  index.set(std::move(v));
}

/// The observation a job event gives the scheduler, if any (ready tasks are
/// in the snapshot; finished tasks are observed with their durations).
inline std::optional<sched::Observation> observationOf(rt::JobEvent &je, sched::JobId job, llvm::StringRef app,
                                                       double now) {
  using K = sched::Observation::Kind;
  switch (je.kind) {
  case rt::JobEvent::Kind::Expanded:
  case rt::JobEvent::Kind::IterationStarted: {
    auto o = sched::Observation::of(je.kind == rt::JobEvent::Kind::Expanded ? K::Expanded : K::IterationStarted, job,
                                    app, je.nodeId, now);
    o.structure = je.structure;
    o.size = je.size;
    o.parts = je.parts;
    return o;
  }
  case rt::JobEvent::Kind::JobFinished:
  case rt::JobEvent::Kind::JobFailed:
    return sched::Observation::of(K::JobFinished, job, app, "", now);
  default:
    return std::nullopt;
  }
}

/// A task starting (duration 0) or finishing.
inline sched::Observation taskObservation(sched::Observation::Kind kind, sched::JobId job, llvm::StringRef app,
                                          rt::TaskId task, const rt::Task &t, double now, double duration = 0) {
  auto o = sched::Observation::of(kind, job, app, t.nodeId, now);
  o.task = task;
  o.slot = slotOf(t.executor);
  o.duration = duration;
  return o;
}

/// A job's arrival, with what its inputs reveal.
inline sched::Observation arrivalOf(const rt::Job &job, llvm::StringRef app, double now) {
  auto o = sched::Observation::of(sched::Observation::Kind::JobArrived, job.id(), app, "", now);
  o.features = rt::inputFeatures(job.program(), job.app(), job.inputValues());
  return o;
}

} // namespace llmflow::engine
