// LLMSched's knobs as command-line flags (--epsilon, --partial, --bins,
// --max-parents, --descendants, --aggregation, --training-jobs), shared by
// run, batch and simulate so each spells and checks them the same way.
#pragma once

#include "cli.h"
#include "estimate/knobs.h"

namespace llmflow::cli {

/// The flags; `training` adds those that only apply where networks are
/// trained (bins, max parents, training jobs).
std::vector<OptionSpec> knobOptions(bool training);

/// Applies the flags given; prints "llmflow COMMAND: ..." and returns false on a bad value.
bool applyKnobFlags(const Args &args, estimate::Knobs &k, llvm::StringRef command);

} // namespace llmflow::cli
