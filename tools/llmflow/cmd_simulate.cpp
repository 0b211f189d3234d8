// llmflow simulate WORKLOAD.toml: the discrete-event simulator. Trains the
// history the schedulers need on profiles from disjoint seeds, then runs the
// same jobs under every scheduler and prints a comparison.
#include "app_loader.h"
#include "commands.h"

#include "behave/behaviour.h"
#include "engine/summary.h"
#include "estimate/bn_estimator.h"
#include "profile/knowledge.h"
#include "sim/replay.h"
#include "sim/simulator.h"
#include "sim/workload.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <random>

namespace llmflow::cli {
namespace {

struct LoadedSimApp {
  LoadedApp loaded;
  std::unique_ptr<behave::BehaviourModel> behaviour;
  std::unique_ptr<engine::SimTaskModel> model;
  std::vector<llvm::json::Object> inputs;
  // Trace replay (the workload's `trace`): the recorded jobs that finished,
  // split into the schedulers' history and the jobs replayed.
  std::vector<profile::JobProfile> history, replay;
  std::unique_ptr<sim::ReplayIndex> index;
};

class Truth : public sched::Clairvoyance {
public:
  llvm::DenseMap<uint64_t, std::pair<double, double>> byJob;
  double standaloneTime(uint64_t job) const override { return byJob.lookup(job).first; }
  double standaloneWork(uint64_t job) const override { return byJob.lookup(job).second; }
};

struct Row {
  std::string scheduler;
  engine::BatchSummary s;
  double meanDecisionUs = 0, p99DecisionUs = 0, wall = 0;
  unsigned decisions = 0, maxActive = 0;
  std::vector<double> jct;
  unsigned replayMismatches = 0;
  std::vector<std::string> replayNotes;
};

} // namespace

static int runSimulate(const Args &args) {
  if (args.positionals.size() != 1) {
    llvm::errs() << "llmflow simulate: expected one workload file\ntry 'llmflow simulate --help'\n";
    return kUsage;
  }
  auto wl = sim::loadWorkload(args.positionals[0]);
  if (!wl) {
    llvm::errs() << "llmflow: " << llvm::toString(wl.takeError()) << "\n";
    return kEnvironment;
  }
  sim::Workload w = std::move(*wl);
  if (args.has("jobs") && (llvm::StringRef(args.get("jobs")).getAsInteger(10, w.jobs) || w.jobs == 0)) {
    llvm::errs() << "llmflow simulate: --jobs expects a positive integer\n";
    return kUsage;
  }
  if (args.has("seed") && llvm::StringRef(args.get("seed")).getAsInteger(10, w.seed)) {
    llvm::errs() << "llmflow simulate: --seed expects an integer\n";
    return kUsage;
  }
  if (args.has("arrival-rate") && (llvm::StringRef(args.get("arrival-rate")).getAsDouble(w.rate) || w.rate <= 0)) {
    llvm::errs() << "llmflow simulate: --arrival-rate expects jobs per second > 0\n";
    return kUsage;
  }
  if (args.has("scheduler")) {
    w.schedulers.clear();
    std::string list = args.get("scheduler");
    llvm::SmallVector<llvm::StringRef, 8> names;
    llvm::StringRef(list).split(names, ',', -1, false);
    for (llvm::StringRef n : names)
      w.schedulers.push_back(n.trim().str());
  }
  if (w.schedulers.empty())
    w.schedulers = {"fcfs"};

  // Applications.
  std::vector<std::unique_ptr<LoadedSimApp>> loaded;
  for (const sim::WorkloadApp &wa : w.apps) {
    Args appArgs = args;
    appArgs.values.erase("app");
    if (!wa.app.empty())
      appArgs.values["app"] = wa.app;
    int code = kOk;
    auto la = loadApplication(appArgs, wa.path, &code);
    if (!la)
      return code;
    auto s = std::make_unique<LoadedSimApp>();
    s->loaded = std::move(*la);
    const LoadedApp &L = s->loaded;
    if (!L.behaviourPath.empty()) {
      auto m = behave::BehaviourModel::load(L.behaviourPath, L.module, *L.app);
      if (!m) {
        llvm::errs() << "llmflow: " << llvm::toString(m.takeError()) << "\n";
        return kEnvironment;
      }
      s->behaviour = std::make_unique<behave::BehaviourModel>(std::move(*m));
    } else {
      s->behaviour = std::make_unique<behave::BehaviourModel>(behave::BehaviourModel::defaults(L.app->name));
    }
    exec::BuiltinContext bctx;
    bctx.dataDir = L.dir;
    s->model = std::make_unique<engine::SimTaskModel>(L.module, bctx);
    if (L.inputsPath.empty() || !readInputLines(L.inputsPath, L, s->inputs)) {
      llvm::errs() << "llmflow: " << wa.path << ": needs an inputs.jsonl with sample jobs\n";
      return kEnvironment;
    }
    if (!wa.trace.empty()) {
      auto recs = profile::readProfiles(wa.trace);
      if (!recs) {
        llvm::errs() << "llmflow: " << llvm::toString(recs.takeError()) << "\n";
        return kEnvironment;
      }
      if (llvm::Error e = profile::checkAgainst(*recs, L.module, L.app->name)) {
        llvm::errs() << "llmflow: " << wa.trace << ": " << llvm::toString(std::move(e)) << "\n";
        return kEnvironment;
      }
      std::vector<profile::JobProfile> ok;
      for (profile::JobProfile &p : *recs)
        if (p.status == "ok")
          ok.push_back(std::move(p));
      if (ok.size() < 2) {
        llvm::errs() << "llmflow: " << wa.trace << ": needs at least 2 recorded jobs that finished (the first half "
                     << "trains the schedulers, the second half is replayed)\n";
        return kEnvironment;
      }
      if (ok.size() < recs->size())
        llvm::errs() << "llmflow: " << wa.trace << ": " << recs->size() - ok.size()
                     << " failed job(s) left out of the replay\n";
      size_t half = ok.size() / 2;
      s->history.assign(std::make_move_iterator(ok.begin()), std::make_move_iterator(ok.begin() + half));
      s->replay.assign(std::make_move_iterator(ok.begin() + half), std::make_move_iterator(ok.end()));
      s->index = std::make_unique<sim::ReplayIndex>(L.module, *L.app);
    }
    loaded.push_back(std::move(s));
  }
  std::vector<sim::SimApp> apps;
  for (auto &l : loaded)
    apps.push_back({l->loaded.app->name, &l->loaded.module, l->loaded.app, l->behaviour.get(), l->model.get(),
                    l->index.get()});

  sim::SimConfig cfg;
  cfg.llmEndpoints = w.llmEndpoints;
  cfg.llmMaxInFlight = w.llmMaxInFlight;
  cfg.regularSlots = w.regularSlots;
  cfg.serving = w.gpu == "a100" ? serving::ServingParams::a100() : serving::ServingParams::h100();
  cfg.seed = w.seed;

  // History for the schedulers: each application profiled alone, on job ids
  // and a seed the evaluated jobs never use (no leakage); an application that
  // replays a trace learns from the trace's first half instead.
  std::vector<profile::JobProfile> history;
  {
    sim::SimConfig tcfg = cfg;
    tcfg.seed = w.seed + 0x9e3779b9ULL;
    for (size_t a = 0; a < apps.size(); ++a) {
      if (!loaded[a]->replay.empty()) {
        history.insert(history.end(), loaded[a]->history.begin(), loaded[a]->history.end());
        continue;
      }
      engine::MemorySink sink;
      std::vector<sim::SimJob> train;
      for (unsigned k = 0; k < w.trainingJobs; ++k)
        train.push_back({unsigned(a), loaded[a]->inputs[k % loaded[a]->inputs.size()], 0, 1000000000ULL + k});
      for (sim::SimJob &j : train) {
        std::vector<sim::SimJob> one{j};
        auto fcfs = sched::makeFCFS();
        sim::simulate(apps, one, *fcfs, tcfg, &sink);
      }
      auto profiles = profile::fromEvents(sink.events, *apps[a].module);
      history.insert(history.end(), profiles.begin(), profiles.end());
    }
  }
  sched::Knowledge knowledge = profile::buildKnowledge(history);
  // Bayesian networks for llmsched, trained on the same history.
  std::vector<std::unique_ptr<estimate::AppBN>> networks;
  bool wantBN = std::any_of(w.schedulers.begin(), w.schedulers.end(),
                            [](const std::string &s) { return s == "llmsched" || s == "llmsched-nounc"; });
  if (wantBN)
    for (size_t a = 0; a < apps.size(); ++a) {
      estimate::AppModel am = estimate::appModel(*apps[a].module, *apps[a].app);
      std::vector<profile::JobProfile> mine;
      for (const auto &p : history)
        if (p.app == am.app)
          mine.push_back(p);
      auto ds = estimate::dataset(am, mine);
      if (!ds) {
        llvm::errs() << "llmflow: " << llvm::toString(ds.takeError()) << "\n";
        return kEnvironment;
      }
      bn::TrainOptions topts;
      auto net = bn::train(*ds, am.specs, topts);
      if (!net) {
        llvm::errs() << "llmflow: training the network of '" << am.app << "': " << llvm::toString(net.takeError()) << "\n";
        return kEnvironment;
      }
      net->app = am.app;
      auto abn = estimate::AppBN::make(std::move(am), std::move(*net));
      if (!abn) {
        llvm::errs() << "llmflow: " << llvm::toString(abn.takeError()) << "\n";
        return kEnvironment;
      }
      networks.push_back(std::move(*abn));
    }
  std::vector<const estimate::AppBN *> networkPtrs;
  for (auto &n : networks)
    networkPtrs.push_back(n.get());

  // The evaluated jobs: application by weight, Poisson arrivals, seeded.
  std::vector<sim::SimJob> jobs;
  {
    std::mt19937_64 rng(w.seed);
    std::vector<double> weights;
    for (const sim::WorkloadApp &a : w.apps)
      weights.push_back(a.weight);
    std::discrete_distribution<unsigned> pick(weights.begin(), weights.end());
    std::exponential_distribution<double> gap(w.rate);
    std::vector<unsigned> used(apps.size(), 0);
    double t = 0;
    for (unsigned k = 0; k < w.jobs; ++k) {
      unsigned a = pick(rng);
      const auto &in = loaded[a]->inputs;
      const auto &replay = loaded[a]->replay;
      if (replay.empty()) {
        jobs.push_back({a, in[used[a]++ % in.size()], t, k + 1});
      } else {
        // The application's k-th job replays recorded job k (cyclically), on
        // the input line `llmflow profile` ran it with.
        const profile::JobProfile &rec = replay[used[a]++ % replay.size()];
        jobs.push_back({a, in[(rec.job ? rec.job - 1 : 0) % in.size()], t, k + 1, &rec});
      }
      t += gap(rng);
    }
  }
  Truth truth;
  {
    std::vector<sim::JobOutcome> alone = sim::standalone(apps, jobs, cfg);
    for (size_t i = 0; i < jobs.size(); ++i)
      truth.byJob[jobs[i].id] = {alone[i].finish - alone[i].arrival, alone[i].work};
  }

  std::vector<Row> rows;
  for (const std::string &name : w.schedulers) {
    sched::SchedulerContext ctx;
    ctx.seed = w.seed;
    ctx.knowledge = &knowledge;
    ctx.truth = &truth;
    if (wantBN)
      ctx.bnEstimator = [&networkPtrs] { return estimate::makeBNEstimator(networkPtrs); };
    std::string why;
    auto scheduler = sched::makeScheduler(name, ctx, &why);
    if (!scheduler) {
      llvm::errs() << "llmflow: " << why << "\n";
      return kUsage;
    }
    sim::SimResult r = sim::simulate(apps, jobs, *scheduler, cfg);
    Row row;
    row.scheduler = name;
    std::map<rt::JobId, engine::JobRecord> recs;
    for (const sim::JobOutcome &o : r.jobs) {
      engine::JobRecord &rec = recs[o.id];
      rec.id = o.id;
      rec.arrival = o.arrival;
      rec.finish = o.finish;
      rec.ok = o.ok;
      if (o.ok)
        row.jct.push_back(o.finish - o.arrival);
      if (!o.ok)
        llvm::errs() << "llmflow: job " << o.id << " failed under " << name << ": " << o.error << "\n";
    }
    row.s = engine::summarize(recs);
    std::vector<double> d = r.decisionSeconds;
    std::sort(d.begin(), d.end());
    double sum = 0;
    for (double x : d)
      sum += x;
    row.decisions = r.decisions;
    row.meanDecisionUs = d.empty() ? 0 : sum / d.size() * 1e6;
    row.p99DecisionUs = engine::percentile(d, 0.99) * 1e6;
    row.wall = r.wallSeconds;
    row.replayMismatches = r.replayMismatches;
    row.replayNotes = r.replayNotes;
    row.maxActive = r.maxActiveJobs;
    std::sort(row.jct.begin(), row.jct.end());
    rows.push_back(std::move(row));
  }

  // Normalise to llmsched when it ran, else to the first scheduler.
  const Row *ref = &rows.front();
  for (const Row &r : rows)
    if (r.scheduler == "llmsched")
      ref = &r;
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "workload " << w.name << ": " << w.jobs << " jobs, arrival rate " << llvm::format("%g", w.rate) << "/s, seed " << w.seed << ", "
     << w.llmEndpoints << "x" << w.llmMaxInFlight << " LLM slots, " << w.regularSlots << " regular slots\n";
  os << "scheduler   avg JCT s       vs     p50 s     p95 s     p99 s makespan s decisions    mean us     p99 us    jobs/s\n";
  for (const Row &r : rows) {
    double ratio = ref->s.avgJCT > 0 ? r.s.avgJCT / ref->s.avgJCT : 0;
    os << llvm::format("%-10s %10.2f %8.3f %9.2f %9.2f %9.2f %10.1f %9u %10.1f %10.1f %9.0f\n", r.scheduler.c_str(),
                       r.s.avgJCT, ratio, r.s.p50, r.s.p95, r.s.p99, r.s.makespan, r.decisions, r.meanDecisionUs,
                       r.p99DecisionUs, r.wall > 0 ? w.jobs / r.wall : 0.0);
  }
  os << "(vs = average JCT relative to " << ref->scheduler << "; jobs/s = simulated jobs per second of wall time)\n";
  unsigned replayed = 0;
  for (const sim::SimJob &j : jobs)
    replayed += j.trace != nullptr;
  if (replayed) {
    for (size_t a = 0; a < loaded.size(); ++a)
      if (!loaded[a]->replay.empty())
        os << "trace replay: " << apps[a].name << " replays " << loaded[a]->replay.size() << " recorded jobs of "
           << w.apps[a].trace << " (" << loaded[a]->history.size() << " earlier ones train the schedulers)\n";
    bool any = false;
    for (const Row &r : rows)
      any = any || r.replayMismatches;
    if (!any) {
      os << "replay mismatches: none (" << replayed << " replayed jobs ran as recorded)\n";
    } else {
      os << "replay mismatches (instances that departed from the record):";
      for (const Row &r : rows)
        os << " " << r.scheduler << " " << r.replayMismatches;
      os << "\n";
      for (const Row &r : rows)
        if (r.replayMismatches) {
          for (const std::string &n : r.replayNotes)
            os << "  " << n << "\n";
          break;
        }
    }
  }
  llvm::outs() << os.str();
  if (args.has("json")) {
    llvm::json::Array arr;
    for (const Row &r : rows) {
      llvm::json::Object o = *engine::toJSON(r.s).getAsObject();
      o["scheduler"] = r.scheduler;
      o["decisions"] = int64_t(r.decisions);
      o["mean_decision_us"] = r.meanDecisionUs;
      o["p99_decision_us"] = r.p99DecisionUs;
      o["wall_seconds"] = r.wall;
      o["max_active_jobs"] = int64_t(r.maxActive);
      o["replay_mismatches"] = int64_t(r.replayMismatches);
      llvm::json::Array jct;
      for (double x : r.jct)
        jct.push_back(x);
      o["jct"] = std::move(jct);
      arr.push_back(std::move(o));
    }
    llvm::json::Object doc{{"workload", w.name}, {"jobs", int64_t(w.jobs)}, {"seed", int64_t(w.seed)},
                           {"rate", w.rate},     {"results", std::move(arr)}};
    std::string text;
    llvm::raw_string_ostream js(text);
    js << llvm::formatv("{0:2}", llvm::json::Value(std::move(doc))) << "\n";
    if (!writeOutput(args.get("json"), js.str()))
      return kEnvironment;
  }
  unsigned failed = 0;
  for (const Row &r : rows)
    failed += r.s.failed;
  return failed ? kErrors : kOk;
}

Command simulateCommand() {
  Command c;
  c.name = "simulate";
  c.summary = "Simulate a workload (docs/simulate.md) in virtual time under several schedulers and compare\n"
              "average and tail JCT, makespan and decision times. Deterministic by seed.\n"
              "Exit status: 0 ok, 1 some simulated jobs failed, 2 usage, 3 environment.";
  c.usage = "[options] WORKLOAD.toml";
  c.options = diagnosticOptions();
  c.options.push_back({"scheduler", true, "comma-separated schedulers (default: the workload's list)", "A,B,..."});
  c.options.push_back({"jobs", true, "number of jobs (default: the workload's)", "N"});
  c.options.push_back({"seed", true, "seed (default: the workload's)", "S"});
  c.options.push_back({"arrival-rate", true, "Poisson arrival rate, jobs per second (default: the workload's)", "R"});
  c.options.push_back({"rate", true, "", "R", "arrival-rate"});
  c.options.push_back({"json", true, "write the results (with every job's JCT) as JSON", "FILE"});
  c.run = runSimulate;
  return c;
}

} // namespace llmflow::cli
