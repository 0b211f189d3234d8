// What a simulated task produces and how long it takes, independent of any
// clock: shared by the simulated backend (real time) and the simulator
// (virtual time), so both see the same behaviour for the same job.
#pragma once

#include "behave/draw.h"
#include "core/job.h"
#include "engine/executor.h"
#include "exec/builtins.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/ErrorHandling.h"

namespace llmflow::engine {

struct SimLLMDraw {
  rt::TaskOutcome outcome;
  unsigned tokensIn = 0, tokensOut = 0;
};

struct SimToolDraw {
  ExecResult result;
  double seconds = 0;     // latency including failed attempts and backoff
};

/// One program's: its tasks' values come from its module (planners' steps)
/// and builtins (data folder).
class SimTaskModel {
public:
  SimTaskModel(const ir::Module &module, exec::BuiltinContext builtins);
  SimLLMDraw llm(const rt::Task &task, behave::JobDraw &jb) const;
  SimToolDraw tool(const rt::Task &task, behave::JobDraw &jb) const;
  const ir::Module &program() const { return module; }

  /// The model of a job's program among those of a run (several programs
  /// may share an engine); it must be there.
  static const SimTaskModel &of(llvm::ArrayRef<const SimTaskModel *> models, const rt::Job &job) {
    for (const SimTaskModel *m : models)
      if (&m->module == &job.program())
        return *m;
    llvm_unreachable("every program whose jobs run has a task model");
  }

private:
  const ir::Module &module;
  exec::BuiltinContext builtins;
  llvm::StringMap<const ir::Node *> plannerSteps;   // planner LLM node id -> its steps node
};

} // namespace llmflow::engine
