#include "engine/engine.h"

#include "engine/snapshot.h"
#include "exec/process.h"

#include "llvm/ADT/STLExtras.h"

#include <boost/asio/post.hpp>

#include <chrono>
#include <csignal>
#include <cstring>

namespace llmflow::engine {

namespace {
const char *executorName(sched::Slot s) { return s == sched::Slot::LLM ? "llm" : "regular"; }

llvm::json::Value contentOf(const ExecResult &r) {
  llvm::json::Object c;
  if (r.transcript) {
    c["request"] = r.transcript->request;
    c["response"] = r.transcript->response;
    if (!r.transcript->stderrText.empty())
      c["stderr"] = r.transcript->stderrText;
  }
  if (r.outcome.ok)
    c["value"] = r.outcome.value;
  return c;
}
} // namespace

Engine::Engine(boost::asio::io_context &io, const EngineClock &clock, llvm::ArrayRef<const ir::Module *> programs,
               sched::Scheduler &scheduler, TaskExecutor &llm, TaskExecutor &regular, EventSink &events,
               EngineConfig config)
    : io(io), clock(clock), scheduler(scheduler), executors{&llm, &regular}, events(events), config(config) {
  if (config.journal) // the journal's writer may call from its own thread: hand over to the loop
    config.journal->setDurableCallback([this](uint64_t ticket, const std::string &error) {
      boost::asio::post(this->io, [this, ticket, error] { durableUpTo(ticket, error); });
    });
  assert(!programs.empty() && "an engine runs the apps of at least one program");
  llvm::json::Array sources;
  for (const ir::Module *m : programs)
    sources.push_back(m->source);
  Event e;
  e.type = EventType::RunStarted;
  e.extra = llvm::json::Object{{"scheduler", scheduler.name()},
                               {"llm_slots", int64_t(config.llmSlots)},
                               {"regular_slots", int64_t(config.regularSlots)},
                               {"time_scale", clock.timeScale()},
                               {"llm_executor", llm.name()},
                               {"regular_executor", regular.name()},
                               {"source", programs.front()->source},
                               {"sources", std::move(sources)},
                               // Event times are relative; this anchors them to the wall clock (OTLP export).
                               {"start_unix_ns", int64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                     std::chrono::system_clock::now().time_since_epoch())
                                                     .count())}};
  emit(std::move(e));
}

Engine::~Engine() {
  // The journal may outlive the engine and commit once more (a writer
  // thread finishing its queue): it must not call back into a gone engine.
  if (config.journal)
    config.journal->setDurableCallback(nullptr);
}

void Engine::emit(Event e) {
  if (e.t == 0)
    e.t = now();
  events.record(e);
}

rt::Job *Engine::job(rt::JobId id) {
  if (auto it = live.find(id); it != live.end())
    return it->second.get();
  if (auto it = waiting.find(id); it != waiting.end())
    return it->second.get();
  return nullptr;
}

rt::JobId Engine::submit(const ir::Module &module, const ir::App &app, llvm::json::Object inputs, double delay,
                         rt::StructureOracle *oracle, const journal::JournaledJob *replay,
                         const std::string &idempotencyKey) {
  rt::JobId id = nextId++;
  JobRecord &rec = jobs[id];
  rec.id = id;
  rec.app = app.name;
  if (stopping) {
    rec.interrupted = true;
    rec.error = "not started: the run was interrupted";
    return id;
  }
  if (config.journal) {
    config.journal->admit({id, "", app.name, inputs, idempotencyKey}); // the journal computes the key
    journaled[id].replay = replay;
  }
  waiting[id] = std::make_unique<rt::Job>(id, module, app, std::move(inputs), oracle);
  auto &timer = arrivals[id] = std::make_unique<boost::asio::steady_timer>(io);
  timer->expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(std::max(0.0, clock.realDelay(delay)))));
  timer->async_wait([this, id](const boost::system::error_code &ec) {
    if (!ec)
      arrive(id);
  });
  return id;
}

