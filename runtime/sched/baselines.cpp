// History-based baselines (SJF, SRTF on profiled means, Fair, Carbyne) and
// the clairvoyant oracle, as llmsched.md section 7 describes them.
#include "sched/knowledge.h"
#include "sched/llmsched.h"
#include "sched/scheduler.h"

#include "llvm/ADT/DenseMap.h"

#include <algorithm>
#include <numeric>

namespace llmflow::sched {
namespace {

std::vector<size_t> sortedBy(const Snapshot &snap, const std::function<double(const JobView &)> &key) {
  std::vector<size_t> order(snap.jobs.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<double> k(snap.jobs.size());
  for (size_t i = 0; i < k.size(); ++i)
    k[i] = key(snap.jobs[i]);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (k[a] != k[b])
      return k[a] < k[b];
    const JobView &x = snap.jobs[a], &y = snap.jobs[b];
    return x.arrival != y.arrival ? x.arrival < y.arrival : x.id < y.id;
  });
  return order;
}

/// Shortest job first on the profiled mean job time; never updated.
class SJF : public Scheduler {
public:
  explicit SJF(const Knowledge &k) : k(k) {}
  std::string name() const override { return "sjf"; }
  std::vector<Placement> decide(const Snapshot &snap) override {
    return placeInOrder(snap, sortedBy(snap, [&](const JobView &j) {
                          const AppKnowledge *a = k.app(j.app);
                          return a ? a->meanJob : 0.0;
                        }));
  }
private:
  const Knowledge &k;
};

/// Equal share: one task per job per round, jobs with fewer running tasks first.
class Fair : public Scheduler {
public:
  std::string name() const override { return "fair"; }
  std::vector<Placement> decide(const Snapshot &snap) override {
    return placeRoundRobin(snap, sortedBy(snap, [](const JobView &j) { return double(j.running); }), ~0u);
  }
};

/// Remaining time from profiled means: the app's mean work minus the work
/// this job has already done (observed), shortest first.
class SRTFMean : public Scheduler {
public:
  explicit SRTFMean(const Knowledge &k, std::string label = "srtf-mean") : k(k), label(std::move(label)) {}
  std::string name() const override { return label; }
  void observe(const Observation &o) override {
    if (o.kind == Observation::Kind::TaskFinished)
      done[o.job] += o.duration;
    else if (o.kind == Observation::Kind::JobFinished)
      done.erase(o.job);
  }
  double remaining(const JobView &j) const {
    const AppKnowledge *a = k.app(j.app);
    double mean = a ? a->meanWork : 0;
    auto it = done.find(j.id);
    return std::max(0.0, mean - (it == done.end() ? 0 : it->second));
  }
  std::vector<Placement> decide(const Snapshot &snap) override {
    return placeInOrder(snap, sortedBy(snap, [&](const JobView &j) { return remaining(j); }));
  }
protected:
  const Knowledge &k;
  std::string label;
  llvm::DenseMap<uint64_t, double> done;
};

/// Carbyne-style altruism: in SRTF order each job first gets only the task on
/// its longest expected path (one per slot kind); the slots left over go to
/// the other ready tasks, again in SRTF order.
class Carbyne : public SRTFMean {
public:
  explicit Carbyne(const Knowledge &k) : SRTFMean(k, "carbyne") {}
  std::vector<Placement> decide(const Snapshot &snap) override {
    std::vector<size_t> order = sortedBy(snap, [&](const JobView &j) { return remaining(j); });
    Snapshot critical = snap;
    for (JobView &j : critical.jobs) {
      // Keep, per slot kind, the ready task with the longest expected duration.
      const AppKnowledge *a = k.app(j.app);
      std::vector<ReadyTask> keep;
      for (unsigned s = 0; s < kSlotKinds; ++s) {
        const ReadyTask *best = nullptr;
        double bestLen = -1;
        for (const ReadyTask &t : j.ready) {
          if (unsigned(t.slot) != s)
            continue;
          double len = 0;
          if (a)
            if (auto it = a->nodes.find(t.nodeId); it != a->nodes.end())
              len = it->second.meanDuration;
          if (len > bestLen) {
            bestLen = len;
            best = &t;
          }
        }
        if (best)
          keep.push_back(*best);
      }
      j.ready = std::move(keep);
    }
    std::vector<Placement> first = placeInOrder(critical, order);
    Snapshot rest = snap;
    for (const Placement &p : first) {
      for (JobView &j : rest.jobs)
        if (j.id == p.job)
          j.ready.erase(std::remove_if(j.ready.begin(), j.ready.end(),
                                       [&](const ReadyTask &t) { return t.task == p.task; }),
                        j.ready.end());
    }
    for (const Placement &p : first)
      for (const JobView &j : snap.jobs)
        if (j.id == p.job)
          for (const ReadyTask &t : j.ready)
            if (t.task == p.task)
              --rest.free[unsigned(t.slot)];
    std::vector<Placement> second = placeInOrder(rest, order);
    first.insert(first.end(), second.begin(), second.end());
    return first;
  }
};

/// Clairvoyant SRTF on the true remaining work (the sum of the remaining
/// stage durations, as llmsched.md section 5 defines remaining time): each
/// job's true standalone work minus what it has done. The lower bound the
/// others are measured against.
class Oracle : public Scheduler {
public:
  explicit Oracle(const Clairvoyance &truth) : truth(truth) {}
  std::string name() const override { return "oracle"; }
  void observe(const Observation &o) override {
    if (o.kind == Observation::Kind::TaskFinished)
      done[o.job] += o.duration;
    else if (o.kind == Observation::Kind::JobFinished)
      done.erase(o.job);
  }
  std::vector<Placement> decide(const Snapshot &snap) override {
    return placeInOrder(snap, sortedBy(snap, [&](const JobView &j) {
                          double left = truth.standaloneWork(j.id);
                          if (auto it = done.find(j.id); it != done.end())
                            left = std::max(0.0, left - it->second);
                          return left;
                        }));
  }
private:
  const Clairvoyance &truth;
  llvm::DenseMap<uint64_t, double> done;
};

} // namespace

