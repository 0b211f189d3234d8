// The report's pictures, each an inline <svg> element. Internal to the
// report library.
#pragma once

#include "ir/ir.h"
#include "report/run_data.h"

#include <map>
#include <string>
#include <vector>

namespace llmflow::report {

/// The module's applications, `app` first; `stats` (may be null) adds each
/// stage's calls and durations to its tooltip.
std::string dagSvg(const ir::Module &m, llvm::StringRef app, const std::map<std::string, StageStats> *stats);

/// One band per job (at most `maxJobs`), a lane per concurrent task: queue
/// wait as a light bar, run time as a solid one (LLM, tool, failed).
std::string timelineSvg(const RunData &d, unsigned maxJobs);

/// A histogram of `values` (seconds) with p50/p95/p99 marks.
std::string histogramSvg(const std::vector<double> &sortedValues, llvm::StringRef what);

/// Empirical CDFs of several series (e.g. JCTs per scheduler).
std::string cdfSvg(const std::vector<std::pair<std::string, std::vector<double>>> &sortedSeries);

} // namespace llmflow::report
