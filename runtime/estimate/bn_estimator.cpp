// The per-job estimator: evidence in, remaining work and R(X) out. What a
// job reveals and how it enters the network is docs/bn.md's "What the
// scheduler asks"; in short:
//  - inputs on arrival: their features (hard evidence);
//  - a finished task: its node's duration (a repeated node's mean per
//    instance so far, re-entered only when its bin changes);
//  - a branch: its arm; every stage of the other arms, however deeply
//    nested, is ABSENT;
//  - a loop iteration that starts: "at least i iterations" (soft evidence
//    on the loop's count); the loop's end: its count, and the final count
//    of every stage inside it;
//  - a map: its size, which is the count of its body's stages;
//  - a plan: its size and each tool's count; tools it did not pick are ABSENT.
// Remaining work is the sum over unfinished stages of the instances still to
// start times the expected time of one, plus for each running task the
// expected time still to go given how long it has run (bn::remainingAfter).
#include "estimate/bn_estimator.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <algorithm>
#include <cmath>

namespace llmflow::estimate {
namespace {

bool isAbsentState(const bn::Variable &v, size_t s) { return v.hasAbsent && s + 1 == v.card(); }

/// E[value | present] and P(present).
std::pair<double, double> presentMean(const bn::Variable &v, llvm::ArrayRef<double> p) {
  double z = 0, e = 0, all = 0;
  for (size_t s = 0; s < p.size(); ++s) {
    all += p[s];
    if (isAbsentState(v, s))
      continue;
    z += p[s];
    e += p[s] * v.value[s];
  }
  return {z > 0 ? e / z : 0, all > 0 ? z / all : 0};
}

/// A variable's [qlo, qhi] interval over its present states, coarsely: the
/// lo of the state holding the qlo quantile and the hi of the state holding
/// the qhi quantile (states are in increasing order). Only duration sets use
/// it, and a decision may ask for it for every job.
std::pair<double, double> presentInterval(const bn::Variable &v, llvm::ArrayRef<double> p, double qlo, double qhi) {
  size_t n = v.hasAbsent ? p.size() - 1 : p.size();
  double z = 0;
  for (size_t s = 0; s < n; ++s)
    z += p[s];
  if (!(z > 0))
    return {0, 0};
  double acc = 0, lo = -1, hi = -1;
  for (size_t s = 0; s < n; ++s) {
    acc += p[s] / z;
    if (lo < 0 && acc >= qlo)
      lo = v.lo[s];
    if (hi < 0 && acc >= qhi - 1e-12)
      hi = v.hi[s];
  }
  return {std::max(0.0, lo), hi < 0 ? v.hi[n - 1] : hi};
}

/// Instances of a count variable still to come given `started` have:
/// E[N - started | N >= started] and its [qlo, qhi] quantiles.
struct ToCome {
  double mean = 0, lo = 0, hi = 0;
};
ToCome countToCome(const bn::Variable &v, llvm::ArrayRef<double> p, unsigned started, double qlo, double qhi) {
  double z = 0, e = 0;
  for (size_t s = 0; s < p.size(); ++s) {
    double n = isAbsentState(v, s) ? 0 : v.value[s];
    if (n + 1e-9 < started || p[s] <= 0)
      continue;
    z += p[s];
    e += p[s] * (n - started);
  }
  if (!(z > 0))
    return {};
  ToCome out{e / z, -1, -1};
  // Quantiles over the states in increasing value (structure states are ordered, ABSENT = 0 first).
  llvm::SmallVector<std::pair<double, double>, 16> mass;
  for (size_t s = 0; s < p.size(); ++s) {
    double n = isAbsentState(v, s) ? 0 : v.value[s];
    if (n + 1e-9 >= started && p[s] > 0)
      mass.push_back({n - started, p[s] / z});
  }
  std::sort(mass.begin(), mass.end());
  double acc = 0;
  for (auto [n, w] : mass) {
    acc += w;
    if (out.lo < 0 && acc >= qlo)
      out.lo = n;
    if (out.hi < 0 && acc >= qhi - 1e-12)
      out.hi = n;
  }
  out.lo = std::max(0.0, out.lo);
  out.hi = std::max(out.lo, out.hi < 0 ? mass.back().first : out.hi);
  return out;
}

class BNEstimator : public sched::Estimator {
public:
  BNEstimator(std::vector<const AppBN *> apps, BNEstimatorOptions opts) : opts(opts) {
    for (const AppBN *a : apps)
      byApp[a->model.app] = a;
  }