void Engine::arrive(rt::JobId id) {
  if (stopping || !waiting.count(id)) // cancel() may have made it arrive early
    return;
  arrivals.erase(id); // a long-lived run keeps no timer per job it ever had
  auto node = waiting.extract(id);
  rt::Job &job = *node.mapped();
  live.insert(std::move(node));
  JobRecord &rec = jobs[id];
  rec.arrival = now();
  sched::Observation arrival = arrivalOf(job, rec.app, rec.arrival);
  Event e;
  e.type = EventType::JobSubmitted;
  e.job = id;
  e.app = rec.app;
  e.features.insert(arrival.features.begin(), arrival.features.end());
  emit(std::move(e));
  scheduler.observe(arrival);
  job.start();
  drainEvents(job, job.takeEvents());
  replayReady(job);
  requestCommit();
  retireIfDone(id);
  refill();
  requestSchedule();
  checkDone();
}

void Engine::retireIfDone(rt::JobId id) {
  auto it = live.find(id);
  if (it != live.end() && it->second->done() && it->second->running() == 0) {
    readyIndex.erase(id);
    live.erase(it);
    journaled.erase(id);
    if (dropOnRetire.erase(id))
      dropRecord(id);
  }
}

void Engine::dropRecord(rt::JobId id) {
  if (!onRecordDropped)
    return;
  if (live.count(id)) {
    dropOnRetire.insert(id);
    return;
  }
  auto it = jobs.find(id);
  if (it == jobs.end())
    return;
  onRecordDropped(it->second);
  jobs.erase(it);
}

void Engine::reindex(const rt::Job &job) {
  if (scheduler.wantsIndex())
    indexJob(readyIndex, job.id(), job.app().name, jobs[job.id()].arrival, job);
}

void Engine::cancelTask(TaskKey key, const std::string &reason) {
  auto it = running.find(key);
  if (it == running.end() || !cancelled.emplace(key, reason).second)
    return;
  executors[unsigned(it->second)]->cancel(key.first, key.second);
}

void Engine::drainEvents(rt::Job &job, std::vector<rt::JobEvent> events) {
  JobRecord &rec = jobs[job.id()];
  for (rt::JobEvent &je : events) {
    if (std::optional<sched::Observation> o = observationOf(je, job.id(), rec.app, now()))
      scheduler.observe(*o);
    Event e;
    e.job = job.id();
    e.app = rec.app;
    e.node = je.nodeId;
    e.instance = je.instance;
    switch (je.kind) {
    case rt::JobEvent::Kind::TaskReady: e.type = EventType::TaskReady; break;
    case rt::JobEvent::Kind::Expanded:
      e.type = EventType::Expanded;
      e.structure = je.structure;
      e.size = je.size;
      break;
    case rt::JobEvent::Kind::IterationStarted: // the scheduler's and the journal's; the log has the tasks
      journalJobEvent(je, rec);
      continue;
    case rt::JobEvent::Kind::NodeFinished: continue; // task_finished carries the details
    case rt::JobEvent::Kind::NodeFailed: // not a task of ours (finished() merges those)
      e.type = EventType::TaskFailed;
      e.error = je.detail;
      break;
    case rt::JobEvent::Kind::NodeRetried:
      e.type = EventType::TaskRetried;
      e.error = je.detail;
      break;
    case rt::JobEvent::Kind::JobFinished:
      e.type = EventType::JobFinished;
      e.node.clear();
      rec.ok = true;
      rec.finish = now();
      rec.result = job.result();
      e.result = job.result();
      break;
    case rt::JobEvent::Kind::JobFailed:
      e.type = EventType::JobFailed;
      e.node.clear();
      rec.ok = false;
      rec.finish = now();
      rec.error = je.detail;
      e.error = je.detail;
      break;
    }
    journalJobEvent(je, rec);
    bool ended = je.kind == rt::JobEvent::Kind::JobFinished || je.kind == rt::JobEvent::Kind::JobFailed;
    if (!ended) {
      emit(std::move(e));
      continue;
    }
    // The end is durable before the log or anyone else hears of it, and
    // before the engine acts on it (reportEnds()).
    endsToReport.push_back([this, id = job.id(), failed = je.kind == rt::JobEvent::Kind::JobFailed,
                            e = std::move(e)]() mutable {
      emit(std::move(e));
      if (failed) {
        // Whatever else of the job runs can no longer matter: stop it.
        for (auto it = running.lower_bound({id, 0}); it != running.end() && it->first.first == id;)
          cancelTask((it++)->first, "cancelled: the job failed");
      }
      if (onJobDone)
        onJobDone(jobs[id]);
      dropRecord(id);
    });
    if (!config.journal)
      reportEnds();
    else
      requestCommit(); // ends within one window share a commit
  }
  reindex(job);
}

