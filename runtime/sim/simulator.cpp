#include "sim/simulator.h"

#include "engine/dag_view.h"
#include "engine/snapshot.h"

#include "sim/replay.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"

#include <chrono>
#include <queue>

namespace llmflow::sim {
namespace {

struct Ev {
  double t;
  uint64_t seq;
  enum Kind { Arrival, ToolDone, ServerTick } kind;
  uint64_t a = 0, b = 0, c = 0;     // Arrival: job index; ToolDone: job, task, slot; ServerTick: server, version
  bool operator>(const Ev &o) const { return t != o.t ? t > o.t : seq > o.seq; }
};

struct Server {
  serving::BatchingServer model;
  unsigned maxInFlight = 16;
  uint64_t version = 0;
};

struct InFlight {
  uint64_t job;
  rt::TaskId task;
  double start;
  engine::ExecResult result;
};

class Sim {
public:
  Sim(const std::vector<SimApp> &apps, const std::vector<SimJob> &jobs, sched::Scheduler &scheduler,
      const SimConfig &cfg, engine::EventSink *events)
      : apps(apps), specs(jobs), scheduler(scheduler), cfg(cfg), events(events) {
    for (unsigned i = 0; i < cfg.llmEndpoints; ++i)
      servers.push_back(Server{serving::BatchingServer(cfg.serving), cfg.llmMaxInFlight, 0});
    capacity[0] = cfg.llmEndpoints * cfg.llmMaxInFlight;
    capacity[1] = cfg.regularSlots;
  }

  SimResult run() {
    auto wall0 = std::chrono::steady_clock::now();
    states.resize(specs.size());
    result.jobs.resize(specs.size());
    for (size_t i = 0; i < specs.size(); ++i)
      push({specs[i].arrival, 0, Ev::Arrival, i});
    while (!queue.empty()) {
      double t = queue.top().t;
      now = t;
      while (!queue.empty() && queue.top().t <= t) {
        Ev e = queue.top();
        queue.pop();
        handle(e);
      }
      schedule();
    }
    result.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    for (size_t idx = 0; idx < states.size(); ++idx) {
      JobState &st = states[idx];
      JobOutcome &o = result.jobs[idx];
      if (st.job && !st.finished) {
        o.ok = false;
        o.error = "internal error: the job stalled in the simulator";
        o.finish = now;
      }
    }
    double first = 1e300, last = 0;
    for (const JobOutcome &o : result.jobs) {
      first = std::min(first, o.arrival);
      last = std::max(last, o.finish);
    }
    result.makespan = result.jobs.empty() ? 0 : last - first;
    return std::move(result);
  }

private:
  struct JobState {
    std::unique_ptr<behave::JobDraw> draw;     // the job's behaviour draw or its replay
    ReplayJob *replay = nullptr;               // = draw when the job replays a trace
    std::unique_ptr<rt::Job> job;
    bool finished = false;
  };

  const std::vector<SimApp> &apps;
  const std::vector<SimJob> &specs;
  sched::Scheduler &scheduler;
  const SimConfig &cfg;
  engine::EventSink *events;
  std::priority_queue<Ev, std::vector<Ev>, std::greater<Ev>> queue;
  uint64_t seq = 0;
  double now = 0;
  std::vector<Server> servers;
  unsigned capacity[sched::kSlotKinds], busy[sched::kSlotKinds] = {0, 0};
  std::vector<JobState> states;                      // by spec index
  std::vector<size_t> active;                        // spec indices of active jobs, arrival order
  llvm::DenseMap<uint64_t, InFlight> llmRequests;    // request id -> task
  uint64_t nextRequest = 1;
  SimResult result;
  sched::Snapshot snapBuf;
  engine::DAGViews dagViews;
  sched::ReadyIndex readyIndex; // kept only when the scheduler wantsIndex()

  void push(Ev e) {
    e.seq = seq++;
    queue.push(e);
  }

  void emit(engine::Event e) {
    if (!events)
      return;
    e.t = now;
    events->record(e);
  }


