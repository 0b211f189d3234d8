// llmflow estimate APP --bn APP.bn.json: how long and how many LLM calls a
// job and a batch will take, from the trained network alone (no LLM call).
#include "app_loader.h"
#include "commands.h"
#include "flags.h"

#include "estimate/bn_estimator.h"
#include "estimate/model_file.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace llmflow::cli {

/// The q-quantile of a duration variable under a distribution over its
/// states, interpolating inside the bin that crosses q.
static double quantile(const bn::Variable &x, const std::vector<double> &p, double q) {
  double total = 0;
  size_t n = x.hasAbsent ? x.states.size() - 1 : x.states.size();
  for (size_t s = 0; s < n; ++s)
    total += p[s];
  if (total <= 0)
    return 0;
  double acc = 0;
  for (size_t s = 0; s < n; ++s) {
    double next = acc + p[s] / total;
    if (next >= q || s + 1 == n) {
      double lo = x.lo[s], hi = x.hi[s];
      double frac = p[s] > 0 ? (q - acc) / (p[s] / total) : 0;
      return lo + std::clamp(frac, 0.0, 1.0) * (hi - lo);
    }
    acc = next;
  }
  return 0;
}

static int runEstimate(const Args &args) {
  if (args.positionals.size() != 1 || !args.has("bn")) {
    llvm::errs() << "llmflow estimate: expected APP and --bn APP.bn.json\ntry 'llmflow estimate --help'\n";
    return kUsage;
  }
  unsigned jobs = 1;
  double rate = 0, slots = 0;
  if (!numberFlag(args, "jobs", kJobsSpec, jobs) || !numberFlag(args, "arrival-rate", kRateSpec, rate) ||
      !numberFlag(args, "llm-slots", kSlotsSpec, slots))
    return kUsage;
  int code = kOk;
  auto app = loadApplication(args, args.positionals[0], &code);
  if (!app)
    return code;
  auto file = estimate::readModelFile(args.get("bn"));
  if (!file) {
    llvm::errs() << "llmflow: " << llvm::toString(file.takeError()) << "\n";
    return kEnvironment;
  }
  if (file->net.app != app->app->name) {
    llvm::errs() << "llmflow: " << args.get("bn") << " is a network of '" << file->net.app << "', not of '"
                 << app->app->name << "'\n";
    return kErrors;
  }
  auto abn = estimate::AppBN::make(estimate::appModel(app->module, *app->app), file->net);
  if (!abn) {
    llvm::errs() << "llmflow: " << args.get("bn") << ": " << llvm::toString(abn.takeError()) << "\n";
    return kErrors;
  }
  const bn::Network &net = (*abn)->net;
  auto total = net.find(estimate::kTotalVariable);
  if (!total) {
    llvm::errs() << "llmflow: the network has no job-time variable; retrain it with this version\n";
    return kErrors;
  }
  bn::Inference inf(net);
  std::vector<double> p = inf.posterior(*total);
  const bn::Variable &tv = net.vars[*total];
  double mean = inf.expected(*total), p50 = quantile(tv, p, 0.5), p90 = quantile(tv, p, 0.9);
  double calls = 0, tin = 0, tout = 0, llmWork = 0;
  for (const auto &[id, m] : file->nodes)
    if (m.llm) {
      calls += m.calls;
      tin += m.tokensIn;
      tout += m.tokensOut;
      if (auto v = net.find(id))
        llmWork += inf.expected(*v);
    }
  std::string out;
  llvm::raw_string_ostream os(out);
  llvm::json::Object doc{{"app", app->app->name},
                         {"trained_on", int64_t(net.trainRows)},
                         {"per_job", llvm::json::Object{{"mean_s", mean}, {"p50_s", p50}, {"p90_s", p90},
                                                        {"llm_calls", calls}, {"tokens_in", tin},
                                                        {"tokens_out", tout}}}};
  os << "application " << app->app->name << " (network trained on " << net.trainRows << " jobs)\n";
  os << llvm::format("per job: completion time mean %.2f s, p50 %.2f s, p90 %.2f s; %.1f LLM calls, %.0f tokens in, %.0f out\n",
                     mean, p50, p90, calls, tin, tout);
  if (jobs > 1 || rate > 0) {
    double arrivals = rate > 0 ? (jobs - 1) / rate : 0;
    double batch = arrivals + mean;
    std::string bound = "arrivals";
    if (slots > 0 && jobs * llmWork / slots + mean > batch) {
      batch = jobs * llmWork / slots + mean;
      bound = "LLM capacity";
    }
    os << llvm::format("batch of %u jobs: about %.1f s (bound by %s), %.0f LLM calls, %.0f tokens in, %.0f out\n", jobs,
                       batch, bound.c_str(), calls * jobs, tin * jobs, tout * jobs);
    doc["batch"] = llvm::json::Object{{"jobs", int64_t(jobs)},  {"seconds", batch},        {"bound_by", bound},
                                      {"llm_calls", calls * jobs}, {"tokens_in", tin * jobs}, {"tokens_out", tout * jobs}};
  }
  if (args.has("check")) {
    auto held = profile::readProfiles(args.get("check"));
    if (!held) {
      llvm::errs() << "llmflow: " << llvm::toString(held.takeError()) << "\n";
      return kEnvironment;
    }
    unsigned n = 0, under50 = 0, under90 = 0;
    for (const profile::JobProfile &j : *held)
      if (j.status == "ok" && j.app == app->app->name) {
        ++n;
        under50 += j.total <= p50;
        under90 += j.total <= p90;
      }
    if (!n) {
      llvm::errs() << "llmflow: " << args.get("check") << " holds no finished jobs of this application\n";
      return kErrors;
    }
    os << llvm::format("calibration on %u held-out jobs: %.1f%% finished within the predicted p50, %.1f%% within p90\n",
                       n, 100.0 * under50 / n, 100.0 * under90 / n);
    doc["calibration"] = llvm::json::Object{{"jobs", int64_t(n)},
                                            {"within_p50", double(under50) / n},
                                            {"within_p90", double(under90) / n}};
  }
  // With --json - the JSON owns stdout and the text moves to stderr.
  (args.get("json") == "-" ? llvm::errs() : llvm::outs()) << os.str();
  if (args.has("json")) {
    std::string js;
    llvm::raw_string_ostream jos(js);
    jos << llvm::formatv("{0:2}", llvm::json::Value(std::move(doc))) << "\n";
    if (!writeOutput(args.get("json"), jos.str()))
      return kEnvironment;
  }
  return kOk;
}