void Engine::requestSchedule() {
  if (schedulePending || stopping)
    return;
  schedulePending = true;
  boost::asio::post(io, [this] {
    schedulePending = false;
    schedule();
    checkDone();
  });
}

void Engine::schedule() {
  if (holding)
    return;
  sched::Snapshot snap;
  snap.now = now();
  snap.free[0] = config.llmSlots > busy[0] ? config.llmSlots - busy[0] : 0;
  snap.free[1] = config.regularSlots > busy[1] ? config.regularSlots - busy[1] : 0;
  if (!snap.free[0] && !snap.free[1])
    return;
  snap.capacity[0] = config.llmSlots;
  snap.capacity[1] = config.regularSlots;
  snap.activeJobs = unsigned(live.size());
  if (scheduler.wantsIndex()) {
    if (!readyIndex.anyPlaceable(snap.free))
      return;
    snap.index = &readyIndex;
  } else {
    size_t used = 0;
    for (auto &[id, job] : live)
      addJobView(snap, used, id, job->app().name, jobs[id].arrival, *job);
    snap.jobs.resize(used);
    if (snap.jobs.empty())
      return;
  }
  auto t0 = std::chrono::steady_clock::now();
  if (scheduler.wantsDAG()) { // the views are part of the decision's cost
    for (auto &[id, job] : live)
      dags.add(snap, id, job->app().name, jobs[id].arrival, *job);
    dags.sweep();
  }
  std::vector<sched::Placement> placements = scheduler.decide(snap);
  decisionTime += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ++decisionCount;
  std::vector<std::function<void()>> starts;
  for (const sched::Placement &p : placements) {
    // A placement must name a ready task of a live job (a broken scheduler
    // is an assert in debug builds; its bad placements are dropped otherwise).
    auto it = live.find(p.job);
    bool valid = it != live.end() && !it->second->done() && llvm::is_contained(it->second->ready(), p.task);
    assert(valid && "scheduler placed a task that is not ready");
    if (!valid)
      continue;
    rt::Job &job = *it->second;
    const rt::Task &task = job.task(p.task);
    unsigned k = unsigned(slotOf(task.executor));
    unsigned cap = k == 0 ? config.llmSlots : config.regularSlots;
    assert(busy[k] < cap && "scheduler over-booked a slot kind");
    if (busy[k] >= cap)
      continue;
    starts.push_back(dispatch(job, p.task));
  }
  auto startAll = [starts = std::move(starts)] {
    for (const std::function<void()> &start : starts)
      start();
  };
  // Without a group-commit window, one commit for the whole round: every
  // start is durable before any request or process leaves.
  if (config.journalWindow <= 0)
    afterDurable(std::move(startAll));
  else
    startAll();
}

