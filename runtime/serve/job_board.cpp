#include "serve/job_board.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <chrono>

namespace llmflow::serve {

llvm::StringRef toString(JobStatus s) {
  switch (s) {
  case JobStatus::Queued: return "queued";
  case JobStatus::Running: return "running";
  case JobStatus::Succeeded: return "succeeded";
  case JobStatus::Failed: return "failed";
  case JobStatus::Cancelled: return "cancelled";
  }
  return "unknown";
}

/// The reason a cancelled job carries, also in the journal (how a restart
/// tells a cancelled job from a failed one).
static constexpr llvm::StringLiteral kCancelled = "cancelled by the client";

static double unixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void JobBoard::setStatus(BoardJob &j, JobStatus s) {
  --counts[unsigned(j.status)];
  j.status = s;
  ++counts[unsigned(s)];
}

BoardJob &JobBoard::admitted(rt::JobId id, const std::string &app, const std::string &idempotencyKey) {
  BoardJob &j = jobs[id];
  j.id = id;
  j.app = app;
  j.idempotencyKey = idempotencyKey;
  j.submittedUnix = unixNow();
  ++counts[unsigned(j.status)];
  if (!idempotencyKey.empty())
    keys[idempotencyKey] = id;
  return j;
}

void JobBoard::restored(const engine::JobRecord &rec, const std::string &idempotencyKey) {
  BoardJob &j = admitted(rec.id, rec.app, idempotencyKey);
  j.fromJournal = true;
  j.submittedUnix = 0;
  ended(rec);
}

static void fill(BoardJob &j, const engine::JobRecord &rec) {
  j.arrival = rec.arrival;
  j.finish = rec.finish;
  j.result = rec.result;
  j.error = rec.error;
  j.tokensIn = rec.tokensIn;
  j.tokensOut = rec.tokensOut;
  j.llmCalls = rec.llmCalls;
  j.toolCalls = rec.toolCalls;
}

static JobStatus endStatus(const engine::JobRecord &rec) {
  bool cancelled = rec.cancelled || (!rec.ok && llvm::StringRef(rec.error).startswith(kCancelled));
  return rec.ok ? JobStatus::Succeeded : cancelled ? JobStatus::Cancelled : JobStatus::Failed;
}

BoardJob endedElsewhere(const engine::JobRecord &rec, const std::string &idempotencyKey) {
  BoardJob j;
  j.id = rec.id;
  j.app = rec.app;
  j.idempotencyKey = idempotencyKey;
  j.fromJournal = true;
  fill(j, rec);
  j.status = endStatus(rec);
  return j;
}

void JobBoard::ended(const engine::JobRecord &rec) {
  auto it = jobs.find(rec.id);
  if (it == jobs.end() || rec.interrupted)
    return; // an interrupted job has not ended: the next start resumes it
  BoardJob &j = it->second;
  fill(j, rec);
  setStatus(j, endStatus(rec));
  for (auto &x : j.listeners)
    x->end();
  j.listeners.clear();
  for (auto &w : std::exchange(j.waiters, {}))
    w(j);
  if (onEnded)
    onEnded(j);
  finishedOrder.push_back(j.id);
  while (finishedOrder.size() > limits.keepFinished) {
    rt::JobId old = finishedOrder.front();
    finishedOrder.pop_front();
    auto o = jobs.find(old);
    if (o == jobs.end())
      continue;
    --counts[unsigned(o->second.status)];
    if (!o->second.idempotencyKey.empty())
      keys.erase(o->second.idempotencyKey);
    jobs.erase(o);
    if (evict)
      evict(old);
  }
}

static std::string sseFrame(llvm::StringRef data) { return "data: " + data.str() + "\n\n"; }

void JobBoard::record(const engine::Event &e) {
  if (!e.job)
    return;
  auto it = jobs.find(e.job);
  if (it == jobs.end())
    return;
  BoardJob &j = it->second;
  using T = engine::EventType;
  if ((e.type == T::TaskDispatched || e.type == T::TaskReplayed) && j.status == JobStatus::Queued)
    setStatus(j, JobStatus::Running);
  if (e.type == T::TaskFinished || e.type == T::TaskFailed || e.type == T::TaskReplayed) {
    j.tokensIn += e.tokensIn.value_or(0);
    j.tokensOut += e.tokensOut.value_or(0);
  }
  std::string line = engine::eventLine(e);
  for (auto &x : j.listeners)
    x->send(sseFrame(line));
  j.events.push_back(std::move(line));
  if (j.events.size() > limits.maxEventsPerJob) {
    j.events.pop_front();
    j.eventsDropped = true;
  }
}

BoardJob *JobBoard::find(rt::JobId id) {
  auto it = jobs.find(id);
  return it == jobs.end() ? nullptr : &it->second;
}

BoardJob *JobBoard::findKey(const std::string &key) {
  auto it = keys.find(key);
  return it == keys.end() ? nullptr : find(it->second);
}

void JobBoard::listen(BoardJob &job, std::shared_ptr<Exchange> x) {
  x->openStream();
  if (job.eventsDropped)
    x->send(": older events of this job were dropped (the service keeps the last ones)\n\n");
  for (const std::string &line : job.events)
    x->send(sseFrame(line));
  if (job.ended()) {
    if (job.fromJournal) // an earlier process ran it: its end is all there is
      x->send(sseFrame(llvm::formatv("{0}", toJSON(job)).str()));
    x->end();
    return;
  }
  // Forget listeners that left, so a job polled by many clients stays small.
  llvm::erase_if(job.listeners, [](const std::shared_ptr<Exchange> &l) { return l->gone(); });
  job.listeners.push_back(std::move(x));
}

void JobBoard::whenEnded(BoardJob &job, std::function<void(const BoardJob &)> then) {
  if (job.ended())
    return then(job);
  job.waiters.push_back(std::move(then));
}

void JobBoard::close() {
  for (auto &[id, j] : jobs) {
    j.listeners.clear();
    j.waiters.clear();
  }
}

llvm::json::Value toJSON(const BoardJob &j) {
  llvm::json::Object o{{"id", int64_t(j.id)}, {"app", j.app}, {"status", toString(j.status)}};
  if (j.status == JobStatus::Succeeded)
    o["result"] = j.result;
  if (j.status == JobStatus::Failed || j.status == JobStatus::Cancelled)
    o["error"] = j.error;
  llvm::json::Object timing;
  if (j.submittedUnix > 0)
    timing["submitted_unix"] = j.submittedUnix;
  if (j.arrival >= 0 && j.finish >= 0)
    timing["jct_seconds"] = j.finish - j.arrival;
  o["timing"] = std::move(timing);
  o["tokens"] = llvm::json::Object{{"in", int64_t(j.tokensIn)}, {"out", int64_t(j.tokensOut)}};
  o["calls"] = llvm::json::Object{{"llm", int64_t(j.llmCalls)}, {"tool", int64_t(j.toolCalls)}};
  if (!j.idempotencyKey.empty())
    o["idempotency_key"] = j.idempotencyKey;
  return o;
}

} // namespace llmflow::serve