  void handle(const Ev &e) {
    switch (e.kind) {
    case Ev::Arrival: arrive(size_t(e.a)); break;
    case Ev::ToolDone: {
      auto it = toolTasks.find(e.b);
      assert(it != toolTasks.end());
      InFlight f = std::move(it->second);
      toolTasks.erase(it);
      --busy[1];
      finish(f);
      break;
    }
    case Ev::ServerTick: {
      Server &s = servers[e.a];
      if (e.b != s.version)
        return; // superseded by a later tick
      complete(s.model.advance(now));
      arm(unsigned(e.a));
      break;
    }
    }
  }

  void arrive(size_t idx) {
    const SimJob &spec = specs[idx];
    const SimApp &app = apps[spec.app];
    JobState &st = states[idx];
    if (spec.trace) {
      assert(app.replay && "an application whose jobs replay a trace needs its ReplayIndex");
      auto r = std::make_unique<ReplayJob>(*app.replay, *spec.trace, cfg.serving, cfg.seed, spec.id);
      st.replay = r.get();
      st.draw = std::move(r);
      ++result.replayedJobs;
    } else {
      st.draw = std::make_unique<behave::JobBehaviour>(*app.behaviour, *app.module, cfg.seed, spec.id);
    }
    st.job = std::make_unique<rt::Job>(spec.id, *app.module, *app.app, spec.inputs, st.draw.get());
    JobOutcome &o = result.jobs[idx];
    o.id = spec.id;
    o.app = spec.app;
    o.arrival = now;
    active.push_back(idx);
    result.maxActiveJobs = std::max(result.maxActiveJobs, unsigned(active.size()));
    sched::Observation arrival = engine::arrivalOf(*st.job, app.app->name, now);
    if (events) { // events are built only for a sink (they are most of a step's allocations)
      engine::Event ev;
      ev.type = engine::EventType::JobSubmitted;
      ev.job = spec.id;
      ev.app = app.app->name;
      ev.features.insert(arrival.features.begin(), arrival.features.end());
      emit(ev);
    }
    scheduler.observe(arrival);
    st.job->start();
    drain(idx);
  }

  void drain(size_t idx) {
    JobState &st = states[idx];
    const std::string &appName = apps[specs[idx].app].app->name;
    for (rt::JobEvent &je : st.job->takeEvents()) {
      if (std::optional<sched::Observation> o = engine::observationOf(je, specs[idx].id, appName, now))
        scheduler.observe(*o);
      switch (je.kind) {
      case rt::JobEvent::Kind::Expanded: {
        if (st.replay)
          st.replay->checkExpanded(je.nodeId, je.instance, je.structure, je.size);
        if (!events)
          break;
        engine::Event ev;
        ev.type = engine::EventType::Expanded;
        ev.job = specs[idx].id;
        ev.app = appName;
        ev.node = je.nodeId;
        ev.instance = je.instance;
        ev.structure = je.structure;
        ev.size = je.size;
        emit(ev);
        break;
      }
      case rt::JobEvent::Kind::TaskReady: {
        if (!events)
          break;
        engine::Event ev;
        ev.type = engine::EventType::TaskReady;
        ev.job = specs[idx].id;
        ev.app = appName;
        ev.node = je.nodeId;
        ev.instance = je.instance;
        emit(ev);
        break;
      }
      case rt::JobEvent::Kind::JobFinished:
      case rt::JobEvent::Kind::JobFailed: {
        st.finished = true;
        JobOutcome &o = result.jobs[idx];
        o.finish = now;
        o.ok = je.kind == rt::JobEvent::Kind::JobFinished;
        o.error = je.detail;
        if (st.replay) {
          o.replayMismatches = st.replay->mismatches();
          result.replayMismatches += o.replayMismatches;
          for (const std::string &n : st.replay->mismatchNotes())
            if (result.replayNotes.size() < 5)
              result.replayNotes.push_back("job " + std::to_string(o.id) + ": " + n);
        }
        active.erase(std::find(active.begin(), active.end(), idx));
        if (!events)
          break;
        engine::Event ev;
        ev.type = o.ok ? engine::EventType::JobFinished : engine::EventType::JobFailed;
        ev.job = specs[idx].id;
        ev.app = appName;
        ev.error = je.detail;
        emit(ev);
        break;
      }
      default: break;
      }
    }
    reindex(idx);
  }

