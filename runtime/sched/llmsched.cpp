#include "sched/llmsched.h"

#include "llvm/ADT/DenseMap.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace llmflow::sched {
namespace {

class LLMSched : public Scheduler {
public:
  LLMSched(std::unique_ptr<Estimator> est, const LLMSchedOptions &o) : est(std::move(est)), opts(o), rng(o.seed) {}
  std::string name() const override { return opts.name; }
  void observe(const Observation &o) override { est->observe(o); }

  std::vector<Placement> decide(const Snapshot &snap) override {
    struct J {
      size_t index;
      JobEstimate e;
    };
    std::vector<J> jobs;
    for (size_t i = 0; i < snap.jobs.size(); ++i)
      jobs.push_back({i, est->estimate(snap.jobs[i].id, snap.jobs[i].app)});
    // Non-overlapping duration sets: sort by lo, merge while lo <= set's hi.
    std::stable_sort(jobs.begin(), jobs.end(), [&](const J &a, const J &b) {
      if (a.e.lo != b.e.lo)
        return a.e.lo < b.e.lo;
      const JobView &x = snap.jobs[a.index], &y = snap.jobs[b.index];
      return x.arrival != y.arrival ? x.arrival < y.arrival : x.id < y.id;
    });
    std::vector<std::vector<J>> sets;
    double setHi = -1;
    for (const J &j : jobs) {
      if (sets.empty() || j.e.lo > setHi) {
        sets.push_back({});
        setHi = j.e.hi;
      } else {
        setHi = std::max(setHi, j.e.hi);
      }
      sets.back().push_back(j);
    }
    unsigned free[kSlotKinds] = {snap.free[0], snap.free[1]};
    std::vector<std::vector<bool>> taken(snap.jobs.size());
    for (size_t i = 0; i < snap.jobs.size(); ++i)
      taken[i].assign(snap.jobs[i].ready.size(), false);
    std::vector<Placement> out;
    auto place = [&](size_t ji, size_t ti) {
      const ReadyTask &t = snap.jobs[ji].ready[ti];
      taken[ji][ti] = true;
      --free[unsigned(t.slot)];
      out.push_back({snap.jobs[ji].id, t.task});
    };
    // One decision per loop: the first set with a ready task of a free kind.
    for (unsigned guard = 0; guard < 100000 && (free[0] || free[1]); ++guard) {
      const std::vector<J> *set = nullptr;
      unsigned kind = 0;
      for (const auto &s : sets) {
        for (const J &j : s)
          for (size_t t = 0; t < snap.jobs[j.index].ready.size(); ++t) {
            unsigned k = unsigned(snap.jobs[j.index].ready[t].slot);
            if (!taken[j.index][t] && free[k]) {
              set = &s;
              kind = k;
              break;
            }
          }
        if (set)
          break;
      }
      if (!set)
        break;
      bool explore = std::uniform_real_distribution<double>(0, 1)(rng) < opts.epsilon;
      if (explore) {
        // The stage (node of a job) with the largest R(X); a multi-task stage
        // (map items, plan steps of one node) is launched only partially.
        double best = -1;
        size_t bj = 0;
        std::string bnode;
        for (const J &j : *set) {
          const JobView &v = snap.jobs[j.index];
          for (size_t t = 0; t < v.ready.size(); ++t) {
            if (taken[j.index][t] || unsigned(v.ready[t].slot) != kind)
              continue;
            double r = est->score(v.id, v.app, v.ready[t].nodeId);
            if (r > best) {
              best = r;
              bj = j.index;
              bnode = v.ready[t].nodeId;
            }
          }
        }
        const JobView &v = snap.jobs[bj];
        std::vector<size_t> tasks;
        for (size_t t = 0; t < v.ready.size(); ++t)
          if (!taken[bj][t] && unsigned(v.ready[t].slot) == kind && v.ready[t].nodeId == bnode)
            tasks.push_back(t);
        size_t n = std::max<size_t>(1, size_t(std::ceil(opts.partial * double(tasks.size()))));
        for (size_t i = 0; i < tasks.size() && i < n && free[kind]; ++i)
          place(bj, tasks[i]);
        continue;
      }
      // Exploit: the job of the set with the least expected remaining time,
      // one of its ready stages with all of its tasks.
      const J *best = nullptr;
      for (const J &j : *set) {
        const JobView &v = snap.jobs[j.index];
        bool has = false;
        for (size_t t = 0; t < v.ready.size() && !has; ++t)
          has = !taken[j.index][t] && unsigned(v.ready[t].slot) == kind;
        if (has && (!best || j.e.mean < best->e.mean))
          best = &j;
      }
      const JobView &v = snap.jobs[best->index];
      std::string node;
      for (size_t t = 0; t < v.ready.size(); ++t)
        if (!taken[best->index][t] && unsigned(v.ready[t].slot) == kind) {
          if (node.empty())
            node = v.ready[t].nodeId;
          if (v.ready[t].nodeId == node && free[kind])
            place(best->index, t);
        }
    }
    return out;
  }

private:
  std::unique_ptr<Estimator> est;
  LLMSchedOptions opts;
  std::mt19937_64 rng;
};

class MeanEstimator : public Estimator {
public:
  explicit MeanEstimator(const Knowledge &k) : k(k) {}
  void observe(const Observation &o) override {
    if (o.kind == Observation::Kind::TaskFinished)
      done[o.job] += o.duration;
    else if (o.kind == Observation::Kind::JobFinished)
      done.erase(o.job);
  }
  JobEstimate estimate(JobId job, llvm::StringRef app) override {
    const AppKnowledge *a = k.app(app);
    if (!a)
      return {};
    double d = done.lookup(job);
    return {std::max(0.0, a->meanWork - d), std::max(0.0, a->workP5 - d), std::max(0.0, a->workP95 - d)};
  }
  double score(JobId, llvm::StringRef app, llvm::StringRef nodeId) override {
    const AppKnowledge *a = k.app(app);
    if (!a)
      return 0;
    auto it = a->nodes.find(nodeId);
    return it == a->nodes.end() ? 0 : it->second.p95 - it->second.p5;
  }
private:
  const Knowledge &k;
  llvm::DenseMap<JobId, double> done;
};

} // namespace

std::unique_ptr<Scheduler> makeLLMSched(std::unique_ptr<Estimator> estimator, const LLMSchedOptions &opts) {
  return std::make_unique<LLMSched>(std::move(estimator), opts);
}

std::unique_ptr<Estimator> makeMeanEstimator(const Knowledge &k) { return std::make_unique<MeanEstimator>(k); }

} // namespace llmflow::sched
