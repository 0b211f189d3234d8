// Chrome trace event JSON (opens in Perfetto and chrome://tracing) from an
// event log: one process per job, one track per concurrently running task.
#pragma once

#include "engine/events.h"

#include <string>
#include <vector>

namespace llmflow::engine {

std::string chromeTrace(const std::vector<Event> &events);

} // namespace llmflow::engine