  void reindex(size_t idx) {
    if (scheduler.wantsIndex())
      engine::indexJob(readyIndex, specs[idx].id, apps[specs[idx].app].app->name, result.jobs[idx].arrival,
                       *states[idx].job);
  }

  void schedule() {
    sched::Snapshot &snap = snapBuf; // reused: its vectors keep their storage
    snap.now = now;
    snap.free[0] = capacity[0] > busy[0] ? capacity[0] - busy[0] : 0;
    snap.free[1] = capacity[1] > busy[1] ? capacity[1] - busy[1] : 0;
    if (!snap.free[0] && !snap.free[1])
      return;
    snap.capacity[0] = capacity[0];
    snap.capacity[1] = capacity[1];
    snap.activeJobs = unsigned(active.size());
    if (scheduler.wantsIndex()) {
      if (!readyIndex.anyPlaceable(snap.free))
        return;
      snap.index = &readyIndex;
      snap.jobs.clear();
    } else {
      size_t used = 0;
      for (size_t idx : active)
        engine::addJobView(snap, used, specs[idx].id, apps[specs[idx].app].app->name, result.jobs[idx].arrival,
                           *states[idx].job);
      if (!used)
        return;
      snap.jobs.resize(used);
    }
    snap.dags.clear();
    auto t0 = std::chrono::steady_clock::now();
    if (scheduler.wantsDAG()) { // the views are part of the decision's cost
      for (size_t idx : active)
        dagViews.add(snap, specs[idx].id, apps[specs[idx].app].app->name, result.jobs[idx].arrival, *states[idx].job);
      dagViews.sweep();
    }
    std::vector<sched::Placement> placements = scheduler.decide(snap);
    result.decisionSeconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    ++result.decisions;
    for (const sched::Placement &p : placements)
      dispatch(p);
  }

  size_t indexOf(uint64_t jobId) const {
    // Job ids are assigned by the caller; find the spec (ids are dense in practice).
    auto it = idToIndex.find(jobId);
    assert(it != idToIndex.end());
    return it->second;
  }

  void dispatch(const sched::Placement &p) {
    // A placement must name a ready task of an active job and fit a free slot
    // of its kind. Like the engine, a broken scheduler is an assert in debug
    // builds and its excess placements are dropped otherwise (never
    // over-booked, never a task started twice).
    auto known = idToIndex.find(p.job);
    JobState *stp = known == idToIndex.end() ? nullptr : &states[known->second];
    bool ready = stp && stp->job && !stp->job->done() && llvm::is_contained(stp->job->ready(), p.task);
    assert(ready && "scheduler placed a task that is not ready");
    if (!ready)
      return;
    size_t idx = known->second;
    JobState &st = *stp;
    rt::Job &job = *st.job;
    const rt::Task &task = job.task(p.task);
    unsigned k = unsigned(engine::slotOf(task.executor));
    assert(busy[k] < capacity[k] && "scheduler over-booked a slot kind");
    if (busy[k] >= capacity[k])
      return;
    ++busy[k];
    job.markRunning(p.task);
    reindex(idx);
    const std::string &appName = apps[specs[idx].app].app->name;
    if (events) {
      engine::Event ev;
      ev.type = engine::EventType::TaskDispatched;
      ev.job = p.job;
      ev.app = appName;
      ev.node = task.nodeId;
      ev.instance = task.instance;
      ev.executor = k == 0 ? "llm" : "regular";
      emit(ev);
    }
    scheduler.observe(engine::taskObservation(sched::Observation::Kind::TaskStarted, p.job, appName, p.task, task, now));
    const engine::SimTaskModel &model = *apps[specs[idx].app].model;
    if (k == 1) {
      engine::SimToolDraw d = model.tool(task, *st.draw);
      uint64_t id = nextRequest++;
      toolTasks[id] = InFlight{p.job, p.task, now, std::move(d.result)};
      push({now + d.seconds, 0, Ev::ToolDone, p.job, id});
      return;
    }
    engine::SimLLMDraw d = model.llm(task, *st.draw);
    unsigned best = 0;
    for (unsigned s = 1; s < servers.size(); ++s)
      if (servers[s].model.running() * servers[best].maxInFlight < servers[best].model.running() * servers[s].maxInFlight)
        best = s;
    uint64_t id = nextRequest++;
    engine::ExecResult r;
    r.outcome = std::move(d.outcome);
    r.tokensIn = d.tokensIn;
    r.tokensOut = d.tokensOut;
    if (events)
      r.endpoint = "sim-" + std::to_string(best);
    llmRequests[id] = InFlight{p.job, p.task, now, std::move(r)};
    complete(servers[best].model.add(id, now, d.tokensIn, d.tokensOut));
    arm(best);
  }

