#include "sched/ready_index.h"
#include "sched/scheduler.h"

#include <algorithm>
#include <numeric>
#include <tuple>

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
  bool wantsIndex() const override { return true; }
  std::vector<Placement> decide(const Snapshot &snap) override {
    if (snap.index)
      return fromIndex(snap);
    std::vector<size_t> order(snap.jobs.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      const JobView &x = snap.jobs[a], &y = snap.jobs[b];
      return x.arrival != y.arrival ? x.arrival < y.arrival : x.id < y.id;
    });
    return placeInOrder(snap, order);
  }

private:
  /// The same placements as placeInOrder over all jobs in arrival order:
  /// slot kinds fill independently, so each kind takes its first free[k]
  /// tasks walking only the jobs that have one; the picks are then put back
  /// in the (arrival, job, readiness) order a full walk would give.
  std::vector<Placement> fromIndex(const Snapshot &snap) {
    picks.clear();
    for (unsigned k = 0; k < kSlotKinds; ++k) {
      unsigned free = snap.free[k];
      for (auto it = snap.index->withReady(Slot(k)).begin(); free && it != snap.index->withReady(Slot(k)).end();
           ++it) {
        const JobView &v = *snap.index->find(it->second);
        for (size_t t = 0; t < v.ready.size() && free; ++t)
          if (v.ready[t].slot == Slot(k)) {
            picks.push_back({v.arrival, v.id, t, v.ready[t].task});
            --free;
          }
      }
    }
    std::sort(picks.begin(), picks.end(), [](const Pick &a, const Pick &b) {
      return std::tie(a.arrival, a.job, a.pos) < std::tie(b.arrival, b.job, b.pos);
    });
    std::vector<Placement> out;
    out.reserve(picks.size());
    for (const Pick &p : picks)
      out.push_back({p.job, p.task});
    return out;
  }

  struct Pick {
    double arrival;
    JobId job;
    size_t pos;
    TaskId task;
  };
  std::vector<Pick> picks; // reused between decisions
};

} // namespace

std::unique_ptr<Scheduler> makeFCFS() { return std::make_unique<FCFS>(); }

} // namespace llmflow::sched
