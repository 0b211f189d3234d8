#include "sched/scheduler.h"

#include <algorithm>
#include <numeric>

namespace llmflow::sched {

std::vector<Placement> placeInOrder(const Snapshot &snap, const std::vector<size_t> &order) {
  std::vector<Placement> out;
  unsigned free[kSlotKinds] = {snap.free[0], snap.free[1]};
  for (size_t j : order) {
    if (!free[0] && !free[1])
      break;
    const JobView &job = snap.jobs[j];
    for (const ReadyTask &t : job.ready) {
      unsigned &f = free[unsigned(t.slot)];
      if (f == 0)
        continue;
      --f;
      out.push_back({job.id, t.task});
    }
  }
  return out;
}

std::vector<Placement> placeRoundRobin(const Snapshot &snap, const std::vector<size_t> &order, unsigned maxRounds) {
  std::vector<Placement> out;
  unsigned free[kSlotKinds] = {snap.free[0], snap.free[1]};
  std::vector<size_t> next(snap.jobs.size(), 0);
  for (unsigned round = 0; round < maxRounds; ++round) {
    bool placed = false;
    for (size_t j : order) {
      const JobView &job = snap.jobs[j];
      // This job's next ready task that fits a free slot.
      for (size_t &k = next[j]; k < job.ready.size(); ++k) {
        unsigned &f = free[unsigned(job.ready[k].slot)];
        if (f == 0)
          continue;
        --f;
        out.push_back({job.id, job.ready[k].task});
        ++k;
        placed = true;
        break;
      }
    }
    if (!placed || (!free[0] && !free[1]))
      break;
  }
  return out;
}

namespace {

class FCFS : public Scheduler {
public:
  std::string name() const override { return "fcfs"; }
  std::vector<Placement> decide(const Snapshot &snap) override {
    std::vector<size_t> order(snap.jobs.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      const JobView &x = snap.jobs[a], &y = snap.jobs[b];
      return x.arrival != y.arrival ? x.arrival < y.arrival : x.id < y.id;
    });
    return placeInOrder(snap, order);
  }
};

} // namespace

std::unique_ptr<Scheduler> makeFCFS() { return std::make_unique<FCFS>(); }

} // namespace llmflow::sched
