#include "sched/llmsched.h"

#include "llvm/ADT/DenseMap.h"
#include "sched/ready_index.h"

#include <algorithm>
#include <cassert>
#include <iterator>
#include <cmath>
#include <random>

namespace llmflow::sched {
namespace {

class LLMSched : public Scheduler {
public:
  LLMSched(std::unique_ptr<Estimator> est, const LLMSchedOptions &o) : est(std::move(est)), opts(o), rng(o.seed) {}
  std::string name() const override { return opts.name; }
  /// Read from the ready index, a decision never waits for a snapshot of
  /// every job to be built; the ranking is a total order, so which way the
  /// candidates come does not change it.
  bool wantsIndex() const override { return true; }

  void observe(const Observation &o) override {
    est->observe(o);
    auto it = slotOf.find(o.job);
    if (it == slotOf.end())
      return; // first seen in a snapshot
    if (o.kind == Observation::Kind::JobFinished) {
      ent[it->second].live = false;
      dead.push_back(it->second);
      slotOf.erase(it);
    } else {
      ent[it->second].dirty = true;
    }
  }

  std::vector<Placement> decide(const Snapshot &snap) override {
    ++stamp;
    gather(snap);
    size_t nj = cands.size();
    sweepSets();
    ranked.clear();
    nextSet = 0;
    free[0] = snap.free[0];
    free[1] = snap.free[1];
    // taken[first[i] + t]: job i's ready task t is placed in this decision.
    first.resize(nj + 1);
    first[0] = 0;
    for (size_t i = 0; i < nj; ++i)
      first[i + 1] = first[i] + unsigned(cands[i]->ready.size());
    taken.assign(first[nj], 0);
    out.clear();
    // The first untaken ready task of a free kind in job i, or -1.
    auto firstOpen = [&](size_t i) -> long {
      const JobView &v = *cands[i];
      for (size_t t = 0; t < v.ready.size(); ++t)
        if (!isTaken(i, t) && free[unsigned(v.ready[t].slot)])
          return long(t);
      return -1;
    };
    // One placement decision per round: the shortest set with a placeable
    // task; its first job in SRTF order is the exploit choice.
    size_t cursor = 0;
    while ((free[0] || free[1]) && rankThrough(cursor)) {
      long t = firstOpen(ranked[cursor].job);
      if (t < 0) {
        ++cursor;
        continue;
      }
      size_t ji = ranked[cursor].job;
      unsigned kind = unsigned(cands[ji]->ready[size_t(t)].slot);
      if (opts.epsilon > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < opts.epsilon &&
          explore(cursor, kind))
        continue;
      // Exploit: all of this stage's ready tasks (as slots allow).
      const JobView &v = *cands[ji];
      llvm::StringRef node = v.ready[size_t(t)].nodeId;
      for (size_t k = size_t(t); k < v.ready.size(); ++k)
        if (!isTaken(ji, k) && v.ready[k].nodeId == node && free[unsigned(v.ready[k].slot)])
          place(ji, k);
    }
    return std::move(out);
  }

private:
  /// What the scheduler holds of a job between decisions: its estimate (the
  /// rank keys) and until when it holds. Indexed by a slot reused once the
  /// job has left both orders.
  struct Entry {
    double lo = 0, hi = 0, mean = 0, arrival = 0;
    JobId id = 0;
    double validUntil = 0;
    uint64_t stamp = 0;   // the decision in which `job` is valid (it is a candidate)
    unsigned job = 0;     // index into cands
    unsigned set = 0;
    bool dirty = true;    // observed since its last estimate
    bool live = true;     // not finished
    bool ordered = false; // in byLo and byMean
    bool moved = false;   // its keys changed in this decision
  };
  /// Rank keys, total orders: ties (and everything equal) fall back to
  /// arrival, then id, so the ranking does not depend on how it is kept.
  bool before(const Entry &a, const Entry &b) const {
    return a.arrival != b.arrival ? a.arrival < b.arrival : a.id < b.id;
  }
  bool loLess(unsigned a, unsigned b) const {
    const Entry &x = ent[a], &y = ent[b];
    return x.lo != y.lo ? x.lo < y.lo : before(x, y);
  }
  bool meanLess(unsigned a, unsigned b) const {
    const Entry &x = ent[a], &y = ent[b];
    return x.mean != y.mean ? x.mean < y.mean : before(x, y);
  }

