#include "estimate/bn_estimator.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"

#include <map>

#include <cmath>
#include <deque>

namespace llmflow::estimate {

llvm::Expected<std::unique_ptr<AppBN>> AppBN::make(AppModel model, bn::Network net) {
  auto a = std::make_unique<AppBN>();
  a->model = std::move(model);
  a->net = std::move(net);
  for (unsigned v = 0; v < a->net.vars.size(); ++v)
    a->var[a->net.vars[v].name] = v;
  a->compiled = bn::compile(a->net);
  for (const bn::VariableSpec &s : a->model.specs)
    if (!a->var.count(s.name))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "the network does not match application '%s': it has no variable '%s'",
                                     a->model.app.c_str(), s.name.c_str());
  for (unsigned v = 0; v < a->net.vars.size(); ++v) {
    const bn::Variable &x = a->net.vars[v];
    double lo = 1e300, hi = -1e300;
    for (size_t s = 0; s < x.value.size(); ++s) {
      if (x.hasAbsent && s + 1 == x.value.size())
        continue;
      lo = std::min(lo, x.value[s]);
      hi = std::max(hi, x.value[s]);
    }
    a->range.push_back(hi > lo ? hi - lo : 0);
    if (x.name == kTotalVariable)
      continue;
    auto it = a->model.nodes.find(x.node);
    if (it == a->model.nodes.end())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "the network does not match application '%s': node '%s' is not in it",
                                     a->model.app.c_str(), x.node.c_str());
    if (x.kind == bn::Variable::Kind::Duration && !it->second.node->dynamic)
      a->workVars.push_back(v);
  }
  // Descendants in breadth-first order (nearest first).
  std::vector<std::vector<unsigned>> children(a->net.vars.size());
  for (unsigned v = 0; v < a->net.parents.size(); ++v)
    for (unsigned p : a->net.parents[v])
      children[p].push_back(v);
  a->descendants.resize(a->net.vars.size());
  for (unsigned v = 0; v < a->net.vars.size(); ++v) {
    std::vector<bool> seen(a->net.vars.size(), false);
    std::deque<unsigned> q(children[v].begin(), children[v].end());
    while (!q.empty()) {
      unsigned c = q.front();
      q.pop_front();
      if (seen[c])
        continue;
      seen[c] = true;
      if (a->net.vars[c].name != kTotalVariable) // an outcome, not a stage
        a->descendants[v].push_back(c);
      for (unsigned g : children[c])
        q.push_back(g);
    }
  }
  return a;
}

