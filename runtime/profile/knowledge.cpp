#include "profile/knowledge.h"

namespace llmflow::profile {

sched::Knowledge buildKnowledge(const std::vector<JobProfile> &profiles) {
  struct Acc {
    unsigned jobs = 0;
    double total = 0, work = 0;
    llvm::StringMap<std::pair<unsigned, double>> nodes; // jobs in which it ran, summed duration
  };
  llvm::StringMap<Acc> acc;
  for (const JobProfile &p : profiles) {
    if (p.status != "ok")
      continue;
    Acc &a = acc[p.app];
    ++a.jobs;
    a.total += p.total;
    for (const auto &[id, r] : p.nodes) {
      if (r.kind != "dynamic")
        a.work += r.duration;
      auto &n = a.nodes[id];
      ++n.first;
      n.second += r.duration;
    }
  }
  sched::Knowledge k;
  for (auto &e : acc) {
    const Acc &a = e.second;
    sched::AppKnowledge &ak = k.apps[e.first()];
    ak.meanJob = a.total / a.jobs;
    ak.meanWork = a.work / a.jobs;
    for (auto &n : a.nodes)
      ak.nodes[n.first()] = sched::NodeStats{n.second.second / n.second.first, double(n.second.first) / a.jobs};
  }
  return k;
}

} // namespace llmflow::profile