  /// This decision's candidates: every job with a ready task of a slot
  /// kind that has room, from the ready index (each once) or the snapshot.
  /// Each is estimated again only if observed since or if its estimate
  /// has expired, and only those whose keys changed move within the two
  /// orders (the rest keep their places: the orders are sorted by keys
  /// that did not change).
  void gather(const Snapshot &snap) {
    cands.clear();
    moved.clear();
    if (!snap.index) {
      for (const JobView &v : snap.jobs)
        consider(v, snap.now);
    } else if (snap.free[0] && snap.free[1]) {
      for (const auto &[id, v] : snap.index->all())
        consider(v, snap.now);
    } else {
      for (const auto &[id, v] : snap.index->all())
        for (const ReadyTask &t : v.ready)
          if (snap.free[unsigned(t.slot)]) {
            consider(v, snap.now);
            break;
          }
    }
    reorderMoved();
  }

  void consider(const JobView &v, double now) {
    auto [it, added] = slotOf.try_emplace(v.id, 0);
    if (added) {
      it->second = newSlot();
      Entry &e = ent[it->second];
      e.id = v.id;
      e.arrival = v.arrival;
    }
    unsigned s = it->second;
    Entry &e = ent[s];
    e.stamp = stamp;
    e.job = unsigned(cands.size());
    cands.push_back(&v);
    if (!e.dirty && now < e.validUntil)
      return;
    JobEstimate x = est->estimate(v.id, v.app, now);
    e.dirty = false;
    e.validUntil = x.validUntil;
    if (e.ordered && x.lo == e.lo && x.hi == e.hi && x.mean == e.mean)
      return;
    e.lo = x.lo;
    e.hi = x.hi;
    e.mean = x.mean;
    e.moved = true;
    moved.push_back(s);
  }

  void reorderMoved() {
    if (moved.empty() && dead.empty())
      return;
    auto stays = [&](unsigned s) { return ent[s].live && !ent[s].moved; };
    reorder(byLo, stays, [&](unsigned a, unsigned b) { return loLess(a, b); });
    reorder(byMean, stays, [&](unsigned a, unsigned b) { return meanLess(a, b); });
    for (unsigned s : moved) {
      ent[s].moved = false;
      ent[s].ordered = true;
    }
    for (unsigned s : dead)
      freeSlots.push_back(s);
    dead.clear();
  }

  /// Drops what moved or finished from `order` and merges the moved back.
  template <typename Stays, typename Less> void reorder(std::vector<unsigned> &order, Stays stays, Less less) {
    order.erase(std::remove_if(order.begin(), order.end(), [&](unsigned s) { return !stays(s); }), order.end());
    std::sort(moved.begin(), moved.end(), less);
    merged.clear();
    std::merge(order.begin(), order.end(), moved.begin(), moved.end(), std::back_inserter(merged), less);
    order.swap(merged);
  }

  unsigned newSlot() {
    if (!freeSlots.empty()) {
      unsigned s = freeSlots.back();
      freeSlots.pop_back();
      ent[s] = Entry();
      return s;
    }
    ent.emplace_back();
    return unsigned(ent.size() - 1);
  }

  bool candidate(unsigned s) const { return ent[s].stamp == stamp; }

  /// Non-overlapping duration sets over this decision's candidates: in lo
  /// order, a set grows while the next lo is within its hi. Without sets,
  /// one set in SRTF order. Records where each set starts in byLo.
  void sweepSets() {
    setStart.clear();
    setSize.clear();
    double setHi = -1;
    for (size_t k = 0; k < byLo.size(); ++k) {
      Entry &e = ent[byLo[k]];
      if (e.stamp != stamp)
        continue;
      if (setStart.empty() || (opts.durationSets && e.lo > setHi)) {
        setStart.push_back(k);
        setSize.push_back(0);
        setHi = e.hi;
      } else {
        setHi = std::max(setHi, e.hi);
      }
      e.set = unsigned(setStart.size() - 1);
      ++setSize.back();
    }
    setStart.push_back(byLo.size());
  }

