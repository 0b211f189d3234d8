#include "run_scheduler.h"

#include "flags.h"
#include "knob_flags.h"
#include "policy_flag.h"

#include "estimate/model_file.h"
#include "estimate/train_app.h"
#include "profile/knowledge.h"
#include "profile/profile.h"
#include "sched/knowledge.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace llmflow::cli {

RunScheduler::RunScheduler() = default;
RunScheduler::~RunScheduler() = default;

/// An application's network: --bn, else APP.bn.json or bn.json beside its
/// program (where `llmflow bn train` writes it); "" when there is none.
static std::string networkPath(const Args &args, const RunApp &a) {
  if (args.has("bn"))
    return args.get("bn");
  for (std::string name : {a.app->name + ".bn.json", std::string("bn.json")}) {
    llvm::SmallString<256> p(a.program->dir);
    llvm::sys::path::append(p, name);
    if (llvm::sys::fs::exists(p))
      return std::string(p);
  }
  return "";
}

static std::string quotedList(llvm::ArrayRef<std::string> names) {
  std::string out;
  for (const std::string &n : names)
    out += (out.empty() ? "'" : ", '") + n + "'";
  return out;
}

bool makeRunScheduler(const Args &args, llvm::ArrayRef<RunApp> apps, uint64_t seed, RunScheduler &out,
                      int *exitCode) {
  *exitCode = kUsage;
  estimate::Knobs knobs;
  if (!applyKnobFlags(args, knobs, "run"))
    return false;
  out.knobs = knobs.llmsched;
  sched::SchedulerContext sctx;
  sctx.seed = seed;
  for (const RunApp &a : apps)
    sctx.apps.push_back(a.app->name);
  sctx.llmsched = &out.knobs;
  std::vector<std::pair<const ir::Module *, const ir::App *>> modules;
  for (const RunApp &a : apps)
    modules.push_back({&a.program->module, a.app});

  if (args.has("profile")) {
    auto profiles = profile::readProfiles(args.get("profile"));
    if (!profiles) {
      llvm::errs() << "llmflow: " << llvm::toString(profiles.takeError()) << "\n";
      *exitCode = kEnvironment;
      return false;
    }
    if (llvm::Error e = profile::checkAgainst(*profiles, modules)) {
      llvm::errs() << "llmflow: " << args.get("profile") << ": " << llvm::toString(std::move(e)) << "\n";
      *exitCode = kErrors;
      return false;
    }
    out.knowledge = std::make_unique<sched::Knowledge>(profile::buildKnowledge(*profiles));
    sctx.knowledge = out.knowledge.get();
  }

  std::vector<std::string> withoutNetwork;
  std::vector<const estimate::AppBN *> nets, flats;
  for (const RunApp &a : apps) {
    std::string path = networkPath(args, a);
    if (path.empty()) {
      withoutNetwork.push_back(a.app->name);
      continue;
    }
    auto file = estimate::readModelFile(path);
    if (!file) {
      llvm::errs() << "llmflow: " << llvm::toString(file.takeError()) << "\n";
      *exitCode = kEnvironment;
      return false;
    }
    // A program whose applications all run shares one bn.json among them:
    // it is the network of the application it was trained for.
    bool shared = !args.has("bn") && llvm::sys::path::filename(path) == "bn.json" &&
                  llvm::count_if(apps, [&](const RunApp &b) { return b.program == a.program; }) > 1;
    if (shared && file->net.app != a.app->name) {
      withoutNetwork.push_back(a.app->name);
      continue;
    }
    auto loaded = estimate::loadApp(a.program->module, *a.app, std::move(file->net));
    if (!loaded) {
      llvm::errs() << "llmflow: " << path << ": " << llvm::toString(loaded.takeError()) << "\n";
      *exitCode = kErrors;
      return false;
    }
    nets.push_back(loaded->network.get());
    flats.push_back(loaded->independent.get());
    out.networks.push_back(std::move(loaded->network));
    out.independents.push_back(std::move(loaded->independent));
  }
  if (withoutNetwork.empty()) {
    estimate::BNEstimatorOptions eo = knobs.estimator;
    sctx.bnEstimator = [nets, eo] { return estimate::makeBNEstimator(nets, eo); };
    sctx.independentEstimator = [flats, eo] { return estimate::makeBNEstimator(flats, eo); };
  }
  if (args.has("policy") && !loadPolicyFlag(args.get("policy"), modules, sctx.decima)) {
    *exitCode = kEnvironment;
    return false;
  }

  std::string name = args.get("scheduler", withoutNetwork.empty() ? "llmsched" : "fcfs");
  if (!args.has("scheduler") && !withoutNetwork.empty())
    llvm::errs() << "llmflow: scheduling FCFS: no trained network for " << quotedList(withoutNetwork)
                 << "; for LLMSched, train one first: llmflow profile APP -o p.jsonl && llmflow bn train p.jsonl "
                    "--program APP\n";
  // These rank a job by what they know of its application: one they know
  // nothing of would look nearly done (its estimate 0) and go first.
  // Refused rather than scheduled that way.
  if (llvm::StringRef(name).startswith("llmsched") && !withoutNetwork.empty()) {
    llvm::errs() << "llmflow: scheduler '" << name << "' needs a trained network of every application it runs; none "
                 << "for " << quotedList(withoutNetwork) << " (--bn FILE, or APP.bn.json beside the program: "
                 << "llmflow profile APP -o p.jsonl && llmflow bn train p.jsonl --program APP)\n";
    return false;
  }
  std::string why;
  out.scheduler = sched::makeScheduler(name, sctx, &why);
  if (!out.scheduler) {
    llvm::errs() << "llmflow: " << why << " (available:";
    for (const std::string &n : sched::schedulerNames())
      llvm::errs() << " " << n;
    llvm::errs() << ")\n";
    return false;
  }
  *exitCode = kOk;
  return true;
}

} // namespace llmflow::cli
