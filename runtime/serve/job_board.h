// What the service knows of each job it admitted: status, result, tokens,
// timing and its recent events, and who is listening to them (Server-Sent
// Events). It is an event sink of the engine (every event of every job
// passes through it) and hears each job's end from the engine's record.
// Memory is bounded: a job keeps at most `maxEventsPerJob` events, and once
// more than `keepFinished` jobs have ended the oldest ended ones are
// forgotten (the `evict` hook lets the engine and the backend forget them
// too). Not for: deciding anything about jobs (the engine), HTTP (the service).
#pragma once

#include "engine/engine.h"
#include "engine/events.h"
#include "serve/http_server.h"

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace llmflow::serve {

enum class JobStatus { Queued, Running, Succeeded, Failed, Cancelled };
llvm::StringRef toString(JobStatus s);

struct BoardJob {
  rt::JobId id = 0;
  std::string app, idempotencyKey;
  JobStatus status = JobStatus::Queued;
  double submittedUnix = 0;           // wall clock, seconds since the epoch
  double arrival = -1, finish = -1;   // engine seconds
  llvm::json::Value result = nullptr;
  std::string error;
  uint64_t tokensIn = 0, tokensOut = 0;
  unsigned llmCalls = 0, toolCalls = 0;
  bool fromJournal = false;           // ended before this process started: no events
  std::string heldBy;                 // running on another process sharing the queue (host:pid)
  std::deque<std::string> events;     // JSON texts, oldest first
  bool eventsDropped = false;         // over the cap: the oldest were dropped
  std::vector<std::shared_ptr<Exchange>> listeners;
  std::vector<std::function<void(const BoardJob &)>> waiters; // called once when it ends
  bool ended() const { return status >= JobStatus::Succeeded; }
};

struct BoardLimits {
  size_t keepFinished = 1000;
  size_t maxEventsPerJob = 1000;
};

class JobBoard : public engine::EventSink {
public:
  explicit JobBoard(BoardLimits limits) : limits(limits) {}
  /// Called with a job being forgotten.
  std::function<void(rt::JobId)> evict;
  /// Called with every ended job (metrics).
  std::function<void(const BoardJob &)> onEnded;

  BoardJob &admitted(rt::JobId id, const std::string &app, const std::string &idempotencyKey);
  /// A job the engine restored as it ended in an earlier run.
  void restored(const engine::JobRecord &rec, const std::string &idempotencyKey);
  /// The engine's onJobDone.
  void ended(const engine::JobRecord &rec);
  void record(const engine::Event &e) override;

  BoardJob *find(rt::JobId id);
  /// The job admitted under a caller's idempotency key, if still known.
  BoardJob *findKey(const std::string &key);
  /// Streams the job's events to `x` as Server-Sent Events (what it kept
  /// first), ending when the job ends.
  void listen(BoardJob &job, std::shared_ptr<Exchange> x);
  /// Calls `then` when the job ends (at once if it has).
  void whenEnded(BoardJob &job, std::function<void(const BoardJob &)> then);
  /// Drops every listener and waiter (before the loop they belong to goes).
  void close();
  const std::map<rt::JobId, BoardJob> &all() const { return jobs; }
  size_t count(JobStatus s) const { return counts[unsigned(s)]; }

private:
  void setStatus(BoardJob &j, JobStatus s);
  void retire(BoardJob &j);
  BoardLimits limits;
  std::map<rt::JobId, BoardJob> jobs;
  std::map<std::string, rt::JobId> keys;
  std::deque<rt::JobId> finishedOrder;
  size_t counts[5] = {0, 0, 0, 0, 0};
};

/// A job that ended as `rec` says, on no board: one another process ran.
BoardJob endedElsewhere(const engine::JobRecord &rec, const std::string &idempotencyKey);

/// A job as the API shows it: {id, app, status, result?, error?, timing, tokens}.
llvm::json::Value toJSON(const BoardJob &j);

} // namespace llmflow::serve
