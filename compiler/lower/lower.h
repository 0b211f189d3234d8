// Lowering: a checked program to the DAG IR. Runs only on programs without
// errors, so anything unexpected here is a compiler bug (assert), not a
// diagnostic.
#pragma once

#include "ir/ir.h"
#include "sema/sema.h"

#include "llvm/Support/SourceMgr.h"

namespace llmflow::lower {

ir::Module lower(const sema::CheckedProgram &program, const llvm::SourceMgr &sm);

/// One tool (or application) a planner may use, with its parameters.
struct PlanTool {
  std::string name;
  std::vector<ir::Param> params;   // a defaultValue marks an optional argument
};

/// The JSON schema a planner's reply must follow: a list of steps, each
/// naming one allowed tool with arguments typed by that tool's parameters,
/// and the earlier steps it waits for.
llvm::json::Value planSchema(const std::vector<PlanTool> &tools, unsigned maxSteps, const ir::Module &m);

} // namespace llmflow::lower
