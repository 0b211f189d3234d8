// llmflow simulate WORKLOAD.toml: the discrete-event simulator. Loads the
// workload's applications, learns the schedulers' history on profiles from
// disjoint seeds, sets the arrival rate (given, or a load factor of the
// measured burst capacity), then runs the same jobs under every scheduler
// and prints a comparison. The experiment's pieces are sim/experiment.h.
#include "commands.h"
#include "knob_flags.h"
#include "policy_flag.h"
#include "sim_training.h"
#include "sim_workload.h"

#include "engine/summary.h"
#include "profile/knowledge.h"
#include "sim/experiment.h"
#include "sim/replay.h"
#include "sim/workload.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

namespace llmflow::cli {
namespace {

class Truth : public sched::Clairvoyance {
public:
  llvm::DenseMap<uint64_t, std::pair<double, double>> byJob;
  double standaloneTime(uint64_t job) const override { return byJob.lookup(job).first; }
  double standaloneWork(uint64_t job) const override { return byJob.lookup(job).second; }
};

struct Row {
  std::string scheduler;
  engine::BatchSummary s;
  double meanDecisionUs = 0, p99DecisionUs = 0, wall = 0, queueing = 0;
  unsigned decisions = 0, maxActive = 0;
  std::vector<double> jct;
  sim::SimResult result;
};

/// Command-line overrides of the workload; false after a message.
bool applyFlags(const Args &args, sim::Workload &w) {
  auto fail = [](const char *msg) {
    llvm::errs() << "llmflow simulate: " << msg << "\n";
    return false;
  };
  if (args.has("jobs") && (llvm::StringRef(args.get("jobs")).getAsInteger(10, w.jobs) || w.jobs == 0))
    return fail("--jobs expects a positive integer");
  if (args.has("seed") && llvm::StringRef(args.get("seed")).getAsInteger(10, w.seed))
    return fail("--seed expects an integer");
  for (const char *flag : {"arrival-rate", "load"}) {
    if (!args.has(flag))
      continue;
    double x;
    if (llvm::StringRef(args.get(flag)).getAsDouble(x) || !std::isfinite(x) || x <= 0)
      return fail(llvm::StringRef(flag) == "load" ? "--load expects a load factor > 0"
                                                  : "--arrival-rate expects jobs per second > 0");
    (llvm::StringRef(flag) == "load" ? w.load : w.rate) = x;
    (llvm::StringRef(flag) == "load" ? w.rate : w.load).reset();
  }
  if (args.has("load") && args.has("arrival-rate"))
    return fail("give --arrival-rate or --load, not both");
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
  return applyKnobFlags(args, w.knobs, "simulate");
}

llvm::json::Value jobRecords(const sim::SimResult &r, const std::vector<sim::SimApp> &apps, const Truth &truth) {
  llvm::json::Array out;
  for (const sim::JobOutcome &o : r.jobs) {
    llvm::json::Object j{{"id", int64_t(o.id)},
                         {"app", apps[o.app].name},
                         {"arrival", o.arrival},
                         {"status", o.ok ? "ok" : "failed"},
                         {"jct", o.finish - o.arrival},
                         {"standalone", truth.standaloneTime(o.id)},
                         {"work", o.work},
                         {"standalone_work", truth.standaloneWork(o.id)},
                         {"llm_calls", int64_t(o.llmCalls)},
                         {"tool_calls", int64_t(o.toolCalls)},
                         {"tokens_in", int64_t(o.tokensIn)},
                         {"tokens_out", int64_t(o.tokensOut)}};
    if (!o.ok)
      j["error"] = o.error;
    out.push_back(std::move(j));
  }
  return out;
}

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
  if (!applyFlags(args, w))
    return kUsage;

  SimWorkload sw;
  if (int code = loadSimWorkload(args, w, sw))
    return code;
  const auto &loaded = sw.loaded;
  const std::vector<sim::ExperimentApp> &data = sw.data;
  const std::vector<sim::SimApp> &apps = sw.apps;
  const sim::SimConfig &cfg = sw.cfg;

  // What the schedulers know: profiles of each application run alone, the
  // means the baselines use, and the networks LLMSched uses (sim_training.h).
  bool wantBN = std::any_of(w.schedulers.begin(), w.schedulers.end(),
                            [](const std::string &s) { return llvm::StringRef(s).startswith("llmsched"); });
  SimTraining training;
  if (int code = trainSchedulers(DiskCache::fromArgs(args), w, sw, wantBN, training))
    return code;
  sched::Knowledge knowledge = profile::buildKnowledge(training.history);
  std::vector<const estimate::AppBN *> networks, independents;
  for (const estimate::TrainedApp &t : training.trained) {
    networks.push_back(t.network.get());
    independents.push_back(t.independent.get());
  }

