// The scheduler of a run (run, batch, profile, serve) over the applications
// it runs, from one program or several: --scheduler, --profile (profiles of
// any of them), each application's trained network (--bn, or APP.bn.json or
// bn.json beside its program) and --policy. One scheduler for all of them,
// so that LLMSched sees the whole load. Not for: building the executors or
// the engine (runner.h).
#pragma once

#include "app_loader.h"
#include "estimate/bn_estimator.h"
#include "sched/llmsched.h"
#include "sched/scheduler.h"

#include <memory>

namespace llmflow::sched { struct Knowledge; }

namespace llmflow::cli {

/// An application a run runs, and the program it belongs to.
struct RunApp {
  const LoadedApp *program = nullptr;
  const ir::App *app = nullptr;
};

/// The scheduler and what it reads (it holds references into this: it
/// must stay where it was built).
struct RunScheduler {
  std::unique_ptr<sched::Knowledge> knowledge;
  std::vector<std::unique_ptr<estimate::AppBN>> networks, independents;
  sched::LLMSchedOptions knobs;
  std::unique_ptr<sched::Scheduler> scheduler;
  RunScheduler();
  ~RunScheduler();
};

/// Builds `out` for `apps` with the flags in `args`; prints the problem and
/// returns false (with the exit status in `exitCode`) on failure.
bool makeRunScheduler(const Args &args, llvm::ArrayRef<RunApp> apps, uint64_t seed, RunScheduler &out,
                      int *exitCode);

} // namespace llmflow::cli
