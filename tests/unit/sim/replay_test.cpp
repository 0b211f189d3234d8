// "The runtime and the simulator make the same decisions on the same recorded
// events" (architecture.md, convention 6): a recording scheduler wraps a real
// policy and logs every observe() and decide() call in order. A run on the
// real-time Engine (simulated backend executors, fast clock) and a run in the
// simulator are each recorded, then replayed into a FRESH instance of the
// same policy: every decide() must return exactly the recorded placements.
// So a policy's decisions depend only on snapshots and observations, not on
// which driver calls it or on the clock.

#include "sim_helpers.h"

#include "engine/engine.h"
#include "engine/sim_executors.h"

#include <boost/asio/io_context.hpp>

#include <doctest/doctest.h>

using namespace llmflow;
using namespace llmflow::simtest;

namespace {

/// A snapshot with every name owned: the driver's snapshot may borrow its
/// strings (valid only during the call), and the recording outlives the run.
struct OwnedSnapshot {
  struct Task {
    sched::TaskId task;
    std::string node;
    sched::Slot slot;
    uint64_t group;
  };
  struct Job {
    sched::JobId id;
    std::string app;
    double arrival;
    unsigned running;
    std::vector<Task> ready;
  };
  double now = 0;
  unsigned free[sched::kSlotKinds] = {0, 0}, capacity[sched::kSlotKinds] = {0, 0};
  unsigned activeJobs = 0;
  std::vector<Job> jobs;

  static OwnedSnapshot of(const sched::Snapshot &s) {
    OwnedSnapshot o;
    o.now = s.now;
    o.activeJobs = s.activeJobs;
    for (unsigned k = 0; k < sched::kSlotKinds; ++k) {
      o.free[k] = s.free[k];
      o.capacity[k] = s.capacity[k];
    }
    for (const sched::JobView &j : s.jobs) {
      Job oj{j.id, std::string(j.app), j.arrival, j.running, {}};
      for (const sched::ReadyTask &t : j.ready)
        oj.ready.push_back({t.task, std::string(t.nodeId), t.slot, t.group});
      o.jobs.push_back(std::move(oj));
    }
    return o;
  }
  /// A view borrowing from this object (keep it alive and unmoved meanwhile).
  sched::Snapshot view() const {
    sched::Snapshot s;
    s.now = now;
    s.activeJobs = activeJobs;
    for (unsigned k = 0; k < sched::kSlotKinds; ++k) {
      s.free[k] = free[k];
      s.capacity[k] = capacity[k];
    }
    for (const Job &j : jobs) {
      std::vector<sched::ReadyTask> ready;
      for (const Task &t : j.ready)
        ready.push_back(task(t.task, t.node, t.slot, t.group));
      s.jobs.push_back(jobView(j.id, j.app, j.arrival, j.running, std::move(ready)));
    }
    return s;
  }
};

struct Call {
  bool isDecide = false;
  sched::Observation observation;         // observe()
  OwnedSnapshot snapshot;                 // decide()
  std::vector<sched::Placement> placements;
};

/// Forwards to an inner scheduler and records every call.
class Recorder : public sched::Scheduler {
public:
  explicit Recorder(sched::Scheduler &inner) : inner(inner) {}
  std::string name() const override { return inner.name(); }
  std::vector<sched::Placement> decide(const sched::Snapshot &snap) override {
    Call c;
    c.isDecide = true;
    c.snapshot = OwnedSnapshot::of(snap);
    c.placements = inner.decide(snap);
    calls.push_back(std::move(c));
    return calls.back().placements;
  }
  void observe(const sched::Observation &o) override {
    Call c;
    c.observation = o;
    calls.push_back(std::move(c));
    inner.observe(o);
  }
  std::vector<Call> calls;

private:
  sched::Scheduler &inner;
};

struct ReplayResult {
  unsigned decisions = 0, mismatches = 0, observations = 0;
  unsigned contended = 0;    // decisions that could not place every ready task
  std::string firstMismatch;
};

/// Replays `calls` into `s`; `withObservations = false` drops the observe()
/// calls (to show they matter).
ReplayResult replay(const std::vector<Call> &calls, sched::Scheduler &s, bool withObservations = true) {
  ReplayResult r;
  for (size_t i = 0; i < calls.size(); ++i) {
    const Call &c = calls[i];
    if (!c.isDecide) {
      ++r.observations;
      if (withObservations)
        s.observe(c.observation);
      continue;
    }
    ++r.decisions;
    size_t ready = 0;
    for (const auto &j : c.snapshot.jobs)
      ready += j.ready.size();
    r.contended += c.placements.size() < ready;
    std::vector<sched::Placement> got = s.decide(c.snapshot.view());
    if (!samePlacements(got, c.placements)) {
      if (!r.mismatches)
        r.firstMismatch = "call " + std::to_string(i) + " at t=" + std::to_string(c.snapshot.now);
      ++r.mismatches;
    }
  }
  return r;
}

std::unique_ptr<sched::Scheduler> make(const std::string &name, const sched::Knowledge *k,
                                       const sched::Clairvoyance *truth = nullptr) {
  sched::SchedulerContext ctx = contextFor(k, truth, 11);
  std::string why;
  auto s = sched::makeScheduler(name, ctx, &why);
  REQUIRE_MESSAGE(s, why);
  return s;
}

/// Runs `n` jobs of one example on the real-time Engine with the simulated
/// backend executors (1000 engine seconds per real second), recording the
/// scheduler calls. Returns the event log.
std::vector<engine::Event> runEngine(const std::string &name, unsigned n, sched::Scheduler &scheduler,
                                     unsigned llmSlots, unsigned regularSlots, uint64_t seed) {
  const LoadedExample &ex = example(name);
  boost::asio::io_context io;
  engine::EngineClock clock(1000);
  std::vector<std::unique_ptr<behave::JobBehaviour>> behaviours;
  engine::BehaviourLookup lookup = [&](rt::JobId id) -> behave::JobBehaviour & { return *behaviours.at(id - 1); };
  std::vector<engine::SimEndpoint> eps{{"sim-0", serving::ServingParams::h100(), llmSlots}};
  engine::SimLLMExecutor llm(io, clock, {ex.model.get()}, lookup, eps);
  engine::SimToolExecutor tools(io, clock, {ex.model.get()}, lookup);
  engine::MemorySink sink;
  engine::Engine eng(io, clock, {&*ex.module}, scheduler, llm, tools, sink, engine::EngineConfig{llmSlots, regularSlots});
  for (unsigned k = 0; k < n; ++k) {
    behaviours.push_back(std::make_unique<behave::JobBehaviour>(*ex.behaviour, *ex.module, seed, k + 1));
    rt::JobId id = eng.submit(*ex.module, *ex.app, ex.inputs[k % ex.inputs.size()], 0.4 * k, behaviours.back().get());
    REQUIRE(id == k + 1);
  }
  eng.run();
  REQUIRE(eng.records().size() == n);
  for (const auto &kv : eng.records()) {
    const auto &id = kv.first; // not a structured binding: C++17 cannot capture one
    const auto &rec = kv.second;
    CAPTURE(id);
    CHECK_MESSAGE(rec.ok, rec.error);
  }
  Concurrency c = concurrency(sink.events);
  CHECK(c.maxLLM <= llmSlots);
  CHECK(c.maxRegular <= regularSlots);
  CHECK(c.dispatched == c.finished);
  return sink.events;
}

} // namespace

