// The event log: an append-only record of everything that happens to jobs
// and tasks. It is the single source for traces, profiles (the Bayesian
// network's training data). Resuming reads the journal (journal/journal.h). One JSON object per line;
// the fields are documented in docs/events.md.
#pragma once

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace llmflow::engine {

enum class EventType {
  RunStarted, JobSubmitted, JobFinished, JobFailed,
  TaskReady, TaskDispatched, TaskFirstToken, TaskFinished, TaskFailed, TaskRetried,
  Expanded, TaskReplayed,
};
llvm::StringRef toString(EventType t);

struct Event {
  EventType type = EventType::RunStarted;
  double t = 0;                         // seconds since the run started (simulated seconds with --time-scale)
  uint64_t job = 0;
  std::string app;
  std::string node;                     // stable IR node id
  std::string instance;                 // node instance (loop iteration, map item, plan step)
  std::string executor;                 // "llm" | "regular"
  std::string endpoint;                 // endpoint or worker that ran it
  std::string model;                    // LLM task: the model the program names
  std::optional<unsigned> tokensIn, tokensOut;
  unsigned attempts = 0;
  std::optional<bool> cacheHit;         // TaskFinished / TaskFailed: the call cache answered it, or missed
  std::string structure;                // Expanded: branch | iterations | expansion_size
  int64_t size = 0;
  std::string error;
  std::optional<llvm::json::Value> result; // JobFinished
  /// JobFinished / JobFailed: the end was journaled by an earlier run that
  /// was killed before logging it; a resumed run logs it (Engine::restore).
  bool restored = false;
  std::optional<llvm::json::Value> extra;  // RunStarted: run configuration
  /// JobSubmitted: the job's input features (core/features.h), by input name.
  std::map<std::string, double> features;
  /// TaskFinished / TaskFailed with content recording on (--log-content): the
  /// request, the raw response, the tool's stderr and the stage's value.
  std::optional<llvm::json::Value> content;
};

llvm::json::Value toJSON(const Event &e);
/// One JSONL line (no newline), times with microsecond precision.
std::string eventLine(const Event &e);
llvm::Expected<Event> eventFromJSON(const llvm::json::Value &v);
/// The jobs that have a job_finished or job_failed line in the event log at
/// `path` (none if there is no such file). Lines that are not events are
/// skipped: this reads a log a killed run may have left.
llvm::Expected<std::set<uint64_t>> jobsEndedInLog(llvm::StringRef path);

class EventSink {
public:
  virtual ~EventSink() = default;
  virtual void record(const Event &e) = 0;
};

/// Writes each event as a line and flushes, so a crash loses nothing.
/// Without `withContent` the events' content is left out (other sinks of the
/// same run, e.g. a verbose display, may still see it).
class JSONLSink : public EventSink {
public:
  explicit JSONLSink(std::unique_ptr<llvm::raw_fd_ostream> os, bool withContent = true)
      : os(std::move(os)), withContent(withContent) {}
  void record(const Event &e) override;
private:
  std::unique_ptr<llvm::raw_fd_ostream> os;
  bool withContent;
};

/// Keeps events in memory (traces, summaries, tests).
class MemorySink : public EventSink {
public:
  void record(const Event &e) override { events.push_back(e); }
  std::vector<Event> events;
};

/// Sends every event to several sinks.
class TeeSink : public EventSink {
public:
  void add(EventSink *s) { sinks.push_back(s); }
  void record(const Event &e) override {
    for (EventSink *s : sinks)
      s->record(e);
  }
private:
  std::vector<EventSink *> sinks;
};

/// Reads a JSONL event log; errors name the line.
llvm::Expected<std::vector<Event>> readEventLog(llvm::StringRef path);

} // namespace llmflow::engine
