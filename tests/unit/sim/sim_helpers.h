// Test helpers for the scheduler / simulator tests: the example
// applications compiled with the real driver and loaded the way
// `llmflow simulate` loads them (tools/llmflow/cmd_simulate.cpp), seeded job
// mixes, scheduler knowledge trained on disjoint job ids, a clairvoyant
// truth table from standalone runs, and small snapshot builders.
#pragma once

#include "behave/behaviour.h"
#include "decima/scheduler.h"
#include "driver/driver.h"
#include "engine/events.h"
#include "engine/sim_model.h"
#include "profile/knowledge.h"
#include "profile/profile.h"
#include "sched/knowledge.h"
#include "sched/llmsched.h"
#include "sched/scheduler.h"
#include "sim/simulator.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/MemoryBuffer.h"

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace llmflow::simtest {

// --- example applications -----------------------------------------------------------------------

struct LoadedExample {
  support::CollectingDiagnosticConsumer diags;
  std::unique_ptr<driver::Session> session;
  std::optional<ir::Module> module;
  const ir::App *app = nullptr;
  std::string dir;
  std::unique_ptr<behave::BehaviourModel> behaviour;
  std::unique_ptr<engine::SimTaskModel> model;
  std::vector<llvm::json::Object> inputs;

  sim::SimApp simApp() const { return {app->name, &*module, app, behaviour.get(), model.get()}; }
};

/// Compiles examples/NAME with the driver, loads its behaviour.toml and
/// inputs.jsonl (once per process).
inline const LoadedExample &example(const std::string &name) {
  static std::map<std::string, std::unique_ptr<LoadedExample>> cache;
  auto &slot = cache[name];
  if (slot)
    return *slot;
  auto e = std::make_unique<LoadedExample>();
  e->dir = std::string(LLMFLOW_SOURCE_DIR) + "/examples/" + name;
  driver::Options opts;
  opts.stdlibDir = LLMFLOW_SOURCE_DIR "/stdlib";
  opts.noWarnings = true;
  e->session = std::make_unique<driver::Session>(e->diags, opts);
  REQUIRE_MESSAGE(e->session->load(e->dir + "/app.llmflow"), name);
  REQUIRE_MESSAGE(e->session->check(), name);
  auto m = e->session->lower();
  REQUIRE_MESSAGE(bool(m), (m ? std::string() : llvm::toString(m.takeError())));
  e->module = std::move(*m);
  e->app = e->module->findApp(name);
  REQUIRE_MESSAGE(e->app, name);
  auto b = behave::BehaviourModel::load(e->dir + "/behaviour.toml", *e->module, *e->app);
  REQUIRE_MESSAGE(bool(b), (b ? std::string() : llvm::toString(b.takeError())));
  e->behaviour = std::make_unique<behave::BehaviourModel>(std::move(*b));
  exec::BuiltinContext bctx;
  bctx.dataDir = e->dir;
  e->model = std::make_unique<engine::SimTaskModel>(*e->module, bctx);
  auto buf = llvm::MemoryBuffer::getFile(e->dir + "/inputs.jsonl");
  REQUIRE_MESSAGE(bool(buf), name);
  llvm::SmallVector<llvm::StringRef, 32> lines;
  (*buf)->getBuffer().split(lines, '\n', -1, false);
  for (llvm::StringRef l : lines) {
    if (l.trim().empty())
      continue;
    auto v = llvm::json::parse(l);
    REQUIRE_MESSAGE(bool(v), (v ? std::string() : llvm::toString(v.takeError())));
    REQUIRE(v->getAsObject());
    llvm::json::Object o = *v->getAsObject();
    llvm::Error err = rt::checkInputs(*e->module, *e->app, o);
    REQUIRE_MESSAGE(!err, llvm::toString(std::move(err)));
    e->inputs.push_back(std::move(o));
  }
  REQUIRE(!e->inputs.empty());
  slot = std::move(e);
  return *slot;
}

inline std::vector<sim::SimApp> simApps(const std::vector<std::string> &names) {
  std::vector<sim::SimApp> apps;
  for (const std::string &n : names)
    apps.push_back(example(n).simApp());
  return apps;
}

inline const std::vector<std::string> &allExamples() {
  static const std::vector<std::string> names = {"codegen", "hugginggpt", "llmcompiler", "rag", "react", "mapreduce"};
  return names;
}

/// `n` jobs, application uniformly at random, Poisson arrivals at `rate`,
/// ids 1..n; all seeded (the way cmd_simulate builds its jobs).
inline std::vector<sim::SimJob> mix(const std::vector<std::string> &names, unsigned n, double rate, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<unsigned> pick(0, unsigned(names.size()) - 1);
  std::exponential_distribution<double> gap(rate);
  std::vector<unsigned> used(names.size(), 0);
  std::vector<sim::SimJob> jobs;
  double t = 0;
  for (unsigned k = 0; k < n; ++k) {
    unsigned a = pick(rng);
    const auto &in = example(names[a]).inputs;
    jobs.push_back({a, in[used[a]++ % in.size()], t, k + 1});
    t += gap(rng);
  }
  return jobs;
}

/// Scheduler knowledge from `perApp` standalone profiles per application,
/// on job ids and a seed the evaluated jobs never use.
inline sched::Knowledge trainKnowledge(const std::vector<sim::SimApp> &apps, const std::vector<std::string> &names,
                                       unsigned perApp, const sim::SimConfig &cfg) {
  std::vector<profile::JobProfile> history;
  sim::SimConfig tcfg = cfg;
  tcfg.seed = cfg.seed + 0x9e3779b9ULL;
  for (size_t a = 0; a < apps.size(); ++a) {
    engine::MemorySink sink;
    const auto &in = example(names[a]).inputs;
    for (unsigned k = 0; k < perApp; ++k) {
      std::vector<sim::SimJob> one{{unsigned(a), in[k % in.size()], 0, 1000000000ULL + k}};
      auto fcfs = sched::makeFCFS();
      sim::simulate(apps, one, *fcfs, tcfg, &sink);
    }
    auto profiles = profile::fromEvents(sink.events, *apps[a].module);
    history.insert(history.end(), profiles.begin(), profiles.end());
  }
  return profile::buildKnowledge(history);
}

/// The oracle's truth: each job's standalone time and work.
class Truth : public sched::Clairvoyance {
public:
  llvm::DenseMap<uint64_t, std::pair<double, double>> byJob;
  double standaloneTime(uint64_t job) const override { return byJob.lookup(job).first; }
  double standaloneWork(uint64_t job) const override { return byJob.lookup(job).second; }
};

inline Truth truthFor(const std::vector<sim::SimApp> &apps, const std::vector<sim::SimJob> &jobs,
                      const sim::SimConfig &cfg, std::vector<sim::JobOutcome> *alone = nullptr) {
  Truth t;
  std::vector<sim::JobOutcome> a = sim::standalone(apps, jobs, cfg);
  REQUIRE(a.size() == jobs.size());
  for (size_t i = 0; i < jobs.size(); ++i)
    t.byJob[jobs[i].id] = {a[i].finish - a[i].arrival, a[i].work};
  if (alone)
    *alone = std::move(a);
  return t;
}

/// The six baselines of llmsched.md section 7 (all work-conserving).
inline const std::vector<std::string> &baselines() {
  static const std::vector<std::string> names = {"fcfs", "sjf", "fair", "srtf-mean", "carbyne", "oracle-srtf"};
  return names;
}

/// A stand-in for the Bayesian-network estimator where only the scheduler's
/// mechanics matter (the network is tested with the estimate library):
/// remaining work from the application's profiled work given the work done;
/// R(X) = the node's profiled spread until the node has started.
class MeanEstimator : public sched::Estimator {
public:
  explicit MeanEstimator(const sched::Knowledge &k) : k(k) {}
  void observe(const sched::Observation &o) override {
    if (o.kind == sched::Observation::Kind::TaskFinished)
      done[o.job] += o.duration;
    if (o.kind == sched::Observation::Kind::TaskStarted)
      started[o.job].insert(o.nodeId);
  }
  sched::JobEstimate estimate(sched::JobId job, llvm::StringRef app, double) override {
    const sched::AppKnowledge *a = k.app(app);
    if (!a)
      return {};
    double m = a->remainingWork(done[job]);
    return {m, std::min(m, a->workP5), std::max(m, a->workP95)};
  }
  double score(sched::JobId job, llvm::StringRef app, llvm::StringRef nodeId) override {
    const sched::AppKnowledge *a = k.app(app);
    if (!a || started[job].count(nodeId.str()))
      return 0;
    auto it = a->nodes.find(nodeId);
    return it == a->nodes.end() ? 0 : it->second.p95 - it->second.p5;
  }
private:
  const sched::Knowledge &k;
  std::map<sched::JobId, double> done;
  std::map<sched::JobId, std::set<std::string>> started;
};

/// A context every scheduler in schedulerNames() can be built from, with
/// MeanEstimator standing in for both networks and an untrained Decima
/// policy.
inline sched::SchedulerContext contextFor(const sched::Knowledge *k, const sched::Clairvoyance *truth,
                                          uint64_t seed = 1) {
  sched::SchedulerContext ctx;
  ctx.seed = seed;
  ctx.knowledge = k;
  ctx.truth = truth;
  if (k) {
    ctx.bnEstimator = [k] { return std::make_unique<MeanEstimator>(*k); };
    ctx.independentEstimator = ctx.bnEstimator;
  }
  ctx.decima = [] {
    static const decima::Policy untrained = [] {
      decima::Policy p;
      p.net.initialise(1);
      return p;
    }();
    return std::make_unique<decima::DecimaScheduler>(untrained, decima::DecimaOptions{});
  };
  return ctx;
}

// --- event-stream checks ------------------------------------------------------------------------

/// Replays an event stream and tracks, per executor kind, how many tasks are
/// dispatched and not yet finished; returns the maxima {llm, regular}.
struct Concurrency {
  unsigned maxLLM = 0, maxRegular = 0;
  unsigned openLLM = 0, openRegular = 0;   // at the end (should be 0)
  unsigned dispatched = 0, finished = 0;
  bool negative = false;                   // a finish without a dispatch
};

inline Concurrency concurrency(const std::vector<engine::Event> &events) {
  Concurrency c;
  std::set<std::tuple<uint64_t, std::string>> open; // (job, instance)
  for (const engine::Event &e : events) {
    bool llm = e.executor == "llm";
    if (e.type == engine::EventType::TaskDispatched) {
      ++c.dispatched;
      open.insert({e.job, e.instance});
      if (llm)
        c.maxLLM = std::max(c.maxLLM, ++c.openLLM);
      else
        c.maxRegular = std::max(c.maxRegular, ++c.openRegular);
    } else if ((e.type == engine::EventType::TaskFinished || e.type == engine::EventType::TaskFailed) &&
               !e.executor.empty()) {
      ++c.finished;
      if (!open.erase({e.job, e.instance}))
        c.negative = true;
      unsigned &n = llm ? c.openLLM : c.openRegular;
      if (n == 0)
        c.negative = true;
      else
        --n;
    }
  }
  return c;
}

// --- hand-built snapshots -----------------------------------------------------------------------

// Snapshot fields may be borrowed (llvm::StringRef, valid during a call) or
// owned (std::string); these builders work with either. Pass names that
// outlive the snapshot (string literals, or strings kept alive by the test).
template <class Field> Field nameAs(llvm::StringRef s) { return Field(s); }

inline sched::ReadyTask task(sched::TaskId id, llvm::StringRef node, sched::Slot slot, uint64_t group = 0) {
  sched::ReadyTask t;
  t.task = id;
  t.nodeId = nameAs<decltype(t.nodeId)>(node);
  t.slot = slot;
  t.group = group;
  return t;
}
inline sched::ReadyTask llmTask(sched::TaskId id, llvm::StringRef node = "llm", uint64_t group = 0) {
  return task(id, node, sched::Slot::LLM, group);
}
inline sched::ReadyTask toolTask(sched::TaskId id, llvm::StringRef node = "tool", uint64_t group = 0) {
  return task(id, node, sched::Slot::Regular, group);
}

inline sched::JobView jobView(sched::JobId id, llvm::StringRef app, double arrival, unsigned running,
                              std::vector<sched::ReadyTask> ready) {
  sched::JobView j;
  j.id = id;
  j.app = nameAs<decltype(j.app)>(app);
  j.arrival = arrival;
  j.running = running;
  j.ready = std::move(ready);
  return j;
}

inline sched::Snapshot snapshot(unsigned freeLLM, unsigned freeRegular, std::vector<sched::JobView> jobs,
                                double now = 0) {
  sched::Snapshot s;
  s.now = now;
  s.free[0] = s.capacity[0] = freeLLM;      // every slot free
  s.free[1] = s.capacity[1] = freeRegular;
  s.activeJobs = unsigned(jobs.size());
  s.jobs = std::move(jobs);
  return s;
}

/// Placements as (job, task) pairs, for readable comparisons.
inline std::vector<std::pair<uint64_t, uint64_t>> pairs(const std::vector<sched::Placement> &ps) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (const sched::Placement &p : ps)
    out.push_back({p.job, p.task});
  return out;
}

inline bool samePlacements(const std::vector<sched::Placement> &a, const std::vector<sched::Placement> &b) {
  return pairs(a) == pairs(b);
}

} // namespace llmflow::simtest
