// llmflow report EVENTS.jsonl -o report.html: one self-contained HTML page of
// a run (runtime/report): DAG, per-job timeline, JCT distribution, stage
// tables, failures; with --simulation, the schedulers compared.
#include "app_loader.h"
#include "commands.h"

#include "report/otlp.h"
#include "report/report.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

namespace llmflow::cli {

/// A `simulate --json` file: one JSON object with "results".
static std::optional<llvm::json::Value> readSimulation(const std::string &path, std::string &why) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf) {
    why = "cannot read '" + path + "': " + buf.getError().message();
    return std::nullopt;
  }
  auto v = llvm::json::parse((*buf)->getBuffer());
  if (!v) {
    why = path + ": " + llvm::toString(v.takeError());
    return std::nullopt;
  }
  if (!v->getAsObject() || !v->getAsObject()->getArray("results")) {
    why = path + ": not the output of 'llmflow simulate --json' (no \"results\")";
    return std::nullopt;
  }
  return std::move(*v);
}

static int runReport(const Args &args) {
  if (args.positionals.size() != 1) {
    llvm::errs() << "llmflow report: expected one event log (or a simulate --json file)\ntry 'llmflow report --help'\n";
    return kUsage;
  }
  const std::string &path = args.positionals[0];
  report::ReportInput in;
  in.title = llvm::sys::path::filename(path).str();
  std::string why;
  // A simulation file alone is a report of the schedulers only.
  if (auto sim = readSimulation(path, why)) {
    in.simulation = std::move(*sim);
  } else {
    auto events = engine::readEventLog(path);
    if (!events) {
      llvm::errs() << "llmflow report: " << llvm::toString(events.takeError()) << "\n";
      return kEnvironment;
    }
    in.events = std::move(*events);
  }
  if (args.has("otlp")) {
    if (in.events.empty()) {
      llvm::errs() << "llmflow report: --otlp converts an event log, and '" << path << "' holds no events\n";
      return kUsage;
    }
    // Logs older than run_started's start_unix_ns: anchor them at the file's time.
    report::OtlpOptions o;
    llvm::sys::fs::file_status st;
    if (!llvm::sys::fs::status(path, st))
      o.fallbackStartUnixNs = uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                           st.getLastModificationTime().time_since_epoch())
                                           .count());
    if (!writeOutput(args.get("otlp"), llvm::formatv("{0}\n", report::otlpTraces(in.events, o)).str()))
      return kEnvironment;
    if (!args.has("o"))
      return kOk; // only the traces were asked for
  }
  if (args.has("simulation")) {
    auto sim = readSimulation(args.get("simulation"), why);
    if (!sim) {
      llvm::errs() << "llmflow report: " << why << "\n";
      return kEnvironment;
    }
    in.simulation = std::move(*sim);
  }
  if (args.has("max-jobs") &&
      (llvm::StringRef(args.get("max-jobs")).getAsInteger(10, in.maxTimelineJobs) || !in.maxTimelineJobs)) {
    llvm::errs() << "llmflow report: --max-jobs expects a positive integer\n";
    return kUsage;
  }
  // The DAG: --program, else the program the log names if it is still there.
  std::string program = args.get("program");
  for (const engine::Event &e : in.events)
    if (program.empty() && e.type == engine::EventType::RunStarted && e.extra)
      if (const llvm::json::Object *r = e.extra->getAsObject())
        if (auto src = r->getString("source"); src && llvm::sys::fs::exists(*src))
          program = src->str();
  std::optional<LoadedApp> app;
  if (!program.empty()) {
    int code = kOk;
    app = loadApplication(args, program, &code);
    if (!app && args.has("program"))
      return code;
    if (app) {
      in.module = &app->module;
      in.app = app->app->name;
    }
  }
  std::string html = report::renderReport(in);
  return writeOutput(args.get("o", "report.html"), html) ? kOk : kEnvironment;
}

Command reportCommand() {
  Command c;
  c.name = "report";
  c.summary = "Write one self-contained HTML page (no network needed) of a run: the application's DAG, a timeline\n"
              "of every job's stages (queue wait and run time), the JCT distribution, per-stage durations and\n"
              "tokens, failures with their reasons, and with --simulation the schedulers compared. With --otlp, the\n"
              "log as OpenTelemetry traces (OTLP/JSON) for other tools.\n"
              "Exit status: 0 ok, 2 usage, 3 an input cannot be read or the page cannot be written.";
  c.usage = "[options] EVENTS.jsonl|SIM.json [-o report.html] [--program APP] [--simulation SIM.json] [--otlp FILE]";
  c.options = diagnosticOptions();
  c.options.push_back({"o", true, "the page to write (default report.html; '-' = stdout)", "FILE"});
  c.options.push_back({"program", true, "the program, for the DAG (default: the one the log names, if it exists)", "APP"});
  c.options.push_back({"app", true, "the application when the module has several", "NAME"});
  c.options.push_back({"simulation", true, "a 'llmflow simulate --json' file: compare its schedulers", "SIM.json"});
  c.options.push_back({"otlp", true, "also (without -o: only) write the log as OpenTelemetry traces in OTLP/JSON", "FILE"});
  c.options.push_back({"max-jobs", true, "jobs drawn in the timeline (default 60; the tables cover all)", "N"});
  c.run = runReport;
  return c;
}

} // namespace llmflow::cli
