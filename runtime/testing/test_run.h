// Running one test case: the job on an engine (FCFS, real time) whose LLM
// executor answers from the case's canned replies and whose tool executor
// answers from them too, else really runs the tool (processes, HTTP,
// builtins); then every expectation is checked against the job's record and
// the values its stages produced (from the event log's content).
#pragma once

#include "engine/engine.h"
#include "engine/real_executors.h"
#include "exec/builtins.h"
#include "testing/test_file.h"

#include <string>
#include <vector>

namespace llmflow::testing {

struct Failure {
  std::string what;      // "result", "stage 'first' call 1 .passed", "calls of 'fix_round/fix'", "status"
  std::string expected;
  std::string actual;
};

struct CaseResult {
  std::string name;
  bool passed = false;
  std::vector<Failure> failures;
  double seconds = 0;
  engine::JobRecord record;
  /// Each stage's values by call, in dispatch order; nothing for a call that
  /// failed or did not finish.
  std::map<std::string, std::vector<std::optional<llvm::json::Value>>> values;
};

struct RunOptions {
  std::string workDir;                 // where tool processes run (the program's folder)
  exec::BuiltinContext builtins;
  engine::ToolLimits tools;            // grace period, reachable addresses (default: public only)
  engine::EventSink *events = nullptr; // also record the run's events here (may be null)
};

CaseResult runCase(const TestCase &tc, const ir::Module &module, const ir::App &app, const RunOptions &opts);

/// Multiplies every stage's timeout by `factor`: a test checks what a
/// program does, and a loaded machine should not make its real tools time out.
void stretchTimeouts(ir::Module &module, double factor);

} // namespace llmflow::testing
