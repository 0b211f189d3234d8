// llmflow profile APP: run jobs one at a time (no contention, so durations
// are the stages' own) and write one profile record per job; or turn an
// existing event log into profiles with --from-events.
#include "commands.h"
#include "runner.h"

#include "core/job.h"
#include "profile/profile.h"
#include "sim/experiment.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

namespace llmflow::cli {

static int writeResult(const Args &args, const std::vector<profile::JobProfile> &profiles) {
  std::string out = args.get("o", "-");
  std::string text;
  llvm::raw_string_ostream os(text);
  for (const profile::JobProfile &p : profiles)
    os << profile::toJSON(p) << "\n";
  if (!writeOutput(out, os.str()))
    return kEnvironment;
  if (args.has("csv") && !writeOutput(args.get("csv"), profile::toCSV(profiles)))
    return kEnvironment;
  return kOk;
}

static void reportFailed(const std::vector<profile::JobProfile> &profiles) {
  unsigned failed = 0;
  for (const auto &p : profiles)
    failed += p.status != "ok";
  if (failed)
    llvm::errs() << failed << " of " << profiles.size() << " jobs failed (kept, with status \"failed\")\n";
}

static int runProfile(const Args &args) {
  if (args.positionals.size() != 1) {
    llvm::errs() << "llmflow profile: expected one application (folder, .llmflow or IR .json)\n"
                    "try 'llmflow profile --help'\n";
    return kUsage;
  }
  int code = kOk;
  auto app = loadApplication(args, args.positionals[0], &code);
  if (!app)
    return code;
  if (args.has("from-events")) {
    auto events = engine::readEventLog(args.get("from-events"));
    if (!events) {
      llvm::errs() << "llmflow: " << llvm::toString(events.takeError()) << "\n";
      return kEnvironment;
    }
    auto profiles = profile::fromEvents(*events, app->module);
    std::vector<profile::JobProfile> mine;
    for (auto &p : profiles)
      if (p.app == app->app->name)
        mine.push_back(std::move(p));
    if (llvm::Error e = profile::checkAgainst(mine, app->module, app->app->name)) {
      llvm::errs() << "llmflow: " << args.get("from-events") << ": " << llvm::toString(std::move(e)) << "\n";
      return kErrors;
    }
    llvm::errs() << "profiled " << mine.size() << " jobs from the event log\n";
    return writeResult(args, mine);
  }
  std::vector<llvm::json::Object> lines;
  unsigned jobs = 0;
  if (int e = readJobInputs(args, *app, "profile", lines, jobs))
    return e;
  auto runner = Runner::create(args, std::move(*app), &code, RunnerOptions{/*keepEvents=*/true});
  if (!runner)
    return code;
  const engine::RunConfig &cfg = runner->config();
  if (cfg.backend == "sim") {
    if (args.has("trace") || args.has("otlp")) {
      llvm::errs() << "llmflow profile: --trace and --otlp record a run on a real backend; the simulated backend "
                      "profiles in virtual time, without one (use 'llmflow batch' to trace a simulated run)\n";
      return kUsage;
    }
    // The simulated backend in virtual time: exact, deterministic and as
    // fast as the machine goes (real time would add the OS's jitter,
    // scaled by --time-scale, to every duration).
    const LoadedApp &a = runner->application();
    SimParts parts;
    exec::BuiltinContext bctx;
    bctx.dataDir = cfg.dataDir;
    bctx.json = cfg.limits.json;
    if (!loadSimParts(a, bctx, parts))
      return kEnvironment;
    std::vector<sim::SimApp> apps{{a.app->name, &a.module, a.app, parts.behaviour.get(), parts.model.get(), nullptr}};
    sim::SimConfig sc;
    sc.llmEndpoints = cfg.simEndpoints;
    sc.llmMaxInFlight = cfg.simMaxInFlight;
    sc.serving = cfg.simGPU == "a100" ? serving::ServingParams::a100() : serving::ServingParams::h100();
    sc.regularSlots = cfg.regularSlots;
    sc.seed = cfg.seed;
    auto profiles = sim::profileAlone(apps, 0, lines, jobs, sc, 1);
    llvm::errs() << "profiled " << profiles.size() << " jobs in virtual time\n";
    reportFailed(profiles);
    return writeResult(args, profiles);
  }
  // One job at a time: the next one arrives when the previous one ends.
  unsigned submitted = 1, finished = 0;
  runner->submit(lines[0], 0);
  runner->eng().onJobDone = [&](const engine::JobRecord &r) {
    if (r.interrupted)
      return;
    ++finished;
    if (finished % std::max(1u, jobs / 10) == 0 || finished == jobs)
      llvm::errs() << "profiled " << finished << "/" << jobs << " jobs\n";
    if (submitted < jobs)
      runner->submit(lines[submitted++ % lines.size()], 0);
  };
  runner->run();
  if (!runner->writeTrace())
    return kEnvironment;
  auto profiles = profile::fromEvents(runner->memory().events, runner->application().module);
  // An interrupted job's record would teach the network a cut-off run.
  llvm::erase_if(profiles, [&](const profile::JobProfile &p) {
    auto it = runner->eng().records().find(p.job);
    return it != runner->eng().records().end() && it->second.interrupted;
  });
  reportFailed(profiles);
  int written = writeResult(args, profiles);
  if (int sig = runner->eng().interruptedBy(); sig && written == kOk)
    return kSignalBase + sig;
  return written;
}

Command profileCommand() {
  Command c;
  c.name = "profile";
  c.summary = "Run jobs one at a time and write one profile record per job (docs/profile.md): per IR node its\n"
              "duration, tokens, status, retries and, for Dynamic nodes, the structure they took. On the\n"
              "simulated backend (the default) jobs run in virtual time: exact, and --time-scale does not apply.\n"
              "Exit status: 0 ok, 1 the event log does not match the program, 2 usage, 3 environment.";
  c.usage = "[options] APP [--inputs FILE.jsonl] [--jobs N] [-o PROFILE.jsonl]";
  c.options = runOptions();
  c.options.push_back({"inputs", true, "one JSON object of inputs per line (default: inputs.jsonl next to the program)", "FILE.jsonl"});
  c.options.push_back({"jobs", true, "number of jobs (default: one per input line; lines are reused in turn)", "N"});
  c.options.push_back({"o", true, "write the profile here (default: stdout)", "FILE"});
  c.options.push_back({"csv", true, "also write the profile as CSV (one row per job)", "FILE"});
  c.options.push_back({"from-events", true, "build the profile from this event log instead of running jobs", "LOG.jsonl"});
  c.run = runProfile;
  return c;
}

} // namespace llmflow::cli
