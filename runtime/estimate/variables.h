// The Bayesian network's variables for one application, derived from its
// IR (docs/bn.md, "Variables"), and the training data built from profiles
// over them:
//  - a duration variable per Regular and LLM node: its duration in a job,
//    or, for a node that runs a number of times decided at run time (inside
//    a loop, map or planner), the mean duration of one of its instances;
//  - a structure variable per Dynamic node (branch arm, loop iterations,
//    map or plan size);
//  - a count variable "NODE#count" for a repeated node whose number of
//    instances is not its loop's or map's structure value (a planner's
//    tools, stages under a branch inside a loop);
//  - an input feature variable "#in/NAME" per input that has one
//    (core/features.h);
//  - "#total", the job's completion time.
// Each variable also names the parents the program's structure implies
// (seed edges for the structure search).
#pragma once

#include "bn/bn.h"
#include "ir/ir.h"
#include "profile/profile.h"

#include "llvm/ADT/StringMap.h"

namespace llmflow::estimate {

/// Where a node sits and how often it runs.
struct NodeInfo {
  const ir::Node *node = nullptr;
  unsigned index = 0;                 // position in AppModel::order
  /// The variable that holds the node's number of instances: "" when the
  /// node runs at most once per job (0 = ABSENT), its own "NODE#count", or
  /// its loop's or map's "LOOP#structure".
  std::string countVar;
  bool ownCount = false;              // countVar is this node's own "#count"
  /// The enclosing Dynamic nodes, outermost first, with the arm (branch) or
  /// -1: what decides whether and how often the node runs.
  std::vector<std::pair<std::string, int>> owners;
  /// The structure kind of a Dynamic node ("", "branch", "iterations", "expansion_size").
  std::string structure;

  bool repeated() const { return !countVar.empty(); }
  /// A Regular or LLM node: its instances are tasks that take time.
  bool work() const { return node && !node->dynamic; }
};

/// The variable holding a job's completion time (no node of its own).
inline constexpr const char *kTotalVariable = "#total";
/// Suffixes of a node's other variables.
inline constexpr const char *kStructureSuffix = "#structure";
inline constexpr const char *kCountSuffix = "#count";

struct AppModel {
  std::string app;
  std::vector<bn::VariableSpec> specs;
  llvm::StringMap<NodeInfo> nodes;      // by node id
  std::vector<std::string> order;       // node ids in IR order (NodeInfo::index)
  /// Input name -> its feature variable, for the inputs that have one.
  std::vector<std::pair<std::string, std::string>> features;
};

AppModel appModel(const ir::Module &m, const ir::App &app);

/// One row per profiled job (failed jobs skipped). Errors name profiles that
/// do not match the program.
llvm::Expected<bn::Dataset> dataset(const AppModel &am, const std::vector<profile::JobProfile> &profiles);

} // namespace llmflow::estimate
