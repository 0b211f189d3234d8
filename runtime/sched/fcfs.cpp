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

std::unique_ptr<Scheduler> makeScheduler(llvm::StringRef name, uint64_t) {
  if (name == "fcfs")
    return makeFCFS();
  return nullptr;
}

std::vector<std::string> schedulerNames() { return {"fcfs"}; }

} // namespace llmflow::sched