std::function<void()> Engine::dispatch(rt::Job &job, rt::TaskId t) {
  job.markRunning(t);
  reindex(job);
  const rt::Task &task = job.task(t);
  sched::Slot slot = slotOf(task.executor);
  ++busy[unsigned(slot)];
  running.emplace(TaskKey{job.id(), t}, slot);
  double startAt = now();
  Event e;
  e.type = EventType::TaskDispatched;
  e.t = startAt;
  e.job = job.id();
  e.app = jobs[job.id()].app;
  e.node = task.nodeId;
  e.instance = task.instance;
  e.executor = executorName(slot);
  emit(std::move(e));
  rt::JobId id = job.id();
  scheduler.observe(taskObservation(sched::Observation::Kind::TaskStarted, id, jobs[id].app, t, task, startAt));
  unsigned seq = journalStart(task);
  return [this, &job, &task, slot, id, t, startAt, seq] {
    if (stopping || cancelled.count({id, t})) { // stopped while its start was being journaled
      ExecResult r;
      r.outcome.ok = false;
      r.outcome.error = "not started";
      boost::asio::post(io, [this, id, t, startAt, seq, r = std::move(r)]() mutable {
        finished(id, t, startAt, seq, std::move(r));
      });
      return;
    }
    executors[unsigned(slot)]->run(task, job, [this, id, t, startAt, seq](ExecResult r) {
      // Always finish on the event loop, never inside an executor's callback.
      boost::asio::post(io, [this, id, t, startAt, seq, r = std::move(r)]() mutable {
        finished(id, t, startAt, seq, std::move(r));
      });
    });
  };
}

void Engine::finished(rt::JobId id, rt::TaskId t, double startAt, unsigned seq, ExecResult r) {
  rt::Job &job = *live.at(id);
  const rt::Task &task = job.task(t);
  sched::Slot slot = slotOf(task.executor);
  --busy[unsigned(slot)];
  running.erase({id, t});
  JobRecord &rec = jobs[id];
  double end = now();
  if (r.firstTokenAt) {
    Event ft;
    ft.type = EventType::TaskFirstToken;
    ft.t = *r.firstTokenAt;
    ft.job = id;
    ft.app = rec.app;
    ft.node = task.nodeId;
    ft.instance = task.instance;
    ft.executor = executorName(slot);
    emit(std::move(ft));
  }
  Event e;
  e.t = end;
  e.job = id;
  e.app = rec.app;
  e.node = task.nodeId;
  e.instance = task.instance;
  e.executor = executorName(slot);
  e.endpoint = r.endpoint;
  if (task.node && task.node->llm)
    e.model = task.node->llm->model;
  e.tokensIn = r.tokensIn;
  e.tokensOut = r.tokensOut;
  e.attempts = r.attempts;
  e.cacheHit = r.cacheHit;
  if (r.cacheHit)
    ++(*r.cacheHit ? rec.cacheHits : rec.cacheMisses);
  bool ok = r.outcome.ok;
  e.error = r.outcome.error;
  auto why = cancelled.extract({id, t});
  if (!why.empty() && !ok)
    e.error = why.mapped() + " (" + e.error + ")";
  // A stage we stopped has no result worth keeping: a resume runs it again.
  if (why.empty() || ok)
    journalResult(task, seq, r, end - startAt);
  if (config.recordContent || r.transcript)
    e.content = contentOf(r);
  if (slot == sched::Slot::LLM) {
    ++rec.llmCalls;
    rec.tokensIn += r.tokensIn.value_or(0);
    rec.tokensOut += r.tokensOut.value_or(0);
  } else {
    ++rec.toolCalls;
  }
  if (ok)
    scheduler.observe(taskObservation(sched::Observation::Kind::TaskFinished, id, rec.app, t, task, end, end - startAt));
  job.complete(t, std::move(r.outcome));
  // One event per task: when the job rejects what the task returned (a value
  // of the wrong type) or records the executor's failure, that verdict is
  // this task's task_failed, not a second event.
  std::vector<rt::JobEvent> events = job.takeEvents();
  for (auto it = events.begin(); it != events.end(); ++it)
    if (it->kind == rt::JobEvent::Kind::NodeFailed && it->instance == task.instance) {
      ok = false;
      e.error = it->detail;
      events.erase(it);
      break;
    }
  e.type = ok ? EventType::TaskFinished : EventType::TaskFailed;
  emit(std::move(e));
  drainEvents(job, std::move(events));
  replayReady(job);
  requestCommit();
  retireIfDone(id);
  requestSchedule();
  checkDone();
}