  /// Makes ranked[k] exist, ordering by rank (shortest expected remaining
  /// work first) every set up to the one holding it. A set is ordered only
  /// when the walk reaches it: slots usually run out in the first one. A
  /// large set is read off byMean, a small one sorted. False past the last.
  bool rankThrough(size_t k) {
    while (ranked.size() <= k) {
      if (nextSet + 1 >= setStart.size())
        return false;
      unsigned set = nextSet++;
      size_t begin = ranked.size();
      if (setSize[set] * 8 > byMean.size()) {
        for (unsigned s : byMean)
          if (candidate(s) && ent[s].set == set)
            ranked.push_back({ent[s].job, set});
      } else {
        for (size_t p = setStart[set]; p < setStart[set + 1]; ++p)
          if (candidate(byLo[p]))
            members.push_back(byLo[p]);
        std::sort(members.begin(), members.end(), [&](unsigned a, unsigned b) { return meanLess(a, b); });
        for (unsigned s : members)
          ranked.push_back({ent[s].job, set});
        members.clear();
      }
      assert(ranked.size() - begin == setSize[set]);
      (void)begin;
    }
    return true;
  }

  bool isTaken(size_t ji, size_t ti) const { return taken[first[ji] + ti]; }

  void place(size_t ji, size_t ti) {
    taken[first[ji] + ti] = 1;
    --free[unsigned(cands[ji]->ready[ti].slot)];
    out.push_back({cands[ji]->id, cands[ji]->ready[ti].task});
  }

  /// Explores within the set that ranked[cursor] opens: the ready stage of
  /// `kind` with the largest R(X) > 0, a fraction r of its tasks. False
  /// when no stage in the set would reveal anything.
  bool explore(size_t cursor, unsigned kind) {
    unsigned set = ranked[cursor].set;
    double best = 0;
    size_t bj = 0;
    llvm::StringRef bnode;
    // The set's first jobs in rank order: what they reveal is used soonest,
    // and scoring every job of a large set would cost more than it tells.
    size_t end = cursor + kExploreCandidates;
    for (size_t k = cursor; k < end && rankThrough(k) && ranked[k].set == set; ++k) {
      size_t ji = ranked[k].job;
      const JobView &v = *cands[ji];
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
    const JobView &v = *cands[bj];
    size_t tasks = 0;
    for (size_t t = 0; t < v.ready.size(); ++t)
      tasks += !isTaken(bj, t) && v.ready[t].nodeId == bnode;
    size_t n = std::max<size_t>(1, size_t(std::ceil(opts.partial * double(tasks))));
    for (size_t t = 0; t < v.ready.size() && n > 0 && free[kind]; ++t)
      if (!isTaken(bj, t) && v.ready[t].nodeId == bnode && unsigned(v.ready[t].slot) == kind) {
        place(bj, t);
        --n;
      }
    return true;
  }

  static constexpr size_t kExploreCandidates = 16;
  std::unique_ptr<Estimator> est;
  LLMSchedOptions opts;
  std::mt19937_64 rng;
  // Kept between decisions: every job seen in a snapshot and not finished,
  // in both rank orders.
  std::vector<Entry> ent;
  llvm::DenseMap<JobId, unsigned> slotOf;
  std::vector<unsigned> freeSlots, dead;
  std::vector<unsigned> byLo, byMean;
  uint64_t stamp = 0;
  // Per decision, storage reused.
  struct Ranked {
    unsigned job; // index into cands
    unsigned set;
  };
  std::vector<const JobView *> cands;
  std::vector<unsigned> moved, merged, members;
  std::vector<size_t> setStart, setSize;
  std::vector<Ranked> ranked;
  unsigned nextSet = 0;
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
