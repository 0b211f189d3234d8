#include "runner.h"
#include "verbose.h"

#include "flags.h"

#include "behave/behaviour.h"
#include "engine/real_executors.h"
#include "engine/sim_executors.h"
#include "engine/trace.h"
#include "journal/background_journal.h"
#include "journal/pg_conn.h"
#include "journal/pg_journal.h"
#include "journal/sqlite_journal.h"
#include "cache/caching_executor.h"
#include "knob_flags.h"
#include "policy_flag.h"
#include "report/otlp.h"

#include "llvm/Support/Path.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

namespace llmflow::cli {

std::vector<OptionSpec> runOptions() {
  std::vector<OptionSpec> o = diagnosticOptions();
  o.push_back({"app", true, "the application to run when the module has several", "NAME"});
  o.push_back({"backend", true, "sim (default: the embedded simulated backend) or a base URL of an OpenAI-compatible server", "B"});
  o.push_back({"config", true, "run configuration (TOML; docs/config.md)", "FILE"});
  o.push_back({"scheduler", true,
               "llmsched (default when every application's network is at hand), fcfs (default otherwise), sjf, fair, "
               "srtf-mean, carbyne, llmsched-nobn, llmsched-nounc, decima",
               "NAME"});
  o.push_back({"profile", true, "profiles of the application(s), for history-based schedulers", "PROFILE.jsonl"});
  o.push_back({"bn", true, "the application's trained network (default: APP.bn.json or bn.json beside the program)",
               "APP.bn.json"});
  o.push_back({"behaviour", true, "behaviour model for the simulated backend (default: behaviour.toml next to the program)", "FILE"});
  o.push_back({"time-scale", true, "simulated backend: engine seconds per real second, 0.001 to 1e6 (default 1)", "X"});
  o.push_back({"seed", true, "seed for the simulated backend and arrivals (default 1)", "N"});
  o.push_back({"llm-slots", true, "LLM requests in flight at once, 1 to 100000 (default: the endpoints' capacity)", "N"});
  o.push_back({"regular-slots", true, "tool invocations at once, 1 to 100000 (default 8)", "N"});
  o.push_back({"events", true, "append the event log (JSONL) to this file", "FILE"});
  o.push_back({"trace", true, "write a Chrome trace / Perfetto timeline of the run", "FILE"});
  o.push_back({"otlp", true, "write the run as OpenTelemetry traces (OTLP/JSON, GenAI attributes)", "FILE"});
  o.push_back(policyOption());
  for (OptionSpec &k : knobOptions(false))
    o.push_back(std::move(k));
  o.push_back({"log-content", false, "also record in the event log each task's rendered request (prompts, tool argv and stdin), "
                                     "raw response (model text, tool stdout/stderr) and value; never credentials or headers"});
  o.push_back({"v", false, "stream each stage on stderr as it starts and ends, with its output (or --verbose)"});
  o.push_back({"verbose", false, "", "", "v"});
  return o;
}

static constexpr NumberSpec kJournalWindowSpec{0, 60000};

std::vector<OptionSpec> journalOptions() {
  return {{"journal", true, "journal every admission, stage result, expansion and job end in this SQLite file "
                            "(or PostgreSQL database, postgresql://...) before acting on it (docs/journal.md)",
           "FILE.db|URI"},
          {"resume", false, "finish the run journaled in --journal: jobs that ended are not run again, journaled "
                            "stage results are replayed, the rest runs"},
          {"journal-window", true, "commit stage starts and results in groups at most MS milliseconds apart "
                                   "(default 10; 0: before every stage starts; job ends are always committed "
                                   "before they are reported)", "MS"},
          {"journal-sync", true, "normal (default: a commit survives the process being killed) or full (it also "
                                 "survives a power failure; one fsync per commit)", "MODE"},
          {"cache", true, "answer LLM and tool calls made before (same stage, rendered request, model and "
                          "parameters) from this SQLite file, or from llmflow-cache.db in this folder, and keep "
                          "new results there (docs/cache.md)", "FILE.db|DIR"}};
}

/// Puts the call cache (--cache) in front of the executors.
static bool openCache(const Args &args, const engine::RunConfig &cfg, boost::asio::io_context &io,
                      std::unique_ptr<cache::CallCache> &store, std::unique_ptr<cache::CachingExecutor> (&out)[2],
                      engine::TaskExecutor *(&executors)[2]) {
  if (!args.has("cache"))
    return true;
  auto opened = cache::CallCache::open(args.get("cache"));
  if (!opened) {
    llvm::errs() << "llmflow: " << llvm::toString(opened.takeError()) << "\n";
    return false;
  }
  store = std::move(*opened);
  cache::CacheRules rules;
  rules.models = cfg.modelCache;
  for (const auto &[name, o] : cfg.models) {
    // Only what changes the request: a [models.NAME] table of defaults keeps the keys.
    llvm::json::Object params;
    if (!o.id.empty())
      params["id"] = o.id;
    if (!o.extra.empty())
      params["extra"] = llvm::json::Object(o.extra);
    if (o.maxTokensField != llm::ModelOptions().maxTokensField)
      params["max_tokens_field"] = o.maxTokensField;
    if (!params.empty())
      rules.modelParams.insert_or_assign(name, std::move(params));
  }
  for (unsigned i = 0; i < 2; ++i) {
    out[i] = std::make_unique<cache::CachingExecutor>(io, *executors[i], *store, rules);
    executors[i] = out[i].get();
  }
  return true;
}

/// Opens --journal (and reads it for --resume); false after saying why.
static bool openJournal(const Args &args, bool service, std::unique_ptr<journal::Journal> &out,
                        journal::JournalContents &earlier, int *exitCode) {
  if (!args.has("journal")) {
    for (const char *flag : {"resume", "journal-sync", "journal-window"})
      if (args.has(flag)) {
        llvm::errs() << "llmflow: --" << flag << " needs --journal FILE\n";
        return false;
      }
    return true;
  }
  std::string where = args.get("journal");
  bool server = journal::pg::isURI(where);
  bool resume = args.has("resume") || (service && !server && llvm::sys::fs::exists(where));
  std::string sync = args.get("journal-sync", "normal");
  if (sync != "normal" && sync != "full") {
    llvm::errs() << "llmflow: --journal-sync expects normal or full, got '" << sync << "'\n";
    return false;
  }
  if (server && args.has("journal-sync")) {
    llvm::errs() << "llmflow: --journal-sync is for an SQLite journal; a PostgreSQL server's own "
                    "synchronous_commit decides how durable a commit is\n";
    return false;
  }
  *exitCode = kEnvironment;
  // A service on PostgreSQL shares the database with other processes: it
  // reads the jobs it claims (serve/shared_queue.h), not the whole journal.
  auto j = server ? journal::openPgJournal(where, {/*shared=*/service, /*mustHoldRun=*/resume})
                  : journal::openSQLiteJournal(where, {/*fullSync=*/sync == "full", /*mustExist=*/resume});
  if (!j) {
    llvm::errs() << "llmflow: " << llvm::toString(j.takeError()) << "\n";
    return false;
  }
  if (resume) {
    auto contents = (*j)->load();
    if (!contents) {
      llvm::errs() << "llmflow: " << llvm::toString(contents.takeError()) << "\n";
      return false;
    }
    earlier = std::move(*contents);
  }
  // Writes and commits on a thread of their own: the event loop never waits for SQLite.
  out = journal::inBackground(std::move(*j));
  *exitCode = kUsage;
  return true;
}

/// The endpoints' API key variables: never given to a tool. A tool that
/// declares one in its env is told about at the start of the run.
static std::vector<std::string> withheldVariables(const std::vector<llm::Endpoint> &endpoints,
                                                  llvm::ArrayRef<const ir::Module *> modules) {
  std::vector<std::string> keys;
  for (const llm::Endpoint &e : endpoints)
    if (!e.apiKeyEnv.empty() && !llvm::is_contained(keys, e.apiKeyEnv))
      keys.push_back(e.apiKeyEnv);
  for (const ir::Module *m : modules)
    for (const ir::ToolDef &t : m->tools)
      for (const std::string &name : t.env)
        if (llvm::is_contained(keys, name))
          llvm::errs() << "llmflow: warning: tool '" << t.name << "' declares env '" << name
                       << "', an endpoint's API key variable: tools never get it\n";
  return keys;
}

Runner::~Runner() = default;

std::string Runner::schedulerName() const { return scheduling.scheduler->name(); }

std::unique_ptr<Runner> Runner::create(const Args &args, LoadedApp program, int *exitCode, RunnerOptions options) {
  std::vector<LoadedApp> programs;
  programs.push_back(std::move(program));
  return create(args, std::move(programs), exitCode, options);
}

std::unique_ptr<Runner> Runner::create(const Args &args, std::vector<LoadedApp> programs, int *exitCode,
                                       RunnerOptions options) {
  std::unique_ptr<Runner> r(new Runner());
  std::vector<const ir::Module *> modules;
  for (LoadedApp &p : programs) {
    r->progs.push_back(std::make_unique<Program>());
    r->progs.back()->loaded = std::move(p);
    const LoadedApp &loaded = r->progs.back()->loaded;
    modules.push_back(&loaded.module);
    for (const ir::App *a : loaded.apps())
      r->runApps.push_back({&loaded, a});
  }
  *exitCode = kUsage;
  engine::RunConfig &cfg = r->cfg;
  if (args.has("config"))
    if (llvm::Error e = engine::loadRunConfig(args.get("config"), cfg)) {
      llvm::errs() << "llmflow: " << llvm::toString(std::move(e)) << "\n";
      *exitCode = kEnvironment;
      return nullptr;
    }
  if (args.has("backend"))
    cfg.backend = args.get("backend");
  if (!numberFlag(args, "time-scale", kTimeScaleSpec, cfg.timeScale) ||
      !numberFlag(args, "seed", kSeedSpec, cfg.seed) || !numberFlag(args, "llm-slots", kSlotsSpec, cfg.llmSlots) ||
      !numberFlag(args, "regular-slots", kSlotsSpec, cfg.regularSlots))
    return nullptr;
  double windowMs = 10;
  if (!numberFlag(args, "journal-window", kJournalWindowSpec, windowMs) ||
      !openJournal(args, options.service, r->journal, r->earlier, exitCode))
    return nullptr;

  if (!r->earlier.jobs.empty() && args.has("events")) {
    auto ended = engine::jobsEndedInLog(args.get("events"));
    if (!ended) {
      llvm::errs() << "llmflow: " << llvm::toString(ended.takeError()) << "\n";
      *exitCode = kEnvironment;
      return nullptr;
    }
    r->loggedEnds = std::move(*ended);
  }

  if (!makeRunScheduler(args, r->runApps, cfg.seed, r->scheduling, exitCode))
    return nullptr;
  *exitCode = kUsage;

  r->clock = std::make_unique<engine::EngineClock>(cfg.backend == "sim" ? cfg.timeScale : 1.0);
  Runner *self = r.get();
  engine::BehaviourLookup lookup = [self](rt::JobId id) -> behave::JobDraw & {
    assert(self->jobBehaviours.count(id) && self->jobBehaviours.at(id));
    return *self->jobBehaviours.at(id);
  };
  // Each program's builtins read its own folder, unless the configuration names one for all.
  auto builtinsOf = [&cfg](const LoadedApp &p) {
    exec::BuiltinContext b;
    b.dataDir = cfg.dataDir.empty() ? p.dir : cfg.dataDir;
    b.json = cfg.limits.json;
    return b;
  };
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
    cc.models = cfg.models;
    cc.seed = cfg.seed;
    cc.limits = cfg.limits;
    cc.hedging = cfg.hedging;
    r->llmExec = std::make_unique<engine::HttpLLMExecutor>(r->io, *r->clock, std::move(cc), cfg.timeouts);
    engine::ToolLimits limits;
    limits.graceSeconds = cfg.toolGraceSeconds;
    limits.network = cfg.network;
    limits.withheldEnv = withheldVariables(cfg.endpoints, modules);
    std::vector<engine::ToolHome> homes;
    for (const auto &p : r->progs)
      homes.push_back({&p->loaded.module, p->loaded.dir, builtinsOf(p->loaded)});
    r->toolExec = std::make_unique<engine::ToolExecutor>(r->io, std::move(homes), std::move(limits));
  } else {
    std::vector<const engine::SimTaskModel *> models;
    for (const auto &p : r->progs) {
      SimParts parts;
      if (!loadSimParts(p->loaded, builtinsOf(p->loaded), parts)) {
        *exitCode = kEnvironment;
        return nullptr;
      }
      p->behaviour = std::move(parts.behaviour);
      p->simModel = std::move(parts.model);
      models.push_back(p->simModel.get());
    }
    std::vector<engine::SimEndpoint> eps;
    for (unsigned i = 0; i < cfg.simEndpoints; ++i)
      eps.push_back({"sim-" + std::to_string(i),
                     cfg.simGPU == "a100" ? serving::ServingParams::a100() : serving::ServingParams::h100(),
                     cfg.simMaxInFlight});
    if (!cfg.llmSlots)
      cfg.llmSlots = cfg.simEndpoints * cfg.simMaxInFlight;
    r->llmExec = std::make_unique<engine::SimLLMExecutor>(r->io, *r->clock, models, lookup, std::move(eps));
    r->toolExec = std::make_unique<engine::SimToolExecutor>(r->io, *r->clock, std::move(models), lookup);
  }

