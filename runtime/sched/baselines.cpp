// History-based baselines (SJF, SRTF on profiled means, Fair, Carbyne), the
// clairvoyant reference (oracle-srtf) and the scheduler factory, as
// llmsched.md section 7 describes them. Remaining work everywhere is the
// expected work still to come given the work a job has done so far
// (AppKnowledge::remainingWork), never "mean minus done" clamped at 0.
#include "sched/knowledge.h"
#include "sched/llmsched.h"
#include "sched/scheduler.h"

#include "llvm/ADT/DenseMap.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace llmflow::sched {

void AppKnowledge::setWorks(std::vector<double> w) {
  std::sort(w.begin(), w.end());
  works = std::move(w);
  tail.assign(works.size(), 0);
  double acc = 0;
  for (size_t i = works.size(); i-- > 0;)
    tail[i] = acc += works[i];
  auto q = [&](double p) { return works.empty() ? 0.0 : works[std::min(works.size() - 1, size_t(p * works.size()))]; };
  meanWork = works.empty() ? 0 : tail[0] / double(works.size());
  workP5 = q(0.05);
  workP95 = q(0.95);
}

double AppKnowledge::remainingWork(double attained) const {
  if (works.empty())
    return 0;
  if (attained <= 0)
    return meanWork;
  auto residual = [&](double a) {
    size_t k = size_t(std::upper_bound(works.begin(), works.end(), a) - works.begin());
    return k == works.size() ? 0.0 : tail[k] / double(works.size() - k) - a;
  };
  double edge = workP95;
  if (attained > edge && edge > 0) {
    double r = residual(edge);
    return (r > 0 ? r : meanWork) * attained / edge;
  }
  return residual(attained);
}

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

/// The work each job has done: its finished tasks plus the time its running
/// tasks have run so far; and its running tasks per slot kind.
class Attained {
public:
  void observe(const Observation &o) {
    using K = Observation::Kind;
    if (o.kind == K::JobFinished) {
      jobs.erase(o.job);
      return;
    }
    Job &j = jobs[o.job];
    if (o.kind == K::TaskStarted) {
      j.running.push_back({o.task, o.time, o.slot});
      ++j.busy[unsigned(o.slot)];
    } else if (o.kind == K::TaskFinished) {
      j.done += o.duration;
      auto it = std::find_if(j.running.begin(), j.running.end(), [&](const Run &r) { return r.task == o.task; });
      if (it != j.running.end()) {
        --j.busy[unsigned(it->slot)];
        j.running.erase(it);
      }
    }
  }
  double work(JobId job, double now) const {
    auto it = jobs.find(job);
    if (it == jobs.end())
      return 0;
    double w = it->second.done;
    for (const Run &r : it->second.running)
      w += std::max(0.0, now - r.start);
    return w;
  }
  unsigned busy(JobId job, Slot s) const {
    auto it = jobs.find(job);
    return it == jobs.end() ? 0 : it->second.busy[unsigned(s)];
  }

private:
  struct Run {
    TaskId task;
    double start;
    Slot slot;
  };
  struct Job {
    double done = 0;
    std::vector<Run> running;
    unsigned busy[kSlotKinds] = {0, 0};
  };
  llvm::DenseMap<JobId, Job> jobs;
};

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

/// Shortest remaining work first, from the application's profiled work
/// given the work the job has done.
class SRTFMean : public Scheduler {
public:
  explicit SRTFMean(const Knowledge &k, std::string label = "srtf-mean") : k(k), label(std::move(label)) {}
  std::string name() const override { return label; }
  void observe(const Observation &o) override { attained.observe(o); }
  double remaining(const JobView &j, double now) const {
    const AppKnowledge *a = k.app(j.app);
    return a ? a->remainingWork(attained.work(j.id, now)) : 0;
  }
  std::vector<Placement> decide(const Snapshot &snap) override {
    return placeInOrder(snap, sortedBy(snap, [&](const JobView &j) { return remaining(j, snap.now); }));
  }
protected:
  const Knowledge &k;
  std::string label;
  Attained attained;
};