  // The evaluated jobs, at the given rate or at a load of the burst capacity.
  double capacity = 0;
  double rate = arrivalRate(sw, w, &capacity);
  std::vector<sim::SimJob> jobs = sim::makeJobs(data, w.jobs, rate, w.seed);
  // Each job run alone: the oracle's truth and the baseline of queueing
  // delay. A simulation per job, so only when an oracle or --json (whose
  // job records carry it) asks for it.
  Truth truth;
  bool wantTruth = args.has("json") || std::any_of(w.schedulers.begin(), w.schedulers.end(), [](const std::string &s) {
                     return llvm::StringRef(s).startswith("oracle");
                   });
  if (wantTruth) {
    std::vector<sim::JobOutcome> alone = sim::standalone(apps, jobs, cfg);
    for (size_t i = 0; i < jobs.size(); ++i)
      truth.byJob[jobs[i].id] = {alone[i].finish - alone[i].arrival, alone[i].work};
  }

  std::function<std::unique_ptr<sched::Scheduler>()> decima;
  std::string policy = args.get("policy", w.decimaPolicy);
  if (!policy.empty() && llvm::is_contained(w.schedulers, "decima")) {
    std::vector<std::pair<const ir::Module *, const ir::App *>> fit;
    for (const sim::SimApp &a : apps)
      fit.push_back({a.module, a.app});
    if (!loadPolicyFlag(policy, fit, decima))
      return kEnvironment;
  }

