// Building the scheduler's snapshot from live jobs, shared by the engine and
// the simulator so both hand the scheduler exactly the same view: only
// tasks whose slot kind has room (nothing else could be placed), and only
// jobs with at least one such task.
#pragma once

#include "core/job.h"
#include "sched/scheduler.h"

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

} // namespace llmflow::engine
