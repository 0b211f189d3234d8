// The engine's side of the journal (journal/journal.h): what it writes when,
// and the replay of an earlier run's stage results. Every record is written
// before it is acted on, in the order things happen, and a job's end is
// committed before anyone hears of it. Stage starts and results are committed
// either before the next stages start (no window) or in groups within a
// window (EngineConfig::journalWindow). Either way a commit makes everything
// written before it durable, so a killed run leaves a consistent prefix of
// itself: a stage whose result was not committed runs again on resume, as if
// it had been in flight.
#include "engine/engine.h"

#include <boost/asio/post.hpp>

namespace llmflow::engine {

unsigned Engine::journalStart(const rt::Task &task) {
  if (!config.journal)
    return 0;
  unsigned seq = ++journaled[task.job].starts[task.instance];
  config.journal->stageStarted({task.job, task.instance, seq}, task.nodeId);
  if (config.journalWindow > 0)
    requestCommit();
  return seq;
}

void Engine::journalResult(const rt::Task &task, unsigned seq, const ExecResult &r, double duration) {
  if (!config.journal)
    return;
  journal::StageResult s;
  s.node = task.nodeId;
  s.llm = task.executor == ir::ExecutorClass::LLM;
  s.ok = r.outcome.ok;
  s.value = r.outcome.value;
  s.error = r.outcome.error;
  s.tokensIn = r.tokensIn;
  s.tokensOut = r.tokensOut;
  s.duration = duration;
  s.attempts = r.attempts;
  s.endpoint = r.endpoint;
  config.journal->stageFinished({task.job, task.instance, seq}, std::move(s));
}

void Engine::journalJobEvent(const rt::JobEvent &je, const JobRecord &rec) {
  if (!config.journal)
    return;
  using K = rt::JobEvent::Kind;
  switch (je.kind) {
  case K::Expanded: config.journal->expanded({rec.id, je.instance, je.nodeId, je.structure, je.size}); break;
  case K::IterationStarted: config.journal->expanded({rec.id, je.instance, je.nodeId, "iteration", je.size}); break;
  case K::JobFinished:
  case K::JobFailed:
    // An interrupted job has not ended: a resume finishes it.
    if (!rec.interrupted)
      config.journal->jobEnded({rec.id, rec.ok, rec.result, rec.error, rec.arrival, rec.finish, rec.llmCalls,
                                rec.toolCalls, rec.tokensIn, rec.tokensOut});
    break;
  default: break;
  }
}

void Engine::failJournal(const std::string &error) {
  if (!journalFailure.empty())
    return;
  journalFailure = error;
  // Stop as after SIGINT, from the loop (not inside the caller's step).
  boost::asio::post(io, [this] { interrupt("the journal failed: " + journalFailure, false); });
}

void Engine::commitJournal() {
  if (!config.journal || !journalFailure.empty())
    return;
  if (llvm::Error e = config.journal->commit())
    failJournal(llvm::toString(std::move(e)));
}

void Engine::reportEnds() {
  if (endsToReport.empty())
    return;
  commitJournal();
  std::vector<std::function<void()>> ends = std::move(endsToReport);
  endsToReport.clear();
  for (std::function<void()> &report : ends)
    report();
}

void Engine::afterDurable(std::function<void()> action) {
  if (!config.journal) {
    action();
    return;
  }
  deferred.emplace_back(config.journal->commitAsync(), std::move(action));
  if (!awaitingCommit)
    awaitingCommit.emplace(io.get_executor());
}

void Engine::durableUpTo(uint64_t ticket, const std::string &error) {
  if (!error.empty())
    failJournal(error);
  durableTicket = std::max(durableTicket, ticket);
  runDurable(durableTicket);
  checkDone();
}

void Engine::runDurable(uint64_t ticket) {
  while (!deferred.empty() && deferred.front().first <= ticket) {
    std::function<void()> action = std::move(deferred.front().second);
    deferred.pop_front();
    action();
  }
  if (deferred.empty())
    awaitingCommit.reset();
}

void Engine::afterCommit(std::function<void(bool durable)> action) {
  afterDurable([this, action = std::move(action)] { action(journalFailure.empty()); });
}

void Engine::commitNow() {
  commitPending = false;
  if (!journalFailure.empty())
    return;
  uint64_t ticket = config.journal->commitAsync(); // durableUpTo hears of it
  // The ends written so far are reported once this commit is durable.
  for (std::function<void()> &report : endsToReport)
    deferred.emplace_back(ticket, std::move(report));
  endsToReport.clear();
  if (!deferred.empty() && !awaitingCommit)
    awaitingCommit.emplace(io.get_executor());
}

void Engine::requestCommit() {
  if (!config.journal)
    return;
  // With nothing in flight no later record can share the commit: waiting
  // out the window would only delay it (e.g. the last job's end).
  bool idle = config.journalWindow <= 0 || running.empty();
  if (commitPending && !(idle && windowArmed))
    return;
  commitPending = true;
  if (windowArmed) {
    windowArmed = false;
    commitTimer->cancel(); // its handler sees operation_aborted and does nothing
  }
  if (idle) {
    boost::asio::post(io, [this] { commitNow(); });
    return;
  }
  if (!commitTimer)
    commitTimer = std::make_unique<boost::asio::steady_timer>(io);
  windowArmed = true;
  commitTimer->expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(config.journalWindow)));
  commitTimer->async_wait([this](const boost::system::error_code &ec) {
    if (ec)
      return;
    windowArmed = false;
    commitNow();
  });
}

