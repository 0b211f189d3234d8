// Naming a stage in a test file: "gen", "codegen/gen", "fix#2" (its second
// call), "plan.steps/search", optionally followed by a path into its value
// ("first.passed", "fix#2.code", "hits.0.url"). A name resolves to the one
// task node (LLM or tool stage, plan steps included) whose id is the name or
// ends in "/NAME"; none or several is an error that lists the candidates.
#pragma once

#include "ir/ir.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace llmflow::testing {

struct StageRef {
  std::string nodeId;               // the stable IR node id
  unsigned call = 0;                // 1-based; 0 = every call (replies) / the last call (values)
  std::vector<std::string> path;    // fields or list indices into the value
  std::string text;                 // as written, for messages
};

/// Parses `text` against the module (paths allowed when `allowPath`).
llvm::Expected<StageRef> parseStageRef(llvm::StringRef text, const ir::Module &m, bool allowPath);

/// The task nodes (LLM and Regular, in every graph, plan step templates
/// included), for resolution and for listing candidates.
std::vector<const ir::Node *> taskNodes(const ir::Module &m);

} // namespace llmflow::testing
