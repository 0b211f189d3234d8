// Plans: what a planner's LLM answers, checked against the planner's
// declared contract (allowed tools, max steps, argument types, acyclic
// `after` edges) before any of it runs, then turned into a sub-graph whose
// nodes are instances of the planner's template step nodes.
#pragma once

#include "core/eval.h"
#include "ir/ir.h"

#include <memory>

namespace llmflow::rt {

struct PlanStep {
  int64_t id = 0;
  std::string tool;             // qualified tool or app name
  llvm::json::Object args;
  std::vector<int64_t> after;
};

/// Parses and validates a plan. The value may be the JSON object
/// {"steps": [...]} or a string holding it. Errors say what is wrong and
/// where ("step 2: tool 'rm' is not one of search, calc").
llvm::Error parsePlan(const Value &plan, const ir::DynamicPayload &planner, const ir::Module &m,
                      std::vector<PlanStep> &steps);

/// How many steps each template node of the planner got, in template order
/// (0 for the tools the plan did not pick): all the plan reveals about the
/// sub-workflow's shape besides its edges.
std::vector<std::pair<std::string, int64_t>> stepsPerTemplate(const std::vector<PlanStep> &steps,
                                                              const ir::DynamicPayload &planner);

/// The plan's sub-graph: node "TEMPLATE#ID" per step, deps from `after`.
std::unique_ptr<ir::Graph> buildPlanGraph(const std::vector<PlanStep> &steps, const ir::DynamicPayload &planner,
                                          std::vector<std::shared_ptr<ir::DynamicPayload>> &payloads);

} // namespace llmflow::rt
