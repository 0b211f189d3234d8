// The DAG view of jobs (sched::JobDAG) for schedulers that want it, built
// the same way by the engine and the simulator: one function over the job
// state, and a cache that rebuilds a job's view only when the job changed,
// so a decision at hundreds of active jobs costs a view per changed job.
#pragma once

#include "core/job.h"
#include "sched/scheduler.h"

#include "llvm/ADT/DenseMap.h"

#include <memory>

namespace llmflow::engine {

/// The job's DAG as it stands (nodes, edges, ready tasks); keeps `out`'s
/// id, app and arrival.
void buildJobDAG(const rt::Job &job, sched::JobDAG &out);

class DAGViews {
public:
  /// Appends the job's view to snap.dags, rebuilding it if the job changed
  /// since the last call. Call for every active job, then sweep().
  void add(sched::Snapshot &snap, sched::JobId id, llvm::StringRef app, double arrival, const rt::Job &job);
  /// Forgets the views of jobs not added since the last sweep (finished).
  void sweep();

private:
  struct Entry {
    std::unique_ptr<sched::JobDAG> dag;
    bool fresh = false;      // built at least once
    bool seen = false;       // added since the last sweep
  };
  llvm::DenseMap<sched::JobId, Entry> views;
};

} // namespace llmflow::engine