  void observe(const sched::Observation &o) override {
    using K = sched::Observation::Kind;
    if (o.kind == K::JobArrived) {
      auto it = byApp.find(o.app);
      if (it != byApp.end())
        arrive(jobs.try_emplace(o.job, *it->second).first->second, o);
      return;
    }
    auto jt = jobs.find(o.job);
    if (jt == jobs.end())
      return;
    Job &j = jt->second;
    if (o.kind == K::JobFinished) {
      jobs.erase(jt);
      return;
    }
    auto ni = j.app.model.nodes.find(o.nodeId);
    if (ni == j.app.model.nodes.end())
      return;
    unsigned n = ni->second.index;
    switch (o.kind) {
    case K::TaskStarted:
      if (j.app.nodeVars[n].duration >= 0) {
        j.running.push_back({o.task, n, o.time});
        ++j.nodes[n].started;
        j.dirty = true;
      }
      break;
    case K::TaskFinished: finished(j, o.task, o.duration); break;
    case K::Expanded: expanded(j, n, o); break;
    case K::IterationStarted: iteration(j, n, unsigned(std::max<int64_t>(o.size, 0))); break;
    default: break;
    }
  }

  sched::JobEstimate estimate(sched::JobId job, llvm::StringRef, double now) override {
    auto jt = jobs.find(job);
    if (jt == jobs.end())
      return {};
    Job &j = jt->second;
    if (j.dirty)
      refresh(j);
    if (j.stale || now >= j.refreshAt)
      addRunning(j, now);
    sched::JobEstimate e = j.estimate;
    e.validUntil = j.refreshAt;
    return e;
  }

  std::optional<StageView> inspect(sched::JobId job, llvm::StringRef nodeId) {
    auto jt = jobs.find(job);
    if (jt == jobs.end())
      return std::nullopt;
    Job &j = jt->second;
    auto ni = j.app.model.nodes.find(nodeId);
    if (ni == j.app.model.nodes.end())
      return std::nullopt;
    unsigned n = ni->second.index;
    const NodeState &s = j.nodes[n];
    StageView v{closed(j, n), s.absent, s.count, s.started, s.finished, 0, -1};
    if (int var = j.app.nodeVars[n].duration; var >= 0)
      v.toCome = toCome(j, n, presentMean(j.app.net.vars[unsigned(var)], j.inf.posteriorView(unsigned(var))).second).mean;
    if (int var = ni->second.structure.empty() ? j.app.nodeVars[n].count : j.app.nodeVars[n].structure; var >= 0)
      v.expectedCount = bn::expectedValue(j.app.net.vars[unsigned(var)], j.inf.posteriorView(unsigned(var)));
    return v;
  }