namespace {

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
        jobs.try_emplace(o.job, *it->second);
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
    const AppBN &a = j.app;
    auto ni = a.model.nodes.find(o.nodeId);
    if (ni == a.model.nodes.end())
      return;
    const NodeInfo &info = ni->second;
    if (o.kind == K::TaskFinished) {
      j.observed[o.nodeId] += o.duration;
      unsigned &count = j.finished[o.nodeId];
      ++count;
      if (info.repeatOwner.empty())
        close(j, o.nodeId);
      else if (auto s = j.expected.find(info.repeatOwner); s != j.expected.end() && count >= s->second)
        close(j, o.nodeId);
      return;
    }
    if (o.kind == K::Expanded) {
      if (j.structureSeen.insert(o.nodeId).second)
        if (auto v = a.var.find(o.nodeId + "#structure"); v != a.var.end()) {
          if (auto st = a.net.stateOf(v->second, double(o.size))) {
            j.inf.observe(v->second, *st);
            j.dirty = true;
          }
        }
      if (o.structure == "branch") {
        // Nodes in the arms not taken will not run: ABSENT.
        for (const auto &kv : a.model.nodes)
          if (kv.second.branch == o.nodeId && kv.second.arm != int(o.size))
            absent(j, kv.first());
      } else if (o.structure == "iterations") {
        for (const auto &kv : a.model.nodes)
          if (kv.second.repeatOwner == o.nodeId)
            close(j, kv.first());
      } else if (o.structure == "expansion_size") {
        j.expected[o.nodeId] = unsigned(o.size);
      }
    }
  }

  sched::JobEstimate estimate(sched::JobId job, llvm::StringRef) override {
    auto jt = jobs.find(job);
    if (jt == jobs.end())
      return {};
    Job &j = jt->second;
    if (!j.dirty)
      return j.cached;
    const AppBN &a = j.app;
    sched::JobEstimate e;
    for (unsigned v : a.workVars) {
      const std::string &node = a.net.vars[v].node;
      if (j.closed.count(node))
        continue;
      double done = j.observed.lookup(node);
      e.mean += std::max(0.0, j.inf.expected(v) - done);
      auto [lo, hi] = j.inf.interval(v);
      e.lo += std::max(0.0, lo - done);
      e.hi += std::max(0.0, hi - done);
    }
    e.lo = std::min(e.lo, e.mean);
    e.hi = std::max(e.hi, e.mean);
    j.cached = e;
    j.dirty = false;
    j.scores.clear();
    return e;
  }

  double score(sched::JobId job, llvm::StringRef, llvm::StringRef nodeId) override {
    auto jt = jobs.find(job);
    if (jt == jobs.end())
      return 0;
    Job &j = jt->second;
    if (j.dirty)
      estimate(job, "");
    if (auto it = j.scores.find(nodeId); it != j.scores.end())
      return it->second;
    const AppBN &a = j.app;
    double r = 0;
    if (auto x = a.var.find(nodeId); x != a.var.end()) {
      std::vector<unsigned> ys;
      double at = opts.productOfRanges ? 1 : 0;
      for (unsigned y : a.descendants[x->second]) {
        if (ys.size() >= opts.maxDescendants)
          break;
        if (j.closed.count(a.net.vars[y].node) || j.evidence.count(y))
          continue;
        ys.push_back(y);
        at = opts.productOfRanges ? at * std::max(1e-9, a.range[y]) : at + a.range[y];
      }
      if (!ys.empty())
        r = j.inf.mutualInformation(x->second, ys) * at;
    }
    j.scores[nodeId] = r;
    return r;
  }

private:
  struct Job {
    explicit Job(const AppBN &a) : app(a), inf(a.compiled) {}
    const AppBN &app;
    bn::Inference inf;
    llvm::StringMap<double> observed;
    llvm::StringMap<unsigned> finished, expected;
    llvm::StringSet<> closed, structureSeen;
    llvm::DenseSet<unsigned> evidence;
    llvm::StringMap<double> scores;
    sched::JobEstimate cached;
    bool dirty = true;
  };

  void close(Job &j, llvm::StringRef node) {
    if (!j.closed.insert(node).second)
      return;
    if (auto v = j.app.var.find(node); v != j.app.var.end()) {
      if (auto st = j.app.net.stateOf(v->second, j.observed.lookup(node))) {
        j.inf.observe(v->second, *st);
        j.evidence.insert(v->second);
      }
    }
    j.dirty = true;
  }

  void absent(Job &j, llvm::StringRef node) {
    if (!j.closed.insert(node).second)
      return;
    if (auto v = j.app.var.find(node); v != j.app.var.end() && j.app.net.vars[v->second].hasAbsent) {
      if (auto st = j.app.net.stateOf(v->second, std::nullopt)) {
        j.inf.observe(v->second, *st);
        j.evidence.insert(v->second);
      }
    }
    j.dirty = true;
  }

  BNEstimatorOptions opts;
  llvm::StringMap<const AppBN *> byApp;
  std::map<sched::JobId, Job> jobs;
};

} // namespace

std::unique_ptr<sched::Estimator> makeBNEstimator(std::vector<const AppBN *> apps, BNEstimatorOptions opts) {
  return std::make_unique<BNEstimator>(std::move(apps), opts);
}

} // namespace llmflow::estimate