  if (options.keepEvents || args.has("trace") || args.has("otlp"))
    r->tee.add(&r->mem);
  if (options.extraSink)
    r->tee.add(options.extraSink);
  bool logContent = args.has("log-content"), verbose = args.has("v");
  if (verbose) {
    r->verbose = std::make_unique<VerboseSink>(llvm::errs());
    r->tee.add(r->verbose.get());
  }
  r->llmExec->setRecordContent(logContent);
  r->toolExec->setRecordContent(logContent);
  engine::TaskExecutor *executors[2] = {r->llmExec.get(), r->toolExec.get()};
  if (!openCache(args, cfg, r->io, r->callCache, r->cached, executors)) {
    *exitCode = kEnvironment;
    return nullptr;
  }
  for (engine::TaskExecutor *e : executors)
    e->setRecordContent(logContent);
  if (args.has("events")) {
    std::error_code ec;
    auto os = std::make_unique<llvm::raw_fd_ostream>(args.get("events"), ec, llvm::sys::fs::OF_Append);
    if (ec) {
      llvm::errs() << "llmflow: cannot write '" << args.get("events") << "': " << ec.message() << "\n";
      *exitCode = kEnvironment;
      return nullptr;
    }
    r->file = std::make_unique<engine::JSONLSink>(std::move(os), logContent);
    r->tee.add(r->file.get());
  }
  for (auto [flag, out] : {std::pair{"trace", &r->trace}, std::pair{"otlp", &r->otlp}})
    if (args.has(flag) && !(*out = OutputFile::open(args.get(flag)))) {
      *exitCode = kEnvironment;
      return nullptr;
    }
  engine::EngineConfig ec{cfg.llmSlots, cfg.regularSlots, logContent || verbose, /*handleSignals=*/!options.service,
                          r->journal.get(), windowMs / 1000};
  r->engine = std::make_unique<engine::Engine>(r->io, *r->clock, modules, *r->scheduling.scheduler, *executors[0],
                                               *executors[1], r->tee, ec);
  *exitCode = kOk;
  return r;
}

