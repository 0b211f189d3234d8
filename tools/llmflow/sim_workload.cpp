#include "sim_workload.h"

#include "llvm/Support/raw_ostream.h"

namespace llmflow::cli {
namespace {

/// Loads one [[apps]] entry: program, behaviour model, inputs and, for trace
/// replay, its recorded jobs split into history and replay.
int loadSimApp(const Args &args, const sim::WorkloadApp &wa, LoadedSimApp &s, sim::ExperimentApp &data) {
  Args appArgs = args;
  appArgs.values.erase("app");
  if (!wa.app.empty())
    appArgs.values["app"] = wa.app;
  int code = kOk;
  auto la = loadApplication(appArgs, wa.path, &code);
  if (!la)
    return code;
  s.loaded = std::move(*la);
  const LoadedApp &L = s.loaded;
  if (!loadSimParts(L, {}, s.parts))
    return kEnvironment;
  data.weight = wa.weight;
  if (L.inputsPath.empty() || !readInputLines(L.inputsPath, L, data.inputs)) {
    llvm::errs() << "llmflow: " << wa.path << ": needs an inputs.jsonl with sample jobs\n";
    return kEnvironment;
  }
  if (wa.trace.empty())
    return kOk;
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
    llvm::errs() << "llmflow: " << wa.trace << ": " << recs->size() - ok.size() << " failed job(s) left out of the replay\n";
  size_t half = ok.size() / 2;
  data.history.assign(std::make_move_iterator(ok.begin()), std::make_move_iterator(ok.begin() + half));
  data.replay.assign(std::make_move_iterator(ok.begin() + half), std::make_move_iterator(ok.end()));
  s.index = std::make_unique<sim::ReplayIndex>(L.module, *L.app);
  return kOk;
}

} // namespace

int loadSimWorkload(const Args &args, const sim::Workload &w, SimWorkload &out) {
  out.data.resize(w.apps.size());
  for (size_t a = 0; a < w.apps.size(); ++a) {
    out.loaded.push_back(std::make_unique<LoadedSimApp>());
    if (int code = loadSimApp(args, w.apps[a], *out.loaded.back(), out.data[a]))
      return code;
  }
  for (auto &l : out.loaded)
    out.apps.push_back({l->loaded.app->name, &l->loaded.module, l->loaded.app, l->parts.behaviour.get(),
                        l->parts.model.get(), l->index.get()});
  out.cfg.llmEndpoints = w.llmEndpoints;
  out.cfg.llmMaxInFlight = w.llmMaxInFlight;
  out.cfg.regularSlots = w.regularSlots;
  out.cfg.serving = w.gpu == "a100" ? serving::ServingParams::a100() : serving::ServingParams::h100();
  out.cfg.seed = w.seed;
  return kOk;
}

double arrivalRate(const SimWorkload &s, const sim::Workload &w, double *capacity) {
  // Measuring the capacity is a whole FCFS simulation of the jobs: only
  // when a load factor needs it.
  *capacity = 0;
  if (w.rate)
    return *w.rate;
  *capacity = sim::burstCapacity(s.apps, sim::makeJobs(s.data, w.jobs, 0, w.seed), s.cfg);
  return *w.load * *capacity;
}

} // namespace llmflow::cli
