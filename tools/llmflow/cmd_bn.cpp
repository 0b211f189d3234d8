// llmflow bn train|show|export: Bayesian networks of an application's stages
// learned from profiles (docs/bn.md).
#include "app_loader.h"
#include "commands.h"
#include "flags.h"

#include "estimate/model_file.h"
#include "estimate/train_app.h"
#include "estimate/variables.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <random>

namespace llmflow::cli {

static int bnTrain(const Args &args) {
  if (args.positionals.size() != 2 || !args.has("program")) {
    llvm::errs() << "llmflow bn train: expected PROFILE.jsonl and --program APP\ntry 'llmflow bn --help'\n";
    return kUsage;
  }
  int code = kOk;
  auto app = loadApplication(args, args.get("program"), &code);
  if (!app)
    return code;
  auto profiles = profile::readProfiles(args.positionals[1]);
  if (!profiles) {
    llvm::errs() << "llmflow: " << llvm::toString(profiles.takeError()) << "\n";
    return kEnvironment;
  }
  if (llvm::Error e = profile::checkAgainst(*profiles, app->module, app->app->name)) {
    llvm::errs() << "llmflow: " << args.positionals[1] << ": " << llvm::toString(std::move(e)) << "\n";
    return kErrors;
  }
  bn::TrainOptions opts;
  double holdout = 0.2;
  if (!numberFlag(args, "bins", NumberSpec{2, 64, false, true}, opts.bins) ||
      !numberFlag(args, "max-parents", NumberSpec{0, 8, false, true}, opts.maxParents) ||
      !numberFlag(args, "holdout", NumberSpec{0, 0.9}, holdout))
    return kUsage;
  if (args.has("search"))
    opts.search = args.get("search");
  estimate::AppModel am = estimate::appModel(app->module, *app->app);
  // A seeded split so a user sees whether the correlations generalise.
  std::vector<profile::JobProfile> train, test;
  std::mt19937_64 rng(7);
  for (const profile::JobProfile &p : *profiles)
    (std::uniform_real_distribution<double>(0, 1)(rng) < holdout ? test : train).push_back(p);
  if (train.size() < 10) {
    llvm::errs() << "llmflow bn train: only " << train.size()
                 << " profiled jobs to learn from; profile at least 10 (better 100 or more)\n";
    return kErrors;
  }
  auto ds = estimate::dataset(am, train);
  if (!ds) {
    llvm::errs() << "llmflow: " << llvm::toString(ds.takeError()) << "\n";
    return kErrors;
  }
  auto net = bn::train(*ds, am.specs, opts);
  if (!net) {
    llvm::errs() << "llmflow: training failed: " << llvm::toString(net.takeError()) << "\n";
    return kErrors;
  }
  net->app = am.app;
  estimate::ModelFile f;
  f.net = std::move(*net);
  f.nodes = estimate::nodeMeans(train);
  llvm::errs() << "trained on " << ds->rows.size() << " jobs: " << f.net.vars.size() << " variables, "
               << f.net.edgeCount() << " edges\n";
  // How many rows each table rests on: thin tables mean profile more jobs.
  llvm::errs() << "rows per parent configuration (fewest / median over the configurations):\n";
  for (const estimate::TableSupport &t : estimate::tableSupport(f.net, *ds))
    llvm::errs() << llvm::format("  %-48s %4zu configuration(s)  %6zu / %zu\n", t.variable.c_str(), t.configurations,
                                 t.fewest, t.median);
  if (!test.empty()) {
    auto tds = estimate::dataset(am, test);
    auto indep = bn::independent(f.net, *ds, opts.smoothing);
    if (tds && indep) {
      auto ll = bn::logLikelihood(f.net, *tds);
      auto li = bn::logLikelihood(*indep, *tds);
      if (ll && li) {
        f.heldOutLL = *ll;
        f.independentLL = *li;
        f.heldOutRows = unsigned(tds->rows.size());
        llvm::errs() << llvm::format("held-out log-likelihood per job (%u jobs): network %.3f, independent stages %.3f (%+.3f)\n",
                                     f.heldOutRows, *ll, *li, *ll - *li);
      } else {
        if (!ll) llvm::errs() << "llmflow: " << llvm::toString(ll.takeError()) << "\n";
        if (!li) llvm::errs() << "llmflow: " << llvm::toString(li.takeError()) << "\n";
      }
    } else {
      if (!tds) llvm::errs() << "llmflow: " << llvm::toString(tds.takeError()) << "\n";
      if (!indep) llvm::errs() << "llmflow: " << llvm::toString(indep.takeError()) << "\n";
    }
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0:2}", estimate::toJSON(f)) << "\n";
  // By default beside the program, where run and batch look for it.
  std::string out = args.get("o");
  if (out.empty()) {
    llvm::SmallString<256> p(app->dir);
    llvm::sys::path::append(p, app->app->name + ".bn.json");
    out = std::string(p);
  }
  if (!writeOutput(out, os.str()))
    return kEnvironment;
  if (out != "-")
    llvm::errs() << "wrote " << out << "\n";
  return kOk;
}

static int bnShow(const Args &args) {
  if (args.positionals.size() != 2) {
    llvm::errs() << "llmflow bn show: expected APP.bn.json\n";
    return kUsage;
  }
  auto f = estimate::readModelFile(args.positionals[1]);
  if (!f) {
    llvm::errs() << "llmflow: " << llvm::toString(f.takeError()) << "\n";
    return kEnvironment;
  }
  if (args.has("dot"))
    return writeOutput(args.get("o", "-"), bn::toDOT(f->net)) ? kOk : kEnvironment;
  std::string text;
  llvm::raw_string_ostream os(text);
  const bn::Network &n = f->net;
  os << "network of '" << n.app << "': " << n.vars.size() << " variables, " << n.edgeCount() << " edges, trained on "
     << n.trainRows << " jobs (" << n.bins << " bins, at most " << n.maxParents << " parents, " << n.search << ")\n";
  if (f->heldOutRows)
    os << llvm::format("held-out log-likelihood per job: %.3f vs %.3f for independent stages (%u jobs)\n",
                       f->heldOutLL, f->independentLL, f->heldOutRows);
  for (size_t v = 0; v < n.vars.size(); ++v) {
    const bn::Variable &x = n.vars[v];
    os << "  " << x.name << " [" << (x.kind == bn::Variable::Kind::Duration ? "duration" : "structure") << ", "
       << x.states.size() << " states";
    if (!n.parents[v].empty()) {
      os << "; parents:";
      for (unsigned p : n.parents[v])
        os << " " << n.vars[p].name;
    }
    os << "]\n    states:";
    for (size_t s = 0; s < x.states.size(); ++s)
      os << " " << x.states[s];
    os << "\n";
  }
  return writeOutput(args.get("o", "-"), os.str()) ? kOk : kEnvironment;
}

static int bnExport(const Args &args) {
  if (args.positionals.size() != 2) {
    llvm::errs() << "llmflow bn export: expected APP.bn.json\n";
    return kUsage;
  }
  auto f = estimate::readModelFile(args.positionals[1]);
  if (!f) {
    llvm::errs() << "llmflow: " << llvm::toString(f.takeError()) << "\n";
    return kEnvironment;
  }
  std::string format = args.get("format", "bif");
  if (format != "bif" && format != "xmlbif") {
    llvm::errs() << "llmflow bn export: --format expects bif or xmlbif\n";
    return kUsage;
  }
  std::string text = format == "bif" ? bn::toBIF(f->net) : bn::toXMLBIF(f->net);
  return writeOutput(args.get("o", "-"), text) ? kOk : kEnvironment;
}

static int runBN(const Args &args) {
  std::string sub = args.positionals.empty() ? "" : args.positionals[0];
  if (sub == "train")
    return bnTrain(args);
  if (sub == "show")
    return bnShow(args);
  if (sub == "export")
    return bnExport(args);
  llvm::errs() << "llmflow bn: expected 'train', 'show' or 'export'\ntry 'llmflow bn --help'\n";
  return kUsage;
}

Command bnCommand() {
  Command c;
  c.name = "bn";
  c.summary = "Bayesian networks of an application's stages (docs/bn.md):\n"
              "  bn train PROFILE.jsonl --program APP [-o FILE]        learn from profiles (default output: APP.bn.json\n"
              "                                                         beside the program, where run and batch find it)\n"
              "  bn show APP.bn.json [--dot]                            variables, states, parents (or a DOT picture)\n"
              "  bn export APP.bn.json --format=bif|xmlbif [-o FILE]    for pgmpy, bnlearn\n"
              "Exit status: 0 ok, 1 the profile does not fit the program or training failed, 2 usage, 3 environment.";
  c.usage = "train|show|export ...";
  c.options = diagnosticOptions();
  c.options.push_back({"program", true, "train: the application the profile is of (folder, .llmflow or IR .json)", "APP"});
  c.options.push_back({"app", true, "train: the application when the module has several", "NAME"});
  c.options.push_back({"o", true, "output file (train: APP.bn.json beside the program; show, export: stdout; - = stdout)", "FILE"});
  c.options.push_back({"bins", true, "train: duration bins (default 6)", "K"});
  c.options.push_back({"max-parents", true, "train: parents per variable (default 2)", "P"});
  c.options.push_back({"holdout", true, "train: fraction of jobs held out for the log-likelihood check (default 0.2)", "F"});
  c.options.push_back({"search", true, "train: hill-climbing (default) or k2", "NAME"});
  c.options.push_back({"dot", false, "show: print a Graphviz DOT picture"});
  c.options.push_back({"format", true, "export: bif (default) or xmlbif", "F"});
  c.run = runBN;
  return c;
}

} // namespace llmflow::cli
