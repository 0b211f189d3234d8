#include "profile/knowledge.h"

namespace llmflow::profile {

sched::Knowledge buildKnowledge(const std::vector<JobProfile> &profiles) {
  struct Acc {
    unsigned jobs = 0;
    double total = 0;
    std::vector<double> works;
    llvm::StringMap<std::vector<double>> nodes; // per node: its duration in each job where it ran
  };
  llvm::StringMap<Acc> acc;
  for (const JobProfile &p : profiles) {
    if (p.status != "ok")
      continue;
    Acc &a = acc[p.app];
    ++a.jobs;
    a.total += p.total;
    double work = 0;
    for (const auto &[id, r] : p.nodes) {
      if (r.kind != "dynamic")
        work += r.duration;
      a.nodes[id].push_back(r.duration);
    }
    a.works.push_back(work);
  }
  auto quantile = [](std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, size_t(q * double(v.size())))];
  };
  sched::Knowledge k;
  for (auto &e : acc) {
    const Acc &a = e.second;
    sched::AppKnowledge &ak = k.apps[e.first()];
    ak.meanJob = a.total / a.jobs;
    ak.setWorks(a.works);
    for (auto &n : a.nodes) {
      double sum = 0;
      for (double x : n.second)
        sum += x;
      ak.nodes[n.first()] = sched::NodeStats{sum / double(n.second.size()), double(n.second.size()) / a.jobs,
                                             quantile(n.second, 0.05), quantile(n.second, 0.95)};
    }
  }
  return k;
}

} // namespace llmflow::profile