TEST_CASE("replay: the engine's recorded srtf-mean decisions are reproduced by a fresh instance") {
  for (const std::string name : {"react", "llmcompiler"}) {
    CAPTURE(name);
    sim::SimConfig cfg;
    cfg.seed = 31;
    std::vector<sim::SimApp> apps = simApps({name});
    sched::Knowledge k = trainKnowledge(apps, {name}, 12, cfg);
    auto inner = make("srtf-mean", &k);
    Recorder rec(*inner);
    runEngine(name, 10, rec, 2, 1, cfg.seed);

    auto fresh = make("srtf-mean", &k);
    ReplayResult r = replay(rec.calls, *fresh);
    CHECK_MESSAGE(r.mismatches == 0, r.firstMismatch);
    // The recording is not trivial: many decisions, some of them real choices
    // (more ready tasks than free slots), and the observations matter.
    CHECK(r.decisions >= 10);
    CHECK(r.observations >= 10);
    CHECK(r.contended > 0);
    auto blind = make("srtf-mean", &k);
    ReplayResult noObs = replay(rec.calls, *blind, /*withObservations=*/false);
    CHECK(noObs.mismatches > 0);
  }
}

TEST_CASE("replay: the simulator's recorded decisions are reproduced by fresh instances") {
  std::vector<std::string> names = {"react", "llmcompiler", "rag", "codegen"};
  std::vector<sim::SimApp> apps = simApps(names);
  sim::SimConfig cfg;
  cfg.llmEndpoints = 1;
  cfg.llmMaxInFlight = 3;
  cfg.regularSlots = 2;
  cfg.seed = 77;
  std::vector<sim::SimJob> jobs = mix(names, 30, 1.0, 77);
  sched::Knowledge k = trainKnowledge(apps, names, 12, cfg);
  Truth truth = truthFor(apps, jobs, cfg);
  for (const std::string policy : {"srtf-mean", "carbyne", "oracle-srtf", "fair", "llmsched-nobn"}) {
    CAPTURE(policy);
    auto inner = make(policy, &k, &truth);
    Recorder rec(*inner);
    sim::SimResult res = sim::simulate(apps, jobs, rec, cfg);
    for (const sim::JobOutcome &o : res.jobs)
      CHECK_MESSAGE(o.ok, o.error);
    unsigned decideCalls = 0;
    for (const Call &c : rec.calls)
      decideCalls += c.isDecide;
    CHECK(decideCalls == res.decisions);
    auto fresh = make(policy, &k, &truth);
    ReplayResult r = replay(rec.calls, *fresh);
    CHECK_MESSAGE(r.mismatches == 0, r.firstMismatch);
    CHECK(r.decisions >= 30);
    CHECK(r.contended > 0);
    if (policy != "fair") { // fair never reads observations
      auto blind = make(policy, &k, &truth);
      CHECK(replay(rec.calls, *blind, false).mismatches > 0);
    }
  }
}