void Engine::checkDone() {
  if (stopping && running.empty()) {
    // Cancelled work may leave timers behind (a simulated server finishing
    // requests nobody waits for): do not wait for them.
    if (signals)
      signals->cancel();
    io.stop();
    return;
  }
  if (!signals)
    return; // without a signal wait the loop runs dry by itself
  // Nothing runs, arrives or is about to be scheduled: the run is over (or
  // stalled, which run() reports). Only the signal wait keeps the loop busy.
  if (running.empty() && waiting.empty() && fed && !schedulePending && deferred.empty() && endsToReport.empty())
    signals->cancel();
}

void Engine::refill() {
  while (!fed && !stopping && waiting.size() < kFeedAhead)
    fed = !feed();
}

void Engine::waitForSignal() {
  signals->async_wait([this](const boost::system::error_code &ec, int sig) {
    if (ec)
      return;
    bool force = stopping; // the second signal
    if (!signalNumber)
      signalNumber = sig;
    interrupt(std::string("interrupted by ") + (sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : strsignal(sig)),
              force);
    if (!force && signals)
      waitForSignal();
  });
}

void Engine::interrupt(const std::string &reason, bool force) {
  bool first = !stopping;
  stopping = true;
  if (first) {
    for (auto &[id, timer] : arrivals)
      timer->cancel();
    for (auto &[id, job] : waiting) {
      JobRecord &rec = jobs[id];
      rec.interrupted = true;
      rec.error = "not started: " + reason;
    }
    waiting.clear();
    for (auto it = running.begin(); it != running.end();)
      cancelTask((it++)->first, "cancelled: " + reason);
    std::vector<rt::JobId> open;
    for (auto &[id, job] : live)
      if (!job->done())
        open.push_back(id);
    for (rt::JobId id : open) {
      rt::Job &job = *live.at(id);
      jobs[id].interrupted = true;
      job.abort(reason);
      drainEvents(job, job.takeEvents());
      retireIfDone(id);
    }
  }
  if (force) {
    // No grace: every tool process group dies now; their tasks never report.
    exec::killAllProcesses(io);
    if (signals)
      signals->cancel();
    io.stop();
    return;
  }
  checkDone();
}

bool Engine::cancel(rt::JobId id, const std::string &reason) {
  auto rec = jobs.find(id);
  if (rec == jobs.end() || rec->second.finish >= 0 || stopping)
    return false;
  if (waiting.count(id))
    arrive(id); // ends like any other job: events, journal, onJobDone
  auto it = live.find(id);
  if (it == live.end() || it->second->done())
    return false;
  rec->second.cancelled = true;
  rt::Job &job = *it->second;
  job.abort(reason); // drainEvents cancels the job's running tasks
  drainEvents(job, job.takeEvents());
  requestCommit();
  retireIfDone(id);
  requestSchedule();
  return true;
}

void Engine::forget(rt::JobId id) {
  auto it = jobs.find(id);
  if (it != jobs.end() && it->second.finish >= 0 && !live.count(id) && !waiting.count(id))
    jobs.erase(it);
}

void Engine::run() {
  if (config.handleSignals) {
    signals = std::make_unique<boost::asio::signal_set>(io, SIGINT, SIGTERM);
    waitForSignal();
  }
  fed = !feed;
  refill();
  requestSchedule();
  io.run();
  io.restart();
  commitJournal();
  // A forced stop leaves reports of durable job ends behind; deliver them
  // (starts it left behind see `stopping` and do not start).
  reportEnds();
  runDurable(~uint64_t(0));
  signals.reset(); // default dispositions again
  // The loop ran dry: any job still open can never finish. That is a bug
  // (in an executor or the job state machine); say so instead of hanging.
  // After an interrupt the open jobs are the interrupted ones.
  for (auto &[id, rec] : jobs)
    if (rec.finish < 0) {
      rec.ok = false;
      rec.finish = now();
      if (stopping) {
        rec.interrupted = true;
        continue; // not started, or cut off by a forced interrupt
      }
      rec.error = "internal error: the job stalled with nothing running or ready";
      Event e;
      e.type = EventType::JobFailed;
      e.job = id;
      e.app = rec.app;
      e.error = rec.error;
      emit(std::move(e));
    }
}

} // namespace llmflow::engine
