// What a simulated task produces and how long it takes, independent of any
// clock: shared by the simulated backend (real time) and the simulator
// (virtual time), so both see the same behaviour for the same job.
#pragma once

#include "behave/draw.h"
#include "core/job.h"
#include "engine/executor.h"
#include "exec/builtins.h"

#include "llvm/ADT/StringMap.h"

namespace llmflow::engine {

struct SimLLMDraw {
  rt::TaskOutcome outcome;
  unsigned tokensIn = 0, tokensOut = 0;
};

struct SimToolDraw {
  ExecResult result;
  double seconds = 0;     // latency including failed attempts and backoff
};

class SimTaskModel {
public:
  SimTaskModel(const ir::Module &module, exec::BuiltinContext builtins);
  SimLLMDraw llm(const rt::Task &task, behave::JobDraw &jb) const;
  SimToolDraw tool(const rt::Task &task, behave::JobDraw &jb) const;

private:
  const ir::Module &module;
  exec::BuiltinContext builtins;
  llvm::StringMap<const ir::Node *> plannerSteps;   // planner LLM node id -> its steps node
};

} // namespace llmflow::engine
