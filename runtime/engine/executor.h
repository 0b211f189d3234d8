// What the engine needs from an executor pool: run one task to completion
// (retries included) and call back on the engine's io_context thread, and
// stop a running task early (a failed job's siblings, an interrupted run).
#pragma once

#include "core/job.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace llmflow::engine {

/// What a task exchanged with the outside world, recorded for
/// --log-content when the executor is asked to: the request as rendered (LLM:
/// the chat-completions body, never its headers or credentials; tool: argv
/// and stdin, or method, URL and body, or a builtin's arguments) and the raw
/// reply (the model's text; a tool's stdout and stderr, or the HTTP body).
struct Transcript {
  llvm::json::Value request = nullptr;
  std::string response;
  std::string stderrText;
};

struct ExecResult {
  rt::TaskOutcome outcome;
  std::optional<Transcript> transcript;  // only when the executor records content
  std::optional<unsigned> tokensIn, tokensOut;
  unsigned attempts = 1;
  std::string endpoint;                  // which endpoint / worker ran it
  std::optional<double> firstTokenAt;    // engine-clock time of the first token (LLM)
  /// Whether the call cache answered it (true) or was asked and did not
  /// (false); unset when no cache was asked (runtime/cache).
  std::optional<bool> cacheHit;
};

using ExecCallback = std::function<void(ExecResult)>;

class TaskExecutor {
public:
  virtual ~TaskExecutor() = default;
  /// Starts the task. `job` stays alive until the callback has run.
  virtual void run(const rt::Task &task, rt::Job &job, ExecCallback done) = 0;
  /// Stops a running task (requests cancelled, tool processes sent TERM,
  /// then KILL after the grace period). Its callback still runs, soon, with
  /// a failed outcome. Unknown or finished tasks are ignored.
  virtual void cancel(rt::JobId job, rt::TaskId task) = 0;
  /// A short name for logs ("sim-llm", "http-llm", "process", ...).
  virtual std::string name() const = 0;
  /// Fill ExecResult::transcript (off by default: prompts and outputs can be
  /// large, and they are the user's data).
  void setRecordContent(bool on) { recordContent = on; }

protected:
  bool recordContent = false;
};

/// The engine's clock as executors see it: seconds since the run started,
/// scaled by --time-scale for simulated backends (engine seconds per real
/// second).
class EngineClock {
public:
  explicit EngineClock(double scale = 1) : scale(scale), start(std::chrono::steady_clock::now()) {}
  double now() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() * scale;
  }
  /// Real seconds to wait for `seconds` of engine time.
  double realDelay(double seconds) const { return seconds / scale; }
  double timeScale() const { return scale; }

private:
  double scale;
  std::chrono::steady_clock::time_point start;
};

} // namespace llmflow::engine
