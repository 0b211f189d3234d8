// llmflow decima train WORKLOAD.toml -o POLICY.json: trains the Decima
// baseline (docs/decima.md) in the simulator on the workload's
// applications, executors and arrival rate, printing progress and writing
// the training curve as CSV and SVG beside the policy.
#include "commands.h"
#include "sim_workload.h"

#include "decima/train.h"
#include "profile/knowledge.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace llmflow::cli {
namespace {

bool positive(const Args &args, llvm::StringRef flag, unsigned &out, unsigned min) {
  if (!args.has(flag))
    return true;
  unsigned v = 0;
  if (llvm::StringRef(args.get(flag)).getAsInteger(10, v) || v < min) {
    llvm::errs() << "llmflow decima train: --" << flag << " expects an integer >= " << min << "\n";
    return false;
  }
  out = v;
  return true;
}

std::string curveCSV(const decima::TrainReport &r) {
  std::string out = "iteration,episodes,jobs_per_episode,train_avg_jct,validation_avg_jct,seconds\n";
  llvm::raw_string_ostream os(out);
  for (const decima::IterationStats &s : r.curve) {
    os << s.iteration << "," << s.episodes << "," << s.jobs << "," << llvm::format("%.4f", s.trainJCT) << ",";
    if (s.validationJCT >= 0)
      os << llvm::format("%.4f", s.validationJCT);
    os << "," << llvm::format("%.1f", s.seconds) << "\n";
  }
  return os.str();
}

/// The validation curve against FCFS and the initial policy, as SVG.
std::string curveSVG(const decima::TrainReport &r, const std::string &title) {
  std::vector<std::pair<double, double>> pts{{0, r.initialJCT}};
  for (const decima::IterationStats &s : r.curve)
    if (s.validationJCT >= 0)
      pts.push_back({double(s.episodes), s.validationJCT});
  double xmax = std::max(1.0, pts.back().first), ymax = std::max(r.fcfsJCT, 1e-9), ymin = r.fcfsJCT;
  for (auto [x, y] : pts) {
    ymax = std::max(ymax, y);
    ymin = std::min(ymin, y);
  }
  ymin *= 0.9;
  ymax *= 1.05;
  const double W = 640, H = 400, L = 60, R = 20, T = 40, B = 50;
  auto X = [&](double x) { return L + x / xmax * (W - L - R); };
  auto Y = [&](double y) { return H - B - (y - ymin) / (ymax - ymin) * (H - T - B); };
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
     << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << "<text x=\"" << L << "\" y=\"24\" font-size=\"14\">Decima training: " << title
     << " (validation average JCT, greedy)</text>\n";
  os << "<line x1=\"" << L << "\" y1=\"" << H - B << "\" x2=\"" << W - R << "\" y2=\"" << H - B
     << "\" stroke=\"black\"/><line x1=\"" << L << "\" y1=\"" << T << "\" x2=\"" << L << "\" y2=\"" << H - B
     << "\" stroke=\"black\"/>\n";
  for (int k = 0; k <= 4; ++k) {
    double y = ymin + (ymax - ymin) * k / 4, x = xmax * k / 4;
    os << llvm::format("<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.1f s</text>\n", L - 6, Y(y) + 4, y);
    os << llvm::format("<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%.0f</text>\n", X(x), H - B + 18, x);
  }
  os << llvm::format("<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">episodes</text>\n", (L + W - R) / 2, H - 12);
  os << llvm::format("<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"gray\" stroke-dasharray=\"6 4\"/>",
                     L, Y(r.fcfsJCT), W - R, Y(r.fcfsJCT));
  os << llvm::format("<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"gray\">FCFS</text>\n", W - R - 4,
                     Y(r.fcfsJCT) - 4);
  os << "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"";
  for (auto [x, y] : pts)
    os << llvm::format("%.1f,%.1f ", X(x), Y(y));
  os << "\"/>\n</svg>\n";
  return os.str();
}

/// `path` with its extension (if any) replaced by `ext`.
std::string withExtension(const std::string &path, llvm::StringRef ext) {
  llvm::SmallString<256> p(path);
  llvm::sys::path::replace_extension(p, ext);
  return std::string(p);
}

int decimaTrain(const Args &args) {
  if (args.positionals.size() != 2 || !args.has("o")) {
    llvm::errs() << "llmflow decima train: expected WORKLOAD.toml and -o POLICY.json\ntry 'llmflow decima --help'\n";
    return kUsage;
  }
  decima::TrainOptions o;
  if (!positive(args, "episodes", o.episodes, 0) || !positive(args, "threads", o.threads, 1) ||
      !positive(args, "per-iteration", o.perIteration, 1))
    return kUsage;
  if (args.has("seed") && llvm::StringRef(args.get("seed")).getAsInteger(10, o.seed)) {
    llvm::errs() << "llmflow decima train: --seed expects an integer\n";
    return kUsage;
  }
  auto wl = sim::loadWorkload(args.positionals[1]);
  if (!wl) {
    llvm::errs() << "llmflow: " << llvm::toString(wl.takeError()) << "\n";
    return kUsage;
  }
  sim::Workload &w = *wl;
  if (!positive(args, "jobs", w.jobs, 1))
    return kUsage;
  SimWorkload sw;
  if (int code = loadSimWorkload(args, w, sw))
    return code;
  double capacity = 0;
  decima::TrainSetup setup;
  setup.apps = &sw.apps;
  setup.data = &sw.data;
  setup.config = sw.cfg;
  setup.rate = arrivalRate(sw, w, &capacity);
  setup.jobs = w.jobs;

  // The node means come from the same history the other schedulers learn from.
  decima::Policy policy;
  policy.workload = w.name;
  std::vector<std::pair<const ir::Module *, const ir::App *>> apps;
  for (const sim::SimApp &a : sw.apps)
    apps.push_back({a.module, a.app});
  decima::learnMeans(policy, apps, sim::trainingHistory(sw.apps, sw.data, sw.cfg, w.knobs.trainingJobs));
  policy.net.initialise(o.seed);

  bool tty = llvm::sys::Process::StandardErrIsDisplayed();
  llvm::errs() << "training decima on " << w.name << ": " << o.episodes << " episodes of up to " << w.jobs
               << " jobs at " << llvm::format("%.3g", setup.rate) << " jobs/s";
  if (capacity > 0)
    llvm::errs() << " (load " << llvm::format("%.2f", setup.rate / capacity) << ")";
  llvm::errs() << ", " << o.perIteration << " per arrival sequence, seed "
               << o.seed << "\n";
  unsigned total = (o.episodes + std::max(1u, o.perIteration) - 1) / std::max(1u, o.perIteration);
  decima::TrainReport report = decima::train(setup, policy, o, [&](const decima::IterationStats &s) {
    if (!tty && s.iteration % std::max(1u, total / 10) && s.iteration != total)
      return;
    llvm::errs() << (tty ? "\r" : "") << "  " << s.episodes << "/" << total * o.perIteration << " episodes, "
                 << s.jobs << " jobs each, train avg JCT " << llvm::format("%.2f", s.trainJCT) << " s";
    if (s.validationJCT >= 0)
      llvm::errs() << ", validation " << llvm::format("%.2f", s.validationJCT) << " s";
    llvm::errs() << ", " << llvm::format("%.0f", s.seconds) << " s" << (tty ? "   " : "\n");
  });
  if (tty)
    llvm::errs() << "\n";

  if (llvm::Error e = decima::writePolicy(args.get("o"), policy)) {
    llvm::errs() << "llmflow: " << llvm::toString(std::move(e)) << "\n";
    return kEnvironment;
  }
  std::string csv = args.get("csv", withExtension(args.get("o"), ".curve.csv"));
  std::string svg = withExtension(csv, ".svg");
  if (!writeOutput(csv, curveCSV(report)) || !writeOutput(svg, curveSVG(report, w.name)))
    return kEnvironment;
  // Validated again as written (weights keep 6 significant digits).
  auto written = decima::readPolicy(args.get("o"));
  if (!written) {
    llvm::errs() << "llmflow: " << llvm::toString(written.takeError()) << "\n";
    return kEnvironment;
  }
  report.bestJCT = decima::validate(setup, *written, o.seed);
  double secs = report.curve.empty() ? 0 : report.curve.back().seconds;
  llvm::outs() << "validation average JCT (" << w.jobs << " jobs, greedy): fcfs " << llvm::format("%.2f", report.fcfsJCT)
               << " s, initial policy " << llvm::format("%.2f", report.initialJCT) << " s, trained "
               << llvm::format("%.2f", report.bestJCT) << " s (episode " << report.bestIteration * o.perIteration
               << ")\n";
  llvm::outs() << "wrote " << args.get("o") << ", the curve to " << csv << " and " << svg << " ("
               << llvm::format("%.0f", secs) << " s)\n";
  return kOk;
}

int runDecima(const Args &args) {
  std::string sub = args.positionals.empty() ? "" : args.positionals[0];
  if (sub == "train")
    return decimaTrain(args);
  llvm::errs() << "llmflow decima: expected 'train'\ntry 'llmflow decima --help'\n";
  return kUsage;
}

} // namespace

Command decimaCommand() {
  Command c;
  c.name = "decima";
  c.summary = "The learned Decima baseline (docs/decima.md):\n"
              "  decima train WORKLOAD.toml -o POLICY.json   train a policy with REINFORCE in the simulator; writes\n"
              "                                              the curve as POLICY.curve.csv and POLICY.curve.svg\n"
              "Use it with --scheduler decima --policy POLICY.json in simulate, batch and run.\n"
              "Exit status: 0 ok, 2 usage, 3 environment.";
  c.usage = "train WORKLOAD.toml -o POLICY.json [options]";
  c.options = diagnosticOptions();
  c.options.push_back({"o", true, "the policy file to write", "POLICY.json"});
  c.options.push_back({"episodes", true, "training episodes (default 960; 0 writes the untrained policy)", "N"});
  c.options.push_back({"per-iteration", true, "episodes per arrival sequence (default 8)", "K"});
  c.options.push_back({"seed", true, "seed of the weights, arrivals and actions (default 1)", "S"});
  c.options.push_back({"jobs", true, "jobs of a full episode (default: the workload's)", "N"});
  c.options.push_back({"threads", true, "episodes run at once (default 1; the policy does not depend on it)", "N"});
  c.options.push_back({"csv", true, "where to write the training curve (default POLICY.curve.csv)", "FILE"});
  c.run = runDecima;
  return c;
}

} // namespace llmflow::cli