bool Engine::replayReady(rt::Job &job) {
  auto js = journaled.find(job.id());
  if (js == journaled.end() || !js->second.replay)
    return false;
  JournalState &st = js->second;
  JobRecord &rec = jobs[job.id()];
  bool any = false, progress = true;
  // Completing a task readies its users, whose results may be journaled too.
  while (progress && !job.done()) {
    progress = false;
    std::vector<rt::TaskId> ready = job.ready();
    for (rt::TaskId t : ready) {
      if (job.done())
        break;
      const rt::Task &task = job.task(t);
      auto seen = st.starts.find(task.instance);
      unsigned seq = (seen == st.starts.end() ? 0 : seen->second) + 1;
      auto it = st.replay->stages.find({task.instance, seq});
      if (it == st.replay->stages.end())
        continue;
      st.starts[task.instance] = seq;
      const journal::StageResult &r = it->second;
      job.markRunning(t);
      Event e;
      e.type = EventType::TaskReplayed;
      e.job = job.id();
      e.app = rec.app;
      e.node = task.nodeId;
      e.instance = task.instance;
      e.executor = r.llm ? "llm" : "regular";
      e.endpoint = r.endpoint;
      if (r.llm && task.node && task.node->llm)
        e.model = task.node->llm->model;
      e.tokensIn = r.tokensIn;
      e.tokensOut = r.tokensOut;
      e.attempts = r.attempts;
      e.error = r.error;
      emit(std::move(e));
      if (r.llm) {
        ++rec.llmCalls;
        rec.tokensIn += r.tokensIn.value_or(0);
        rec.tokensOut += r.tokensOut.value_or(0);
      } else {
        ++rec.toolCalls;
      }
      ++rec.replayed;
      job.complete(t, rt::TaskOutcome{r.ok, r.value, r.error});
      drainEvents(job, job.takeEvents());
      any = progress = true;
    }
  }
  return any;
}

JobRecord recordOf(const journal::JournaledJob &ended) {
  assert(ended.end && "a job that ended");
  const journal::JobEnd &e = *ended.end;
  JobRecord rec;
  rec.id = e.job;
  rec.app = ended.admission.app;
  rec.restored = true;
  rec.ok = e.ok;
  rec.result = e.result;
  rec.error = e.error;
  rec.arrival = e.arrival;
  rec.finish = e.finish;
  rec.llmCalls = e.llmCalls;
  rec.toolCalls = e.toolCalls;
  rec.tokensIn = e.tokensIn;
  rec.tokensOut = e.tokensOut;
  return rec;
}

rt::JobId Engine::restore(const journal::JournaledJob &ended, bool logEnd) {
  rt::JobId id = nextId++;
  JobRecord &rec = jobs[id] = recordOf(ended);
  rec.id = id;
  if (logEnd) {
    Event e;
    e.type = rec.ok ? EventType::JobFinished : EventType::JobFailed;
    e.job = id;
    e.app = rec.app;
    e.restored = true;
    if (rec.ok)
      e.result = rec.result;
    else
      e.error = rec.error;
    emit(std::move(e));
  }
  return id;
}

} // namespace llmflow::engine
