// The jobs that have ready tasks, kept up to date one job at a time. A
// scheduler whose ranking of a job does not change while the job waits
// (FCFS ranks by arrival) reads this instead of Snapshot::jobs and decides
// in time proportional to what it places, not to how many jobs wait: with
// 10,000 queued jobs, rebuilding and sorting a full snapshot per decision
// made a batch's CPU grow with the square of its size. The engine and the
// simulator refresh a job's entry whenever its ready list changes.
#pragma once

#include "sched/scheduler.h"

#include "llvm/ADT/DenseMap.h"

#include <set>

namespace llmflow::sched {

class ReadyIndex {
public:
  /// Replaces the job's entry with `view` (every ready task, whatever the
  /// free slots); a view without ready tasks removes the job.
  void set(JobView view);
  void erase(JobId id);
  const JobView *find(JobId id) const;
  /// Jobs with at least one ready task of slot kind `k`, in FCFS order.
  const std::set<std::pair<double, JobId>> &withReady(Slot k) const { return bySlot[unsigned(k)]; }
  /// Every entry, in no particular order (for a scheduler whose ranking
  /// does not follow arrival: one pass over contiguous storage).
  const llvm::DenseMap<JobId, JobView> &all() const { return views; }
  /// Whether a job has a ready task of a slot kind with room in `free`.
  bool anyPlaceable(const unsigned free[kSlotKinds]) const;
  size_t size() const { return views.size(); }

private:
  void unlink(const JobView &v);
  llvm::DenseMap<JobId, JobView> views;
  std::set<std::pair<double, JobId>> bySlot[kSlotKinds];
};

} // namespace llmflow::sched