  void arm(unsigned s) {
    Server &srv = servers[s];
    ++srv.version;
    double next = srv.model.nextEvent();
    if (std::isfinite(next))
      push({std::max(next, now), 0, Ev::ServerTick, s, srv.version});
  }

  void complete(const std::vector<serving::BatchingServer::Done> &done) {
    for (const auto &d : done) {
      auto it = llmRequests.find(d.id);
      if (it == llmRequests.end())
        continue;
      InFlight f = std::move(it->second);
      llmRequests.erase(it);
      --busy[0];
      f.result.firstTokenAt = d.firstToken;
      finish(f);
    }
  }

  void finish(InFlight &f) {
    size_t idx = indexOf(f.job);
    JobState &st = states[idx];
    rt::Job &job = *st.job;
    const rt::Task &task = job.task(f.task);
    double duration = now - f.start;
    JobOutcome &out = result.jobs[idx];
    out.work += duration;
    if (task.executor == ir::ExecutorClass::LLM) {
      ++out.llmCalls;
      out.tokensIn += f.result.tokensIn.value_or(0);
      out.tokensOut += f.result.tokensOut.value_or(0);
    } else {
      ++out.toolCalls;
    }
    const std::string &appName = apps[specs[idx].app].app->name;
    if (events) {
      engine::Event ev;
      ev.type = f.result.outcome.ok ? engine::EventType::TaskFinished : engine::EventType::TaskFailed;
      ev.job = f.job;
      ev.app = appName;
      ev.node = task.nodeId;
      ev.instance = task.instance;
      ev.executor = task.executor == ir::ExecutorClass::LLM ? "llm" : "regular";
      ev.endpoint = f.result.endpoint;
      ev.tokensIn = f.result.tokensIn;
      ev.tokensOut = f.result.tokensOut;
      ev.attempts = f.result.attempts;
      ev.error = f.result.outcome.error;
      emit(ev);
    }
    if (f.result.outcome.ok)
      scheduler.observe(
          engine::taskObservation(sched::Observation::Kind::TaskFinished, f.job, appName, f.task, task, now, duration));
    job.complete(f.task, std::move(f.result.outcome));
    drain(idx);
  }

public:
  llvm::DenseMap<uint64_t, size_t> idToIndex;
  llvm::DenseMap<uint64_t, InFlight> toolTasks;
};

} // namespace

SimResult simulate(const std::vector<SimApp> &apps, const std::vector<SimJob> &jobs, sched::Scheduler &scheduler,
                   const SimConfig &config, engine::EventSink *events) {
  Sim s(apps, jobs, scheduler, config, events);
  for (size_t i = 0; i < jobs.size(); ++i) {
    assert(!s.idToIndex.count(jobs[i].id) && "job ids must be unique");
    s.idToIndex[jobs[i].id] = i;
  }
  return s.run();
}

std::vector<JobOutcome> standalone(const std::vector<SimApp> &apps, const std::vector<SimJob> &jobs,
                                   const SimConfig &config) {
  std::vector<JobOutcome> out;
  SimConfig alone = config;
  alone.regularSlots = 1u << 20;
  alone.llmMaxInFlight = 1u << 20;
  // Alone means every endpoint to itself: keep the endpoint count (with one
  // endpoint a job's parallel requests would share one batch and run slower
  // than they can in the configured system).
  alone.llmEndpoints = std::max(1u, config.llmEndpoints);
  auto fcfs = sched::makeFCFS();
  for (const SimJob &j : jobs) {
    SimJob one = j;
    one.arrival = 0;
    std::vector<SimJob> single{one};
    SimResult r = simulate(apps, single, *fcfs, alone);
    out.push_back(r.jobs.at(0));
  }
  return out;
}

} // namespace llmflow::sim
