// --policy POLICY.json: the trained Decima policy that `--scheduler decima`
// runs (simulate, batch, run), read and checked against the applications
// it will schedule.
#pragma once

#include "cli.h"

#include "ir/ir.h"
#include "sched/scheduler.h"

#include <functional>
#include <memory>

namespace llmflow::cli {

OptionSpec policyOption();

/// Reads the policy at `path` and checks it was trained for every one of
/// `apps`; on success sets `factory` (for SchedulerContext::decima). Prints
/// the problem and returns false otherwise (exit status 3).
bool loadPolicyFlag(const std::string &path, const std::vector<std::pair<const ir::Module *, const ir::App *>> &apps,
                    std::function<std::unique_ptr<sched::Scheduler>()> &factory);

} // namespace llmflow::cli