TEST_CASE("replay: the engine and the simulator send a scheduler the same kinds of calls") {
  // Both drivers announce a job, report its expansions and finished tasks and
  // its end, in that order per job; both decide only with something ready and
  // a free slot.
  sim::SimConfig cfg;
  cfg.seed = 5;
  cfg.llmEndpoints = 1;
  cfg.llmMaxInFlight = 2;
  cfg.regularSlots = 1;
  const std::string name = "react";
  std::vector<sim::SimApp> apps = simApps({name});
  auto fcfsEngine = sched::makeFCFS();
  Recorder engineRec(*fcfsEngine);
  runEngine(name, 6, engineRec, 2, 1, cfg.seed);
  std::vector<sim::SimJob> jobs;
  for (unsigned k = 0; k < 6; ++k)
    jobs.push_back({0, example(name).inputs[k], 0.4 * k, k + 1});
  auto fcfsSim = sched::makeFCFS();
  Recorder simRec(*fcfsSim);
  sim::simulate(apps, jobs, simRec, cfg);

  for (const Recorder *rec : {&engineRec, &simRec}) {
    std::map<uint64_t, std::vector<sched::Observation::Kind>> perJob;
    std::map<uint64_t, unsigned> tasksFinished;
    for (const Call &c : rec->calls) {
      if (c.isDecide) {
        CHECK(!c.snapshot.jobs.empty());
        CHECK((c.snapshot.free[0] || c.snapshot.free[1]));
        CHECK(c.placements.size() <= c.snapshot.free[0] + c.snapshot.free[1]);
        for (const OwnedSnapshot::Job &j : c.snapshot.jobs) {
          CHECK(!j.ready.empty());
          CHECK(j.app == name);
        }
        continue;
      }
      perJob[c.observation.job].push_back(c.observation.kind);
      if (c.observation.kind == sched::Observation::Kind::TaskFinished) {
        ++tasksFinished[c.observation.job];
        CHECK(c.observation.duration > 0);
        CHECK(!c.observation.nodeId.empty());
      }
    }
    REQUIRE(perJob.size() == 6);
    for (auto &kv : perJob) {
      const auto &job = kv.first; // not a structured binding: C++17 cannot capture one
      auto &kinds = kv.second;
      CAPTURE(job);
      CHECK(kinds.front() == sched::Observation::Kind::JobArrived);
      CHECK(kinds.back() == sched::Observation::Kind::JobFinished);
      CHECK(std::count(kinds.begin(), kinds.end(), sched::Observation::Kind::JobFinished) == 1);
      CHECK(tasksFinished[job] > 0);
    }
  }
  // Same jobs, same seed: the same number of finished tasks per job and the
  // same expansions, whichever driver ran them.
  auto summary = [](const Recorder &rec) {
    std::map<uint64_t, std::multiset<std::tuple<std::string, std::string, int64_t>>> expanded;
    std::map<uint64_t, unsigned> finished;
    for (const Call &c : rec.calls) {
      if (c.isDecide)
        continue;
      if (c.observation.kind == sched::Observation::Kind::Expanded)
        expanded[c.observation.job].insert({c.observation.nodeId, c.observation.structure, c.observation.size});
      if (c.observation.kind == sched::Observation::Kind::TaskFinished)
        ++finished[c.observation.job];
    }
    return std::make_pair(expanded, finished);
  };
  CHECK(summary(engineRec) == summary(simRec));
}