  double score(sched::JobId job, llvm::StringRef, llvm::StringRef nodeId) override {
    auto jt = jobs.find(job);
    if (jt == jobs.end())
      return 0;
    Job &j = jt->second;
    if (j.dirty)
      refresh(j);
    if (auto it = j.scores.find(nodeId); it != j.scores.end())
      return it->second;
    double r = 0;
    auto ni = j.app.model.nodes.find(nodeId);
    if (ni != j.app.model.nodes.end())
      r = uncertaintyReduction(j, ni->second.index);
    j.scores[nodeId] = r;
    return r;
  }

private:
  struct NodeState {
    unsigned started = 0, finished = 0;
    double sum = 0;                  // finished instances' durations
    int count = -1;                  // instances in all, once known
    bool absent = false;
    int entered = -1;                // state entered for its duration variable
  };
  struct Running {
    sched::TaskId task;
    unsigned node;
    double start;
  };
  struct Job {
    explicit Job(const AppBN &a)
        : app(a), inf(a.compiled), nodes(a.model.order.size()), structureSeen(a.model.order.size(), false) {}
    const AppBN &app;
    bn::Inference inf;
    std::vector<NodeState> nodes;
    std::vector<bool> structureSeen;
    llvm::SmallVector<Running, 4> running;
    bool dirty = true;               // evidence changed: refresh the stages to come
    bool stale = true;               // add the running tasks again
    sched::JobEstimate waiting;      // stages not started yet (cached until evidence changes)
    llvm::StringMap<double> scores;  // R(X) per node (cached likewise)
    sched::JobEstimate estimate;     // with the running tasks, as of their last ages
    double refreshAt = 0;
  };

  bool closed(const Job &j, unsigned n) const {
    const NodeState &s = j.nodes[n];
    if (s.absent)
      return true;
    if (s.count >= 0)
      return s.finished >= unsigned(s.count);
    return !j.app.model.nodes.find(j.app.model.order[n])->second.repeated() && s.finished >= 1;
  }

  void arrive(Job &j, const sched::Observation &o) {
    for (const auto &[input, value] : o.features)
      for (const auto &[name, var] : j.app.features)
        if (name == input)
          if (auto st = j.app.net.stateOf(var, value))
            j.inf.observe(var, *st);
  }

  void finished(Job &j, sched::TaskId task, double duration) {
    auto it = std::find_if(j.running.begin(), j.running.end(), [&](const Running &r) { return r.task == task; });
    if (it == j.running.end())
      return;
    unsigned n = it->node;
    j.running.erase(it);
    NodeState &s = j.nodes[n];
    ++s.finished;
    s.sum += duration;
    const NodeInfo &info = j.app.model.nodes.find(j.app.model.order[n])->second;
    // A repeated node's variable is the mean of one instance: re-entered
    // only when the running mean moves to another bin.
    enterDuration(j, n, info.repeated() ? s.sum / s.finished : s.sum);
    j.dirty = true;
  }

  void enterDuration(Job &j, unsigned n, std::optional<double> value) {
    int var = j.app.nodeVars[n].duration;
    if (var < 0)
      return;
    if (auto st = j.app.net.stateOf(unsigned(var), value); st && int(*st) != j.nodes[n].entered) {
      j.inf.observe(unsigned(var), *st);
      j.nodes[n].entered = int(*st);
    }
  }

  void observeValue(Job &j, int var, double value) {
    if (var < 0)
      return;
    if (auto st = j.app.net.stateOf(unsigned(var), value))
      j.inf.observe(unsigned(var), *st);
  }

  void markAbsent(Job &j, unsigned n) {
    NodeState &s = j.nodes[n];
    if (s.absent || s.started)
      return;
    s.absent = true;
    s.count = 0;
    enterDuration(j, n, std::nullopt);
    if (j.app.model.nodes.find(j.app.model.order[n])->second.ownCount)
      observeValue(j, j.app.nodeVars[n].count, 0);
    j.dirty = true;
  }

  void setCount(Job &j, unsigned n, unsigned count) {
    if (count == 0)
      return markAbsent(j, n);
    j.nodes[n].count = int(count);
    if (j.app.model.nodes.find(j.app.model.order[n])->second.ownCount)
      observeValue(j, j.app.nodeVars[n].count, count);
    j.dirty = true;
  }

  /// Whether a Dynamic node itself runs more than once per job (its
  /// structure variable then holds its first instance only).
  bool repeatedDynamic(const Job &j, unsigned n) const {
    for (const auto &[owner, arm] : j.app.model.nodes.find(j.app.model.order[n])->second.owners) {
      const ir::Node &o = *j.app.model.nodes.find(owner)->second.node;
      if (o.dynamic->kind != ir::DynamicKind::Branch && o.dynamic->kind != ir::DynamicKind::Call)
        return true;
    }
    return false;
  }

