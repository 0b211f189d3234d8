// A short human-readable summary of a module's DAG IR (for the terminal;
// --emit=summary). Not a stable format: scripts should read the JSON.
#pragma once

#include "ir/ir.h"

#include <string>

namespace llmflow::ir {

std::string writeSummary(const Module &m);

} // namespace llmflow::ir
