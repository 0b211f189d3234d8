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
    keys.resize(nj);
    for (size_t i = 0; i < nj; ++i) {
      JobEstimate e = est->estimate(snap.jobs[i].id, snap.jobs[i].app, snap.now);
      keys[i] = {e.lo, e.hi, e.mean, snap.jobs[i].arrival, snap.jobs[i].id, unsigned(i), 0};
    }
    // Non-overlapping duration sets: sort by lo, merge while lo <= the set's
    // hi. Without sets, one set in SRTF order. Ties (and everything equal)
    // fall back to arrival, then id: a total order, so the ranking does not
    // depend on the sort algorithm.
    if (opts.durationSets) {
      std::sort(keys.begin(), keys.end(), [](const Key &a, const Key &b) {
        return a.lo != b.lo ? a.lo < b.lo : a.before(b);
      });
      double setHi = -1;
      unsigned set = 0;
      for (size_t k = 0; k < nj; ++k) {
        Key &e = keys[k];
        if (k > 0 && e.lo > setHi)
          ++set;
        setHi = k == 0 || e.lo > setHi ? e.hi : std::max(setHi, e.hi);
        e.set = set;
      }
    } else {
      for (Key &e : keys)
        e.set = 0;
    }
    // Sets are contiguous in `keys`; within a set, shortest expected
    // remaining work first. A set is ordered only when the walk reaches it:
    // slots usually run out in the first one.
    sortedUpTo = 0;
    free[0] = snap.free[0];
    free[1] = snap.free[1];
    // taken[first[i] + t]: job i's ready task t is placed in this decision.
    first.resize(nj + 1);
    first[0] = 0;
    for (size_t i = 0; i < nj; ++i)
      first[i + 1] = first[i] + unsigned(snap.jobs[i].ready.size());
    taken.assign(first[nj], 0);
    out.clear();
    // The first untaken ready task of a free kind in job i, or -1.
    auto firstOpen = [&](size_t i) -> long {
      const JobView &v = snap.jobs[i];
      for (size_t t = 0; t < v.ready.size(); ++t)
        if (!isTaken(i, t) && free[unsigned(v.ready[t].slot)])
          return long(t);
      return -1;
    };
    // One placement decision per round: the shortest set with a placeable
    // task; its first job in SRTF order is the exploit choice.
    size_t cursor = 0;
    while ((free[0] || free[1]) && cursor < nj) {
      rankThrough(cursor);
      long t = firstOpen(keys[cursor].job);
      if (t < 0) {
        ++cursor;
        continue;
      }
      size_t ji = keys[cursor].job;
      unsigned kind = unsigned(snap.jobs[ji].ready[size_t(t)].slot);
      if (opts.epsilon > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < opts.epsilon &&
          explore(snap, cursor, kind))
        continue;
      // Exploit: all of this stage's ready tasks (as slots allow).
      const JobView &v = snap.jobs[ji];
      llvm::StringRef node = v.ready[size_t(t)].nodeId;
      for (size_t k = size_t(t); k < v.ready.size(); ++k)
        if (!isTaken(ji, k) && v.ready[k].nodeId == node && free[unsigned(v.ready[k].slot)])
          place(snap, ji, k);
    }
    return std::move(out);
  }

private:
  /// Explores within the set that keys[cursor] opens: the ready stage of
  /// `kind` with the largest R(X) > 0, a fraction r of its tasks. False
  /// when no stage in the set would reveal anything.
  bool isTaken(size_t ji, size_t ti) const { return taken[first[ji] + ti]; }

  /// Orders by rank every set up to the one holding position k of `keys`
  /// (and all of that one).
  void rankThrough(size_t k) {
    while (sortedUpTo <= k) {
      size_t end = sortedUpTo;
      while (end < keys.size() && keys[end].set == keys[sortedUpTo].set)
        ++end;
      std::sort(keys.begin() + long(sortedUpTo), keys.begin() + long(end), [](const Key &a, const Key &b) {
        return a.mean != b.mean ? a.mean < b.mean : a.before(b);
      });
      sortedUpTo = end;
    }
  }

  void place(const Snapshot &snap, size_t ji, size_t ti) {
    taken[first[ji] + ti] = 1;
    --free[unsigned(snap.jobs[ji].ready[ti].slot)];
    out.push_back({snap.jobs[ji].id, snap.jobs[ji].ready[ti].task});
  }

  bool explore(const Snapshot &snap, size_t cursor, unsigned kind) {
    unsigned set = keys[cursor].set;
    double best = 0;
    size_t bj = 0;
    llvm::StringRef bnode;
    // The set's first jobs in rank order: what they reveal is used soonest,
    // and scoring every job of a large set would cost more than it tells.
    size_t end = std::min(keys.size(), cursor + kExploreCandidates);
    for (size_t k = cursor; k < end && keys[k].set == set; ++k) {
      size_t ji = keys[k].job;
      const JobView &v = snap.jobs[ji];
      llvm::StringRef last;
      for (size_t t = 0; t < v.ready.size(); ++t) {
        if (isTaken(ji, t) || unsigned(v.ready[t].slot) != kind || v.ready[t].nodeId == last)
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
      tasks += !isTaken(bj, t) && v.ready[t].nodeId == bnode;
    size_t n = std::max<size_t>(1, size_t(std::ceil(opts.partial * double(tasks))));
    for (size_t t = 0; t < v.ready.size() && n > 0 && free[kind]; ++t)
      if (!isTaken(bj, t) && v.ready[t].nodeId == bnode && unsigned(v.ready[t].slot) == kind) {
        place(snap, bj, t);
        --n;
      }
    return true;
  }

  static constexpr size_t kExploreCandidates = 16;
  std::unique_ptr<Estimator> est;
  LLMSchedOptions opts;
  std::mt19937_64 rng;
  /// A job's estimate and rank keys, sorted in place into the ranking.
  struct Key {
    double lo, hi, mean, arrival;
    JobId id;
    unsigned job; // index into Snapshot::jobs
    unsigned set;
    bool before(const Key &o) const { return arrival != o.arrival ? arrival < o.arrival : id < o.id; }
  };
  // Reused between decisions.
  std::vector<Key> keys;
  size_t sortedUpTo = 0;
  std::vector<unsigned> first;
  std::vector<char> taken;
  unsigned free[kSlotKinds] = {0, 0};
  std::vector<Placement> out;
};

} // namespace

std::unique_ptr<Scheduler> makeLLMSched(std::unique_ptr<Estimator> estimator, const LLMSchedOptions &opts) {
  return std::make_unique<LLMSched>(std::move(estimator), opts);
}

} // namespace llmflow::sched