  void expanded(Job &j, unsigned d, const sched::Observation &o) {
    if (!j.structureSeen[d]) {
      j.structureSeen[d] = true;
      observeValue(j, j.app.nodeVars[d].structure, double(o.size));
      j.dirty = true;
    }
    if (repeatedDynamic(j, d))
      return;   // its other instances decide for themselves
    const std::vector<AppBN::Under> &under = j.app.under[d];
    if (o.structure == "branch") {
      for (const AppBN::Under &u : under)
        if (u.arm != o.size)
          markAbsent(j, u.node);
    } else if (o.structure == "iterations") {
      for (const AppBN::Under &u : under)
        setCount(j, u.node, u.direct ? unsigned(o.size) : j.nodes[u.node].started);
    } else if (!o.parts.empty()) {
      // A plan: each tool's count; the stages inside a called application
      // count like its call.
      for (const auto &[tool, count] : o.parts) {
        auto t = j.app.model.nodes.find(tool);
        if (t == j.app.model.nodes.end())
          continue;
        unsigned ti = t->second.index;
        if (j.app.nodeVars[ti].duration >= 0)
          setCount(j, ti, unsigned(count));
        for (const AppBN::Under &u : j.app.under[ti])
          if (count == 0)
            markAbsent(j, u.node);
          else if (u.direct)
            setCount(j, u.node, unsigned(count));
      }
    } else if (o.structure == "expansion_size") {
      for (const AppBN::Under &u : under)
        if (o.size == 0)
          markAbsent(j, u.node);
        else if (u.direct)
          setCount(j, u.node, unsigned(o.size));
    }
  }

  void iteration(Job &j, unsigned loop, unsigned i) {
    int var = j.app.nodeVars[loop].structure;
    if (var < 0 || repeatedDynamic(j, loop))
      return;
    // "At least i iterations": the states below i (and ABSENT) are out.
    const bn::Variable &v = j.app.net.vars[unsigned(var)];
    llvm::SmallVector<double, 16> factor(v.card(), 1.0);
    bool any = false;
    for (size_t s = 0; s < v.card(); ++s)
      if (isAbsentState(v, s) || v.value[s] + 1e-9 < i) {
        factor[s] = 0;
        any = true;
      }
    if (!any)
      return;
    j.inf.likelihood(unsigned(var), factor);
    j.dirty = true;
  }

  /// Instances of work node n still to start (mean and interval counts).
  ToCome toCome(Job &j, unsigned n, double present) {
    const AppBN &a = j.app;
    const NodeState &s = j.nodes[n];
    if (closed(j, n))
      return {};
    if (!a.model.nodes.find(a.model.order[n])->second.repeated()) {
      double c = s.started ? 0.0 : present;
      return {c, c >= 1 - opts.intervalLo ? 1.0 : 0.0, c > 0 ? 1.0 : 0.0};
    }
    if (s.count >= 0) {
      double c = std::max(0, s.count - int(s.started));
      return {c, c, c};
    }
    if (a.nodeVars[n].count < 0)
      return {};
    unsigned cv = unsigned(a.nodeVars[n].count);
    return countToCome(a.net.vars[cv], j.inf.posteriorView(cv), s.started, opts.intervalLo, opts.intervalHi);
  }

  /// The cached part of the estimate: stages (instances) not started yet.
  void refresh(Job &j) {
    j.dirty = false;
    j.stale = true;
    j.scores.clear();
    sched::JobEstimate e;
    const AppBN &a = j.app;
    for (unsigned n : a.work) {
      const NodeState &s = j.nodes[n];
      if (closed(j, n))
        continue;
      unsigned var = unsigned(a.nodeVars[n].duration);
      const bn::Variable &v = a.net.vars[var];
      llvm::ArrayRef<double> p = j.inf.posteriorView(var);
      auto [mean, present] = presentMean(v, p);
      auto [qlo, qhi] = presentInterval(v, p, opts.intervalLo, opts.intervalHi);
      double one = s.finished ? s.sum / s.finished : mean;
      ToCome more = toCome(j, n, present);
      e.mean += more.mean * one;
      e.lo += more.lo * (s.finished ? one : qlo);
      e.hi += more.hi * (s.finished ? one : qhi);
    }
    e.lo = std::min(e.lo, e.mean);
    e.hi = std::max(e.hi, e.mean);
    j.waiting = e;
  }