Command estimateCommand() {
  Command c;
  c.name = "estimate";
  c.summary = "Predict, without calling any LLM, a job's completion time (mean, p50, p90), its LLM calls and\n"
              "tokens, and a batch's total time, from a network trained with 'llmflow bn train'.\n"
              "Exit status: 0 ok, 1 the network does not fit the program, 2 usage, 3 environment.";
  c.usage = "[options] APP --bn APP.bn.json [--jobs N] [--arrival-rate R] [--llm-slots N]";
  c.options = diagnosticOptions();
  c.options.push_back({"app", true, "the application when the module has several", "NAME"});
  c.options.push_back({"bn", true, "the trained network", "FILE"});
  c.options.push_back({"jobs", true, "batch size (default 1)", "N"});
  c.options.push_back({"arrival-rate", true, "jobs per second for the batch (default: all at once)", "R"});
  c.options.push_back({"llm-slots", true, "LLM requests in flight at once, for the batch bound", "N"});
  c.options.push_back({"check", true, "held-out profiles: report how often jobs finished within p50 and p90", "PROFILE.jsonl"});
  c.options.push_back({"json", true, "also write the estimates as JSON ('-' = stdout)", "FILE"});
  c.run = runEstimate;
  return c;
}

} // namespace llmflow::cli