const RunApp *Runner::find(llvm::StringRef app) const {
  for (const RunApp &a : runApps)
    if (a.app->name == app)
      return &a;
  return nullptr;
}

rt::JobId Runner::submit(const ir::App &app, llvm::json::Object inputs, double delay,
                         const std::string &idempotencyKey) {
  rt::JobId expected = ++submitted;
  auto it = earlier.jobs.find(expected);
  const journal::JournaledJob *before = it == earlier.jobs.end() ? nullptr : &it->second;
  if (before && before->end) // job ids stay the journal's
    return engine->restore(*before, loggedEnds && !loggedEnds->count(expected));
  return start(expected, app, std::move(inputs), delay, before,
               before ? before->admission.idempotencyKey : idempotencyKey);
}

rt::JobId Runner::submitClaimed(const journal::JournaledJob &job) {
  const RunApp *a = find(job.admission.app);
  assert(a && "a shared queue claims jobs of the apps run here only");
  engine->numberNext(job.admission.job);
  return start(job.admission.job, *a->app, job.admission.inputs, 0, &job, job.admission.idempotencyKey);
}

rt::JobId Runner::start(rt::JobId id, const ir::App &app, llvm::json::Object inputs, double delay,
                        const journal::JournaledJob *before, const std::string &idempotencyKey) {
  const Program *program = nullptr;
  for (const RunApp &a : runApps)
    if (a.app == &app)
      for (const auto &p : progs)
        if (&p->loaded == a.program)
          program = p.get();
  assert(program && "an application the run runs");
  // Simulated backend: the job's behaviour draw decides its structure too.
  auto &draw = jobBehaviours[id];
  if (program->behaviour)
    draw = std::make_unique<behave::JobBehaviour>(*program->behaviour, program->loaded.module, cfg.seed, id);
  rt::JobId got =
      engine->submit(program->loaded.module, app, std::move(inputs), delay, draw.get(), before, idempotencyKey);
  assert(got == id && "the runner is the engine's only submitter");
  return got;
}