  /// The estimate at `now`: the stages to come plus, for each running task,
  /// the time still to go given its age. Held until a running task has aged
  /// by a quarter (or the evidence changes), so a decision touches only the
  /// jobs whose state moved.
  void addRunning(Job &j, double now) {
    j.stale = false;
    sched::JobEstimate e = j.waiting;
    double youngest = INFINITY;
    for (const Running &r : j.running) {
      unsigned var = unsigned(j.app.nodeVars[r.node].duration);
      double age = std::max(0.0, now - r.start);
      youngest = std::min(youngest, age);
      double left = bn::remainingAfter(j.app.net.vars[var], j.inf.posteriorView(var), age);
      e.mean += left;
      e.hi += 2 * left;
    }
    j.estimate = e;
    j.refreshAt = j.running.empty() ? INFINITY : now + 0.25 * std::max(youngest, 0.1 * e.mean) + 1e-3;
  }

  /// R(X) of launching a task of node n: what observing its duration tells
  /// about the work downstream, in seconds at stake. Zero when its duration
  /// is already known or an instance of it is already under way (that one
  /// will tell).
  double uncertaintyReduction(Job &j, unsigned n) {
    const AppBN &a = j.app;
    int x = a.nodeVars[n].duration;
    if (x < 0 || j.nodes[n].started || j.nodes[n].absent || j.inf.observed(unsigned(x)))
      return 0;
    std::vector<unsigned> ys;
    double at = opts.productOfRanges ? 1 : 0;
    for (unsigned y : a.descendants[unsigned(x)]) {
      if (ys.size() >= opts.maxDescendants)
        break;
      unsigned yn = a.model.nodes.find(a.net.vars[y].node)->second.index;
      if (j.inf.observed(y) || closed(j, yn))
        continue;
      ys.push_back(y);
      double range = a.net.vars[y].range();
      at = opts.productOfRanges ? at * std::max(1e-9, range) : at + range;
    }
    if (ys.empty())
      return 0;
    // Jobs of an application often hold the same evidence at the same
    // point: share the (costly) mutual information between them.
    uint64_t key = j.inf.evidenceHash() * 1000003ULL + uint64_t(x);
    for (unsigned y : ys)
      key = key * 1000003ULL + y;
    auto &memo = miMemo[&a];
    if (auto it = memo.find(key); it != memo.end())
      return it->second * at;
    if (memo.size() > kMemoLimit)
      memo.clear();
    double mi = j.inf.mutualInformation(unsigned(x), ys);
    memo[key] = mi;
    return mi * at;
  }

  static constexpr size_t kMemoLimit = 1 << 16;
  BNEstimatorOptions opts;
  llvm::DenseMap<const AppBN *, llvm::DenseMap<uint64_t, double>> miMemo;
  llvm::StringMap<const AppBN *> byApp;
  llvm::DenseMap<sched::JobId, Job> jobs;
};

} // namespace

std::unique_ptr<sched::Estimator> makeBNEstimator(std::vector<const AppBN *> apps, BNEstimatorOptions opts) {
  return std::make_unique<BNEstimator>(std::move(apps), opts);
}

std::optional<StageView> inspect(sched::Estimator &e, sched::JobId job, llvm::StringRef nodeId) {
  auto *bn = dynamic_cast<BNEstimator *>(&e);
  return bn ? bn->inspect(job, nodeId) : std::nullopt;
}

} // namespace llmflow::estimate
