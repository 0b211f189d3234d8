#include "sched/llmsched.h"

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
    size_t nj = snap.jobs.size();
    estimates.resize(nj);
    order.resize(nj);
    for (size_t i = 0; i < nj; ++i) {
      estimates[i] = est->estimate(snap.jobs[i].id, snap.jobs[i].app, snap.now);
      order[i] = i;
    }
    // Non-overlapping duration sets: sort by lo, merge while lo <= the set's
    // hi. Without sets, one set in SRTF order.
    auto tie = [&](size_t a, size_t b) {
      const JobView &x = snap.jobs[a], &y = snap.jobs[b];
      return x.arrival != y.arrival ? x.arrival < y.arrival : x.id < y.id;
    };
    setOf.assign(nj, 0);
    if (opts.durationSets) {
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return estimates[a].lo != estimates[b].lo ? estimates[a].lo < estimates[b].lo : tie(a, b);
      });
      double setHi = -1;
      unsigned set = 0;
      for (size_t k = 0; k < nj; ++k) {
        const JobEstimate &e = estimates[order[k]];
        if (k > 0 && e.lo > setHi)
          ++set;
        setHi = k == 0 || e.lo > setHi ? e.hi : std::max(setHi, e.hi);
        setOf[order[k]] = set;
      }
    }
    // Within a set, shortest expected remaining work first.
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if (setOf[a] != setOf[b])
        return setOf[a] < setOf[b];
      return estimates[a].mean != estimates[b].mean ? estimates[a].mean < estimates[b].mean : tie(a, b);
    });
    free[0] = snap.free[0];
    free[1] = snap.free[1];
    taken.assign(nj, {});
    for (size_t i = 0; i < nj; ++i)
      taken[i].assign(snap.jobs[i].ready.size(), false);
    out.clear();
    // The first untaken ready task of a free kind in job i, or -1.
    auto firstOpen = [&](size_t i) -> long {
      const JobView &v = snap.jobs[i];
      for (size_t t = 0; t < v.ready.size(); ++t)
        if (!taken[i][t] && free[unsigned(v.ready[t].slot)])
          return long(t);
      return -1;
    };
    // One placement decision per round: the shortest set with a placeable
    // task; its first job in SRTF order is the exploit choice.
    size_t cursor = 0;
    while ((free[0] || free[1]) && cursor < nj) {
      long t = firstOpen(order[cursor]);
      if (t < 0) {
        ++cursor;
        continue;
      }
      size_t ji = order[cursor];
      unsigned kind = unsigned(snap.jobs[ji].ready[size_t(t)].slot);
      if (opts.epsilon > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < opts.epsilon &&
          explore(snap, cursor, kind))
        continue;
      // Exploit: all of this stage's ready tasks (as slots allow).
      const JobView &v = snap.jobs[ji];
      llvm::StringRef node = v.ready[size_t(t)].nodeId;
      for (size_t k = size_t(t); k < v.ready.size(); ++k)
        if (!taken[ji][k] && v.ready[k].nodeId == node && free[unsigned(v.ready[k].slot)])
          place(snap, ji, k);
    }
    return std::move(out);
  }

private:
  /// Explores within the set that order[cursor] opens: the ready stage of
  /// `kind` with the largest R(X) > 0, a fraction r of its tasks. False
  /// when no stage in the set would reveal anything.
  void place(const Snapshot &snap, size_t ji, size_t ti) {
    taken[ji][ti] = true;
    --free[unsigned(snap.jobs[ji].ready[ti].slot)];
    out.push_back({snap.jobs[ji].id, snap.jobs[ji].ready[ti].task});
  }

  bool explore(const Snapshot &snap, size_t cursor, unsigned kind) {
    unsigned set = setOf[order[cursor]];
    double best = 0;
    size_t bj = 0;
    llvm::StringRef bnode;
    // The set's first jobs in rank order: what they reveal is used soonest,
    // and scoring every job of a large set would cost more than it tells.
    size_t end = std::min(order.size(), cursor + kExploreCandidates);
    for (size_t k = cursor; k < end && setOf[order[k]] == set; ++k) {
      size_t ji = order[k];
      const JobView &v = snap.jobs[ji];
      llvm::StringRef last;
      for (size_t t = 0; t < v.ready.size(); ++t) {
        if (taken[ji][t] || unsigned(v.ready[t].slot) != kind || v.ready[t].nodeId == last)
          continue;
        last = v.ready[t].nodeId;
        double r = est->score(v.id, v.app, last);
        if (r > best) {
          best = r;
          bj = ji;
          bnode = last;
        }
      }
    }
    if (!(best > 0))
      return false;
    const JobView &v = snap.jobs[bj];
    size_t tasks = 0;
    for (size_t t = 0; t < v.ready.size(); ++t)
      tasks += !taken[bj][t] && v.ready[t].nodeId == bnode;
    size_t n = std::max<size_t>(1, size_t(std::ceil(opts.partial * double(tasks))));
    for (size_t t = 0; t < v.ready.size() && n > 0 && free[kind]; ++t)
      if (!taken[bj][t] && v.ready[t].nodeId == bnode && unsigned(v.ready[t].slot) == kind) {
        place(snap, bj, t);
        --n;
      }
    return true;
  }

  static constexpr size_t kExploreCandidates = 16;
  std::unique_ptr<Estimator> est;
  LLMSchedOptions opts;
  std::mt19937_64 rng;
  // Reused between decisions.
  std::vector<JobEstimate> estimates;
  std::vector<size_t> order;
  std::vector<unsigned> setOf;
  std::vector<std::vector<bool>> taken;
  unsigned free[kSlotKinds] = {0, 0};
  std::vector<Placement> out;
};

} // namespace

std::unique_ptr<Scheduler> makeLLMSched(std::unique_ptr<Estimator> estimator, const LLMSchedOptions &opts) {
  return std::make_unique<LLMSched>(std::move(estimator), opts);
}

} // namespace llmflow::sched
