// Lowering: a checked program to the DAG IR. Runs only on programs without
// errors, so anything unexpected here is a compiler bug (assert), not a
// diagnostic.
#pragma once

#include "ir/ir.h"
#include "sema/sema.h"

#include "llvm/Support/SourceMgr.h"

namespace llmflow::lower {

ir::Module lower(const sema::CheckedProgram &program, const llvm::SourceMgr &sm);

/// The JSON schema a planner's reply must follow: a list of steps, each
/// naming one allowed tool with its arguments and the steps it waits for.
llvm::json::Value planSchema(const std::vector<std::string> &tools, unsigned maxSteps);

} // namespace llmflow::lower
