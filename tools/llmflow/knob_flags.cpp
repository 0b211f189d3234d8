#include "knob_flags.h"

#include "llvm/Support/raw_ostream.h"

namespace llmflow::cli {

std::vector<OptionSpec> knobOptions(bool training) {
  std::vector<OptionSpec> o = {
      {"epsilon", true, "llmsched: probability of exploring at a placement decision (default 0.1)", "P"},
      {"partial", true, "llmsched: fraction r of a multi-task stage launched when exploring (default 0.2)", "R"},
      {"descendants", true, "llmsched: downstream stages M whose uncertainty R(X) weighs (default 6)", "M"},
      {"aggregation", true, "llmsched: sum (default) or product of the ranges R(X) weighs", "HOW"},
  };
  if (training) {
    o.push_back({"bins", true, "networks: duration bins per stage (default 6)", "K"});
    o.push_back({"max-parents", true, "networks: parents per variable (default 2)", "N"});
    o.push_back({"training-jobs", true, "jobs profiled per application to train on (default 1000)", "N"});
  }
  return o;
}

bool applyKnobFlags(const Args &args, estimate::Knobs &k, llvm::StringRef command) {
  for (const std::string &name : estimate::knobNames()) {
    std::string flag = name;
    std::replace(flag.begin(), flag.end(), '_', '-');
    if (!args.has(flag))
      continue;
    std::string text = args.get(flag);
    double x;
    llvm::json::Value v = llvm::StringRef(text).getAsDouble(x) ? llvm::json::Value(text) : llvm::json::Value(x);
    if (llvm::Error e = estimate::setKnob(k, name, v)) {
      std::string msg = llvm::toString(std::move(e));
      llvm::errs() << "llmflow " << command << ": --" << flag << ": " << msg << "\n";
      return false;
    }
  }
  return true;
}

} // namespace llmflow::cli