std::vector<std::string> schedulerNames() {
  return {"fcfs", "sjf", "fair", "srtf-mean", "carbyne", "oracle", "llmsched", "llmsched-nobn", "llmsched-nounc"};
}

std::unique_ptr<Scheduler> makeScheduler(llvm::StringRef name, const SchedulerContext &ctx, std::string *why) {
  auto need = [&](bool ok, const char *what) {
    if (!ok && why)
      *why = "scheduler '" + name.str() + "' needs " + what;
    return ok;
  };
  if (name == "fcfs")
    return makeFCFS();
  if (name == "fair")
    return std::make_unique<Fair>();
  if (name == "sjf")
    return need(ctx.knowledge, "profiles of the application (--profile FILE)") ? std::make_unique<SJF>(*ctx.knowledge) : nullptr;
  if (name == "srtf-mean")
    return need(ctx.knowledge, "profiles of the application (--profile FILE)") ? std::make_unique<SRTFMean>(*ctx.knowledge) : nullptr;
  if (name == "carbyne")
    return need(ctx.knowledge, "profiles of the application (--profile FILE)") ? std::make_unique<Carbyne>(*ctx.knowledge) : nullptr;
  if (name == "llmsched-nobn") {
    if (!need(ctx.knowledge, "profiles of the application (--profile FILE)"))
      return nullptr;
    LLMSchedOptions o;
    o.epsilon = ctx.epsilon;
    o.partial = ctx.partial;
    o.seed = ctx.seed;
    o.name = "llmsched-nobn";
    return makeLLMSched(makeMeanEstimator(*ctx.knowledge), o);
  }
  if (name == "llmsched" || name == "llmsched-nounc") {
    if (!need(bool(ctx.bnEstimator), "a trained Bayesian network of each application (--bn FILE)"))
      return nullptr;
    LLMSchedOptions o;
    o.epsilon = name == "llmsched" ? ctx.epsilon : 0.0;
    o.partial = ctx.partial;
    o.seed = ctx.seed;
    o.name = name.str();
    return makeLLMSched(ctx.bnEstimator(), o);
  }
  if (name == "oracle")
    return need(ctx.truth, "the true job durations, which only the simulator knows") ? std::make_unique<Oracle>(*ctx.truth) : nullptr;
  if (why)
    *why = "unknown scheduler '" + name.str() + "'";
  return nullptr;
}

} // namespace llmflow::sched
