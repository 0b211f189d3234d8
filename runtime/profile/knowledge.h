// Scheduler knowledge (means per application and node) from profiles.
#pragma once

#include "profile/profile.h"
#include "sched/knowledge.h"

namespace llmflow::profile {

/// Means over the jobs that finished; nodes that never ran are absent.
sched::Knowledge buildKnowledge(const std::vector<JobProfile> &profiles);

} // namespace llmflow::profile
