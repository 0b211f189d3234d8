// The Bayesian network's variables for one application, derived from its
// IR: a duration variable per node (in IR order, callees' nodes after the
// call that runs them) and a structure variable per Dynamic node; and the
// training data built from profiles over those variables.
#pragma once

#include "bn/bn.h"
#include "ir/ir.h"
#include "profile/profile.h"

#include "llvm/ADT/StringMap.h"

namespace llmflow::estimate {

/// Where a node sits: which enclosing Dynamic nodes decide whether and how
/// often it runs. Used to know when a node's total duration is final.
struct NodeInfo {
  const ir::Node *node = nullptr;
  unsigned order = 0;
  /// Nearest enclosing loop, map or planner (its instances repeat), "" if none.
  std::string repeatOwner;
  /// Nearest enclosing branch and the arm this node is in (-1 if none).
  std::string branch;
  int arm = -1;
  /// The structure kind of a Dynamic node ("", "branch", "iterations", "expansion_size").
  std::string structure;
};

/// The variable holding a job's completion time (no node of its own).
inline constexpr const char *kTotalVariable = "#total";

struct AppModel {
  std::string app;
  std::vector<bn::VariableSpec> specs;
  llvm::StringMap<NodeInfo> nodes;      // by node id
};

AppModel appModel(const ir::Module &m, const ir::App &app);

/// One row per profiled job (failed jobs skipped). Errors name profiles that
/// do not match the program.
llvm::Expected<bn::Dataset> dataset(const AppModel &am, const std::vector<profile::JobProfile> &profiles);

} // namespace llmflow::estimate
