#include "runner.h"

#include "flags.h"

#include "behave/behaviour.h"
#include "engine/real_executors.h"
#include "engine/sim_executors.h"
#include "engine/trace.h"
#include "estimate/bn_estimator.h"
#include "estimate/model_file.h"
#include "profile/knowledge.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

namespace llmflow::cli {

std::vector<OptionSpec> runOptions() {
  std::vector<OptionSpec> o = diagnosticOptions();
  o.push_back({"app", true, "the application to run when the module has several", "NAME"});
  o.push_back({"backend", true, "sim (default: the embedded simulated backend) or a base URL of an OpenAI-compatible server", "B"});
  o.push_back({"config", true, "run configuration (TOML; docs/config.md)", "FILE"});
  o.push_back({"scheduler", true, "fcfs (default), sjf, fair, srtf-mean, carbyne, llmsched, llmsched-nobn, llmsched-nounc", "NAME"});
  o.push_back({"profile", true, "profiles of the application, for history-based schedulers", "PROFILE.jsonl"});
  o.push_back({"bn", true, "the application's trained network, for llmsched", "APP.bn.json"});
  o.push_back({"behaviour", true, "behaviour model for the simulated backend (default: behaviour.toml next to the program)", "FILE"});
  o.push_back({"time-scale", true, "simulated backend: engine seconds per real second, 0.001 to 1e6 (default 1)", "X"});
  o.push_back({"seed", true, "seed for the simulated backend and arrivals (default 1)", "N"});
  o.push_back({"llm-slots", true, "LLM requests in flight at once, 1 to 100000 (default: the endpoints' capacity)", "N"});
  o.push_back({"regular-slots", true, "tool invocations at once, 1 to 100000 (default 8)", "N"});
  o.push_back({"events", true, "append the event log (JSONL) to this file", "FILE"});
  o.push_back({"trace", true, "write a Chrome trace / Perfetto timeline of the run", "FILE"});
  return o;
}

Runner::~Runner() = default;

std::string Runner::schedulerName() const { return scheduler->name(); }

std::unique_ptr<Runner> Runner::create(const Args &args, LoadedApp loaded, int *exitCode, bool keepEvents) {
  std::unique_ptr<Runner> r(new Runner());
  r->app = std::move(loaded);
  *exitCode = kUsage;
  engine::RunConfig &cfg = r->cfg;
  if (args.has("config"))
    if (llvm::Error e = engine::loadRunConfig(args.get("config"), cfg)) {
      llvm::errs() << "llmflow: " << llvm::toString(std::move(e)) << "\n";
      return nullptr;
    }
  if (args.has("backend"))
    cfg.backend = args.get("backend");
  if (!numberFlag(args, "time-scale", kTimeScaleSpec, cfg.timeScale) ||
      !numberFlag(args, "seed", kSeedSpec, cfg.seed) || !numberFlag(args, "llm-slots", kSlotsSpec, cfg.llmSlots) ||
      !numberFlag(args, "regular-slots", kSlotsSpec, cfg.regularSlots))
    return nullptr;
  if (cfg.dataDir.empty())
    cfg.dataDir = r->app.dir;

  std::string schedName = args.get("scheduler", "fcfs");
  sched::SchedulerContext sctx;
  sctx.seed = cfg.seed;
  if (args.has("profile")) {
    auto profiles = profile::readProfiles(args.get("profile"));
    if (!profiles) {
      llvm::errs() << "llmflow: " << llvm::toString(profiles.takeError()) << "\n";
      *exitCode = kEnvironment;
      return nullptr;
    }
    if (llvm::Error e = profile::checkAgainst(*profiles, r->app.module, r->app.app->name)) {
      llvm::errs() << "llmflow: " << args.get("profile") << ": " << llvm::toString(std::move(e)) << "\n";
      *exitCode = kErrors;
      return nullptr;
    }
    r->knowledge = std::make_unique<sched::Knowledge>(profile::buildKnowledge(*profiles));
    sctx.knowledge = r->knowledge.get();
  }
  if (args.has("bn")) {
    auto file = estimate::readModelFile(args.get("bn"));
    if (!file) {
      llvm::errs() << "llmflow: " << llvm::toString(file.takeError()) << "\n";
      *exitCode = kEnvironment;
      return nullptr;
    }
    auto abn = estimate::AppBN::make(estimate::appModel(r->app.module, *r->app.app), std::move(file->net));
    if (!abn) {
      llvm::errs() << "llmflow: " << args.get("bn") << ": " << llvm::toString(abn.takeError()) << "\n";
      *exitCode = kErrors;
      return nullptr;
    }
    r->network = std::move(*abn);
    const estimate::AppBN *net = r->network.get();
    sctx.bnEstimator = [net] { return estimate::makeBNEstimator({net}); };
  }
  std::string why;
  r->scheduler = sched::makeScheduler(schedName, sctx, &why);
  if (!r->scheduler) {
    llvm::errs() << "llmflow: " << why << " (available:";
    for (const std::string &n : sched::schedulerNames())
      llvm::errs() << " " << n;
    llvm::errs() << ")\n";
    return nullptr;
  }

  const ir::Module &module = r->app.module;
  r->clock = std::make_unique<engine::EngineClock>(cfg.backend == "sim" ? cfg.timeScale : 1.0);
  Runner *self = r.get();
  engine::BehaviourLookup lookup = [self](rt::JobId id) -> behave::JobDraw & {
    assert(id >= 1 && id <= self->jobBehaviours.size());
    return *self->jobBehaviours[id - 1];
  };
  exec::BuiltinContext bctx;
  bctx.dataDir = cfg.dataDir;
  bctx.json = cfg.limits.json;
  if (cfg.backend != "sim") {
    // Real endpoints: from the config, or one endpoint at --backend URL.
    if (cfg.backend != "endpoints") {
      llvm::StringRef url(cfg.backend);
      if (!url.startswith("http://") && !url.startswith("https://")) {
        llvm::errs() << "llmflow: --backend expects 'sim' or an http(s) URL, got '" << cfg.backend << "'\n";
        return nullptr;
      }
      llm::Endpoint ep;
      ep.name = "default";
      ep.baseUrl = cfg.backend;
      // Local servers usually need no key; use one when the usual variable is set.
      ep.apiKeyEnv = std::getenv("OPENAI_API_KEY") ? "OPENAI_API_KEY" : "";
      // The endpoint takes as many requests as the engine may send.
      ep.maxInFlight = cfg.llmSlots ? cfg.llmSlots : 16;
      cfg.endpoints = {ep};
      cfg.routes.clear();
    }
    if (cfg.endpoints.empty()) {
      llvm::errs() << "llmflow: no LLM endpoints configured\n";
      return nullptr;
    }
    if (!cfg.llmSlots) {
      for (const llm::Endpoint &e : cfg.endpoints)
        cfg.llmSlots += e.maxInFlight ? e.maxInFlight : 64;
    }
    llm::ClientConfig cc;
    cc.endpoints = cfg.endpoints;
    cc.routes = cfg.routes;
    cc.seed = cfg.seed;
    cc.limits = cfg.limits;
    cc.hedging = cfg.hedging;
    r->llmExec = std::make_unique<engine::HttpLLMExecutor>(r->io, *r->clock, std::move(cc), cfg.timeouts);
    r->toolExec = std::make_unique<engine::ToolExecutor>(r->io, module, r->app.dir, bctx, cfg.toolGraceSeconds);
  } else {
    if (!r->app.behaviourPath.empty()) {
      auto m = behave::BehaviourModel::load(r->app.behaviourPath, module, *r->app.app);
      if (!m) {
        llvm::errs() << "llmflow: " << llvm::toString(m.takeError()) << "\n";
        *exitCode = kEnvironment;
        return nullptr;
      }
      r->behaviour = std::make_unique<behave::BehaviourModel>(std::move(*m));
    } else {
      r->behaviour = std::make_unique<behave::BehaviourModel>(behave::BehaviourModel::defaults(r->app.app->name));
    }
    std::vector<engine::SimEndpoint> eps;
    for (unsigned i = 0; i < cfg.simEndpoints; ++i)
      eps.push_back({"sim-" + std::to_string(i),
                     cfg.simGPU == "a100" ? serving::ServingParams::a100() : serving::ServingParams::h100(),
                     cfg.simMaxInFlight});
    if (!cfg.llmSlots)
      cfg.llmSlots = cfg.simEndpoints * cfg.simMaxInFlight;
    r->simModel = std::make_unique<engine::SimTaskModel>(module, bctx);
    r->llmExec = std::make_unique<engine::SimLLMExecutor>(r->io, *r->clock, *r->simModel, lookup, std::move(eps));
    r->toolExec = std::make_unique<engine::SimToolExecutor>(r->io, *r->clock, *r->simModel, lookup);
  }

  if (keepEvents || args.has("trace"))
    r->tee.add(&r->mem);
  if (args.has("events")) {
    std::error_code ec;
    auto os = std::make_unique<llvm::raw_fd_ostream>(args.get("events"), ec, llvm::sys::fs::OF_Append);
    if (ec) {
      llvm::errs() << "llmflow: cannot write '" << args.get("events") << "': " << ec.message() << "\n";
      *exitCode = kEnvironment;
      return nullptr;
    }
    r->file = std::make_unique<engine::JSONLSink>(std::move(os));
    r->tee.add(r->file.get());
  }
  if (args.has("trace")) {
    r->trace = OutputFile::open(args.get("trace"));
    if (!r->trace) {
      *exitCode = kEnvironment;
      return nullptr;
    }
  }
  engine::EngineConfig ec{cfg.llmSlots, cfg.regularSlots, /*handleSignals=*/true};
  r->engine = std::make_unique<engine::Engine>(r->io, *r->clock, module, *r->scheduler, *r->llmExec, *r->toolExec,
                                               r->tee, ec);
  *exitCode = kOk;
  return r;
}

rt::JobId Runner::submit(llvm::json::Object inputs, double delay) {
  rt::JobId expected = jobBehaviours.size() + 1;
  // Simulated backend: the job's behaviour draw decides its structure too.
  jobBehaviours.push_back(behaviour ? std::make_unique<behave::JobBehaviour>(*behaviour, app.module, cfg.seed, expected)
                                    : nullptr);
  rt::JobId id = engine->submit(*app.app, std::move(inputs), delay, jobBehaviours.back().get());
  assert(id == expected && "the runner is the engine's only submitter");
  return id;
}

bool Runner::writeTrace() {
  return !trace || trace->write(engine::chromeTrace(mem.events));
}

} // namespace llmflow::cli