/// Carbyne (Grandl et al., "Altruistic Scheduling in Multi-Resource
/// Clusters", OSDI 2016): every job is entitled to its fair share of each
/// slot kind but, being altruistic, takes only what it needs so as not to
/// finish later than under that share: the ready tasks on its critical path
/// (here: its longest expected ready task), up to its share. What the jobs
/// leave over goes to the jobs with the shortest remaining work first
/// (Carbyne's leftover rule for average completion time).
class Carbyne : public SRTFMean {
public:
  explicit Carbyne(const Knowledge &k) : SRTFMean(k, "carbyne") {}
  std::vector<Placement> decide(const Snapshot &snap) override {
    std::vector<size_t> order = sortedBy(snap, [&](const JobView &j) { return remaining(j, snap.now); });
    unsigned free[kSlotKinds] = {snap.free[0], snap.free[1]};
    double share[kSlotKinds];
    for (unsigned s = 0; s < kSlotKinds; ++s)
      share[s] = double(snap.capacity[s]) / std::max(1u, std::max(snap.activeJobs, unsigned(snap.jobs.size())));
    std::vector<std::vector<bool>> taken(snap.jobs.size());
    std::vector<Placement> out;
    // Altruistic pass: each job's critical ready task per slot kind, while
    // the job holds less than its share of that kind.
    for (size_t j : order) {
      const JobView &v = snap.jobs[j];
      taken[j].assign(v.ready.size(), false);
      const AppKnowledge *a = k.app(v.app);
      for (unsigned s = 0; s < kSlotKinds; ++s) {
        if (!free[s] || double(attained.busy(v.id, Slot(s))) >= share[s])
          continue;
        long best = -1;
        double bestLen = -1;
        for (size_t t = 0; t < v.ready.size(); ++t) {
          if (unsigned(v.ready[t].slot) != s)
            continue;
          double len = 0;
          if (a)
            if (auto it = a->nodes.find(v.ready[t].nodeId); it != a->nodes.end())
              len = it->second.meanDuration;
          if (len > bestLen) {
            bestLen = len;
            best = long(t);
          }
        }
        if (best >= 0) {
          taken[j][size_t(best)] = true;
          --free[s];
          out.push_back({v.id, v.ready[size_t(best)].task});
        }
      }
    }
    // Leftover: shortest remaining work first.
    for (size_t j : order) {
      const JobView &v = snap.jobs[j];
      for (size_t t = 0; t < v.ready.size() && (free[0] || free[1]); ++t)
        if (!taken[j][t] && free[unsigned(v.ready[t].slot)]) {
          --free[unsigned(v.ready[t].slot)];
          out.push_back({v.id, v.ready[t].task});
        }
    }
    return out;
  }
};

/// A reference, not a policy: SRTF on each job's true remaining work (its
/// true standalone work, measured with unlimited slots, minus the work it
/// has done), which only the simulator knows. Not a lower bound either
/// (SRTF is not optimal for DAGs on two kinds of slots).
class OracleSRTF : public Scheduler {
public:
  explicit OracleSRTF(const Clairvoyance &truth) : truth(truth) {}
  std::string name() const override { return "oracle-srtf"; }
  void observe(const Observation &o) override { attained.observe(o); }
  std::vector<Placement> decide(const Snapshot &snap) override {
    return placeInOrder(snap, sortedBy(snap, [&](const JobView &j) {
                          return std::max(0.0, truth.standaloneWork(j.id) - attained.work(j.id, snap.now));
                        }));
  }
private:
  const Clairvoyance &truth;
  Attained attained;
};

} // namespace

std::vector<std::string> schedulerNames() {
  return {"fcfs",     "sjf",           "fair",           "srtf-mean", "carbyne", "oracle-srtf",
          "llmsched", "llmsched-nobn", "llmsched-nounc", "decima"};
}

std::unique_ptr<Scheduler> makeScheduler(llvm::StringRef name, const SchedulerContext &ctx, std::string *why) {
  auto need = [&](bool ok, const std::string &what) {
    if (!ok && why)
      *why = "scheduler '" + name.str() + "' needs " + what;
    return ok;
  };
  // History-based policies need the history of every application they run.
  std::string unprofiled;
  for (const std::string &app : ctx.apps)
    if (ctx.knowledge && !ctx.knowledge->app(app))
      unprofiled += (unprofiled.empty() ? "'" : ", '") + app + "'";
  bool profiled = ctx.knowledge && unprofiled.empty();
  std::string profiles = !ctx.knowledge ? "profiles of the application (--profile FILE)"
                                        : "profiles of every application it runs; none of " + unprofiled;
  if (name == "fcfs")
    return makeFCFS();
  if (name == "fair")
    return std::make_unique<Fair>();
  if (name == "sjf")
    return need(profiled, profiles) ? std::make_unique<SJF>(*ctx.knowledge) : nullptr;
  if (name == "srtf-mean")
    return need(profiled, profiles) ? std::make_unique<SRTFMean>(*ctx.knowledge) : nullptr;
  if (name == "carbyne")
    return need(profiled, profiles) ? std::make_unique<Carbyne>(*ctx.knowledge) : nullptr;
  if (name == "llmsched" || name == "llmsched-nounc" || name == "llmsched-nobn") {
    const auto &factory = name == "llmsched-nobn" ? ctx.independentEstimator : ctx.bnEstimator;
    if (!need(bool(factory), "a trained Bayesian network of each application (--bn FILE)"))
      return nullptr;
    LLMSchedOptions o = ctx.llmsched ? *ctx.llmsched : LLMSchedOptions{};
    o.seed = ctx.seed;
    o.name = name.str();
    if (name == "llmsched-nounc") {
      o.epsilon = 0;          // the paper's ablation: plain SRTF on the network's estimates
      o.durationSets = false;
    }
    return makeLLMSched(factory(), o);
  }
  if (name == "decima")
    return need(bool(ctx.decima), "a trained policy (--policy POLICY.json, from 'llmflow decima train WORKLOAD.toml "
                                  "-o POLICY.json')")
               ? ctx.decima()
               : nullptr;
  if (name == "oracle-srtf")
    return need(ctx.truth, "the true job durations, which only the simulator knows") ? std::make_unique<OracleSRTF>(*ctx.truth)
                                                                                     : nullptr;
  if (why)
    *why = "unknown scheduler '" + name.str() + "' (known: fcfs, sjf, fair, srtf-mean, carbyne, llmsched, " +
           "llmsched-nobn, llmsched-nounc, oracle-srtf, decima)";
  return nullptr;
}

} // namespace llmflow::sched
