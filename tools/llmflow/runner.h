// Shared set-up of the run-time commands (run, batch, profile, serve): configuration,
// executors for the chosen backend, scheduler, behaviour models, engine. One
// engine and one scheduler run the applications of one program (run, batch,
// profile) or of several (serve); tools, behaviour models and networks stay
// each program's own.
#pragma once

#include "app_loader.h"
#include "run_scheduler.h"
#include "engine/config.h"
#include "engine/engine.h"
#include "engine/events.h"
#include "journal/journal.h"
#include "sched/llmsched.h"

#include <boost/asio/io_context.hpp>

#include <memory>

namespace llmflow::cache { class CallCache; class CachingExecutor; }
namespace llmflow::behave { struct BehaviourModel; class JobBehaviour; }
namespace llmflow::engine { class SimTaskModel; }

namespace llmflow::cli {

/// The options run and batch share.
std::vector<OptionSpec> runOptions();
/// --journal, --resume, --journal-sync, --cache (run and batch).
std::vector<OptionSpec> journalOptions();

struct RunnerOptions {
  /// Keep the events in memory() (otherwise only for --trace or --otlp).
  bool keepEvents = false;
  /// A service (serve): the caller handles signals, and --journal FILE is
  /// resumed when it exists (there is no --resume flag).
  bool service = false;
  /// Also sends every event here (not owned).
  engine::EventSink *extraSink = nullptr;
};

class Runner {
public:
  ~Runner();
  /// Builds everything for the applications of `programs` (each the one
  /// it names, or all of its own); prints the problem and returns null on
  /// failure. Events not kept in memory() go to --events, if given, and are
  /// not retained.
  static std::unique_ptr<Runner> create(const Args &args, std::vector<LoadedApp> programs, int *exitCode,
                                        RunnerOptions options = {});
  /// The same for one program.
  static std::unique_ptr<Runner> create(const Args &args, LoadedApp program, int *exitCode,
                                        RunnerOptions options = {});

  /// Submits the next job, of `app` (one of apps()). Resuming (--resume), a
  /// job the journal says ended is restored as it ended instead, and one
  /// that did not is replayed.
  rt::JobId submit(const ir::App &app, llvm::json::Object inputs, double delay,
                   const std::string &idempotencyKey = "");
  /// The same, of the run's only application (run, batch, profile).
  rt::JobId submit(llvm::json::Object inputs, double delay, const std::string &idempotencyKey = "") {
    assert(runApps.size() == 1 && "a run of one application");
    return submit(*runApps[0].app, std::move(inputs), delay, idempotencyKey);
  }
  /// Runs a job a shared queue claimed (serve on PostgreSQL) under its
  /// number there, replaying what was journaled of it; `job` must outlive it
  /// and be of one of apps().
  rt::JobId submitClaimed(const journal::JournaledJob &job);
  /// Every application run, program by program.
  llvm::ArrayRef<RunApp> apps() const { return runApps; }
  /// The application run of that name, or null.
  const RunApp *find(llvm::StringRef app) const;
  /// What the journal held at start (resuming; empty otherwise).
  const journal::JournalContents &journaled() const { return earlier; }
  /// Frees what the simulated backend kept for a job that has ended.
  void release(rt::JobId id);
  /// Resuming: checks that the journal's jobs are this run's, i.e. job N
  /// had the inputs `inputsOf(N)` (N from 1 to `jobs`), and an app run now.
  llvm::Error checkResume(unsigned jobs, llvm::function_ref<const llvm::json::Object &(unsigned)> inputsOf) const;
  /// Says what the journal stopped (on stderr) and returns true if it did.
  bool journalFailed() const;
  /// Says (on stderr) if the call cache could not be read or written during
  /// the run; the run's results do not depend on it.
  void warnCache() const;
  void run() { engine->run(); }
  engine::Engine &eng() { return *engine; }
  boost::asio::io_context &ioContext() { return io; }
  engine::MemorySink &memory() { return mem; }
  const engine::RunConfig &config() const { return cfg; }
  /// The (first) program: run, batch and profile have one.
  const LoadedApp &application() const { return progs.front()->loaded; }
  std::string schedulerName() const;
  /// Writes --trace and --otlp if asked; false on I/O failure.
  bool writeTrace();

private:
  Runner() = default;
  /// One program of the run, with what the simulated backend keeps of it.
  struct Program {
    LoadedApp loaded;
    std::unique_ptr<behave::BehaviourModel> behaviour;
    std::unique_ptr<engine::SimTaskModel> simModel;
  };
  rt::JobId start(rt::JobId id, const ir::App &app, llvm::json::Object inputs, double delay,
                  const journal::JournaledJob *before, const std::string &idempotencyKey);
  std::vector<std::unique_ptr<Program>> progs; // where nothing moves: the engine and executors point into them
  std::vector<RunApp> runApps;
  engine::RunConfig cfg;
  boost::asio::io_context io;
  std::unique_ptr<engine::EngineClock> clock;
  RunScheduler scheduling;
  std::map<rt::JobId, std::unique_ptr<behave::JobBehaviour>> jobBehaviours; // by job, while it runs
  rt::JobId submitted = 0; // by submit()
  std::unique_ptr<engine::TaskExecutor> llmExec, toolExec;
  std::unique_ptr<cache::CallCache> callCache;           // --cache
  std::unique_ptr<cache::CachingExecutor> cached[2];     // in front of llmExec, toolExec

  engine::MemorySink mem;
  std::unique_ptr<engine::EventSink> verbose;
  std::unique_ptr<engine::JSONLSink> file;
  std::unique_ptr<OutputFile> trace, otlp; // --trace, --otlp: created before the run
  engine::TeeSink tee;
  std::unique_ptr<journal::Journal> journal;
  journal::JournalContents earlier; // --resume: what the journal held at start
  /// Resuming with --events: the jobs whose end the log already has. A job
  /// the journal says ended and the log does not gets its end logged now.
  std::optional<std::set<uint64_t>> loggedEnds;
  std::unique_ptr<engine::Engine> engine;
};

} // namespace llmflow::cli
