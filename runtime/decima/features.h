// What the Decima network sees of a job: its unfinished DAG nodes
// (sched::JobDAG) as rows of features, with edges and the rows that have
// ready tasks. Per node, as Decima's five: remaining tasks, the profiled
// mean task duration, the remaining work (their product), whether it is an
// LLM stage, whether it is a Dynamic node not expanded yet (its duration is
// then the expected work inside it), and the tasks the job runs now.
// Durations are divided by the policy's scale so features stay near 1.
#pragma once

#include "decima/network.h"
#include "sched/scheduler.h"

#include "llvm/ADT/StringMap.h"

namespace llmflow::decima {

struct NodeMeans {
  llvm::StringMap<double> seconds;   // by node id: mean seconds per task (Dynamic: work inside it)
  double scale = 1;                  // seconds that count as 1 in the features
};

/// The job's graph for the network; rowOf (resized to the DAG's nodes)
/// maps a view node to its row, or ~0u for finished nodes.
void jobGraph(const sched::JobDAG &dag, const NodeMeans &means, JobGraph &out, std::vector<uint32_t> &rowOf);

} // namespace llmflow::decima
