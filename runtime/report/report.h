// The report library: turns a run's event log (docs/events.md) — and, when
// given, the program's IR and a simulator comparison (`simulate --json`) —
// into one self-contained HTML page that opens in any browser without a
// network: the application's DAG, a timeline of every job's stages (queue
// wait and run time), the distribution of job completion times, per-stage
// duration and token tables, the failures with their reasons, and the
// schedulers side by side. Everything is inline (SVG, CSS, a little script
// for sorting tables); nothing is fetched. Libraries never print: the page
// is returned as a string, and the CLI (`llmflow report`) writes it.
#pragma once

#include "engine/events.h"
#include "ir/ir.h"

#include "llvm/Support/JSON.h"

#include <optional>
#include <string>
#include <vector>

namespace llmflow::report {

struct ReportInput {
  std::string title;                            // e.g. the event log's file name
  std::vector<engine::Event> events;            // may be empty (a simulation-only report)
  const ir::Module *module = nullptr;           // for the DAG (optional)
  std::string app;                              // the application to draw ("" = the log's)
  std::optional<llvm::json::Value> simulation;  // `simulate --json` output (optional)
  unsigned maxTimelineJobs = 60;                // later jobs are summarised, not drawn
};

/// The HTML page. Never fails: missing parts are left out with a note.
std::string renderReport(const ReportInput &in);

} // namespace llmflow::report