  std::vector<Row> rows;
  for (const std::string &name : w.schedulers) {
    sched::SchedulerContext ctx;
    ctx.seed = w.seed;
    ctx.knowledge = &knowledge;
    ctx.truth = wantTruth ? &truth : nullptr;
    ctx.llmsched = &w.knobs.llmsched;
    ctx.decima = decima;
    estimate::BNEstimatorOptions eo = w.knobs.estimator;
    if (wantBN) {
      ctx.bnEstimator = [&networks, eo] { return estimate::makeBNEstimator(networks, eo); };
      ctx.independentEstimator = [&independents, eo] { return estimate::makeBNEstimator(independents, eo); };
    }
    std::string why;
    auto scheduler = sched::makeScheduler(name, ctx, &why);
    if (!scheduler) {
      llvm::errs() << "llmflow: " << why << "\n";
      return kUsage;
    }
    Row row;
    row.scheduler = name;
    row.result = sim::simulate(apps, jobs, *scheduler, cfg);
    const sim::SimResult &r = row.result;
    std::map<rt::JobId, engine::JobRecord> recs;
    double queueing = 0;
    for (const sim::JobOutcome &o : r.jobs) {
      engine::JobRecord &rec = recs[o.id];
      rec.id = o.id;
      rec.arrival = o.arrival;
      rec.finish = o.finish;
      rec.ok = o.ok;
      if (o.ok) {
        row.jct.push_back(o.finish - o.arrival);
        queueing += std::max(0.0, o.finish - o.arrival - truth.standaloneTime(o.id));
      } else {
        llvm::errs() << "llmflow: job " << o.id << " failed under " << name << ": " << o.error << "\n";
      }
    }
    row.s = engine::summarize(recs);
    row.queueing = row.jct.empty() ? 0 : queueing / double(row.jct.size());
    std::vector<double> d = r.decisionSeconds;
    std::sort(d.begin(), d.end());
    double sum = 0;
    for (double x : d)
      sum += x;
    row.decisions = r.decisions;
    row.meanDecisionUs = d.empty() ? 0 : sum / double(d.size()) * 1e6;
    row.p99DecisionUs = engine::percentile(d, 0.99) * 1e6;
    row.wall = r.wallSeconds;
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
  os << "workload " << w.name << ": " << w.jobs << " jobs, arrival rate " << llvm::format("%.3g", rate) << "/s";
  if (capacity > 0)
    os << " = load " << llvm::format("%.2f", rate / capacity) << " of the burst capacity "
       << llvm::format("%.3g", capacity) << " jobs/s";
  os << ", seed " << w.seed << ", " << w.llmEndpoints << "x" << w.llmMaxInFlight << " LLM slots, "
     << w.regularSlots << " regular slots\n";
  os << "scheduler        avg JCT s      vs   queue s     p50 s     p95 s     p99 s makespan s decisions    mean us"
        "     p99 us    jobs/s\n";
  for (const Row &r : rows) {
    double ratio = ref->s.avgJCT > 0 ? r.s.avgJCT / ref->s.avgJCT : 0;
    os << llvm::format("%-15s %10.2f %7.3f ", r.scheduler.c_str(), r.s.avgJCT, ratio);
    if (wantTruth)
      os << llvm::format("%9.2f", r.queueing);
    else
      os << "        -";
    os << llvm::format(" %9.2f %9.2f %9.2f %10.1f %9u %10.1f %10.1f %9.0f\n", r.s.p50, r.s.p95, r.s.p99, r.s.makespan,
                       r.decisions, r.meanDecisionUs, r.p99DecisionUs, r.wall > 0 ? w.jobs / r.wall : 0.0);
  }
  os << "(vs = average JCT relative to " << ref->scheduler
     << "; queue = mean queueing delay, JCT minus the job's standalone time"
     << (wantTruth ? "" : " (not measured: it runs every job alone, done for an oracle scheduler or --json)")
     << "; jobs/s = simulated jobs per second of "
        "wall time)\n";
  if (wantBN)
    os << "llmsched knobs: " << estimate::describe(w.knobs) << "\n";
  unsigned replayed = 0;
  for (const sim::SimJob &j : jobs)
    replayed += j.trace != nullptr;
  if (replayed) {
    for (size_t a = 0; a < loaded.size(); ++a)
      if (!data[a].replay.empty())
        os << "trace replay: " << apps[a].name << " replays " << data[a].replay.size() << " recorded jobs of "
           << w.apps[a].trace << " (" << data[a].history.size() << " earlier ones train the schedulers)\n";
    bool any = false;
    for (const Row &r : rows)
      any = any || r.result.replayMismatches;
    if (!any) {
      os << "replay mismatches: none (" << replayed << " replayed jobs ran as recorded)\n";
    } else {
      os << "replay mismatches (instances that departed from the record):";
      for (const Row &r : rows)
        os << " " << r.scheduler << " " << r.result.replayMismatches;
      os << "\n";
      for (const Row &r : rows)
        if (r.result.replayMismatches) {
          for (const std::string &n : r.result.replayNotes)
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
      o["mean_queueing_delay"] = r.queueing;
      o["replay_mismatches"] = int64_t(r.result.replayMismatches);
      llvm::json::Array jct;
      for (double x : r.jct)
        jct.push_back(x);
      o["jct"] = std::move(jct);
      o["jobs"] = jobRecords(r.result, apps, truth);
      arr.push_back(std::move(o));
    }
    llvm::json::Object doc{{"workload", w.name}, {"jobs", int64_t(w.jobs)}, {"seed", int64_t(w.seed)},
                           {"rate", rate}, {"results", std::move(arr)}};
    if (capacity > 0) { // measured only for a load factor
      doc["load"] = rate / capacity;
      doc["capacity"] = capacity;
    }
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
              "average and tail JCT, queueing delay, makespan and decision times. Deterministic by seed.\n"
              "Exit status: 0 ok, 1 some simulated jobs failed, 2 usage, 3 environment.";
  c.usage = "[options] WORKLOAD.toml";
  c.options = diagnosticOptions();
  c.options.push_back({"scheduler", true, "comma-separated schedulers (default: the workload's list)", "A,B,..."});
  c.options.push_back({"jobs", true, "number of jobs (default: the workload's)", "N"});
  c.options.push_back({"seed", true, "seed (default: the workload's)", "S"});
  c.options.push_back({"arrival-rate", true, "Poisson arrival rate, jobs per second (default: the workload's)", "R"});
  c.options.push_back({"rate", true, "", "R", "arrival-rate"});
  c.options.push_back({"load", true, "arrival rate as a multiple of the measured burst capacity", "L"});
  c.options.push_back({"json", true, "write the results (with every job's record) as JSON", "FILE"});
  c.options.push_back(policyOption());
  c.options.push_back({"cache-dir", true,
                       "where training profiles and networks are cached (default $XDG_CACHE_HOME/llmflow)", "DIR"});
  c.options.push_back({"no-cache", false, "neither read nor write the cache (train from scratch)"});
  for (OptionSpec &o : knobOptions(true))
    c.options.push_back(std::move(o));
  c.run = runSimulate;
  return c;
}

} // namespace llmflow::cli