void Runner::release(rt::JobId id) { jobBehaviours.erase(id); }

llvm::Error Runner::checkResume(unsigned jobs,
                                llvm::function_ref<const llvm::json::Object &(unsigned)> inputsOf) const {
  std::string name = journal ? journal->name() : "";
  for (const auto &[n, j] : earlier.jobs) {
    if (n == 0 || n > jobs)
      return llvm::createStringError(std::errc::invalid_argument,
                                     "journal '%s' holds job %llu, but this run has %u job(s): resume with the "
                                     "same --inputs and --jobs",
                                     name.c_str(), (unsigned long long)n, jobs);
    if (!find(j.admission.app)) {
      std::string names;
      for (const RunApp &a : runApps)
        names += (names.empty() ? "'" : ", '") + a.app->name + "'";
      return llvm::createStringError(std::errc::invalid_argument,
                                     "journal '%s' holds jobs of app '%s', and only %s run now", name.c_str(),
                                     j.admission.app.c_str(), names.c_str());
    }
    if (j.admission.key != journal::jobKey(n, inputsOf(unsigned(n))))
      return llvm::createStringError(std::errc::invalid_argument,
                                     "journal '%s': job %llu had other inputs: resume with the same --inputs",
                                     name.c_str(), (unsigned long long)n);
  }
  return llvm::Error::success();
}

bool Runner::journalFailed() const {
  if (engine->journalError().empty())
    return false;
  llvm::errs() << "llmflow: the run stopped: " << engine->journalError() << "\n";
  return true;
}

void Runner::warnCache() const {
  for (const auto &c : cached)
    if (c && !c->firstError().empty()) {
      llvm::errs() << "llmflow: warning: the call cache missed or lost entries: " << c->firstError() << "\n";
      return;
    }
}

bool Runner::writeTrace() {
  if (trace && !trace->write(engine::chromeTrace(mem.events)))
    return false;
  return !otlp || otlp->write(llvm::formatv("{0}\n", report::otlpTraces(mem.events)).str());
}

} // namespace llmflow::cli
