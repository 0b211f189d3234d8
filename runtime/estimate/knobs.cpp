#include "estimate/knobs.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>

namespace llmflow::estimate {

const std::vector<std::string> &knobNames() {
  static const std::vector<std::string> names = {"epsilon",     "partial",     "bins",         "max_parents",
                                                 "descendants", "aggregation", "training_jobs"};
  return names;
}

llvm::Error setKnob(Knobs &k, llvm::StringRef name, const llvm::json::Value &value) {
  auto bad = [&](const llvm::Twine &what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), ("'" + name + "' " + what).str());
  };
  if (name == "aggregation") {
    auto s = value.getAsString();
    if (!s || (*s != "sum" && *s != "product"))
      return bad("must be \"sum\" or \"product\" (how R(X) combines the ranges of the stages it informs)");
    k.estimator.productOfRanges = *s == "product";
    return llvm::Error::success();
  }
  auto x = value.getAsNumber();
  if (!x || !std::isfinite(*x))
    return bad("must be a finite number");
  auto integer = [&](unsigned lo, unsigned hi, unsigned &out) -> llvm::Error {
    if (*x != std::floor(*x) || *x < lo || *x > hi)
      return bad("must be an integer from " + llvm::Twine(lo) + " to " + llvm::Twine(hi));
    out = unsigned(*x);
    return llvm::Error::success();
  };
  if (name == "epsilon") {
    if (*x < 0 || *x > 1)
      return bad("must be a probability from 0 to 1");
    k.llmsched.epsilon = *x;
    return llvm::Error::success();
  }
  if (name == "partial") {
    if (*x <= 0 || *x > 1)
      return bad("must be a fraction above 0 and at most 1");
    k.llmsched.partial = *x;
    return llvm::Error::success();
  }
  if (name == "bins")
    return integer(1, 64, k.training.bins);
  if (name == "max_parents")
    return integer(0, 8, k.training.maxParents);
  if (name == "descendants")
    return integer(1, 32, k.estimator.maxDescendants);
  if (name == "training_jobs")
    return integer(2, 1000000, k.trainingJobs);
  return llvm::createStringError(llvm::inconvertibleErrorCode(), ("unknown knob '" + name + "'").str());
}

std::string describe(const Knobs &k) {
  return llvm::formatv("epsilon {0}, partial {1}, bins {2}, max_parents {3}, descendants {4}, aggregation {5}, "
                       "training_jobs {6}",
                       k.llmsched.epsilon, k.llmsched.partial, k.training.bins, k.training.maxParents,
                       k.estimator.maxDescendants, k.estimator.productOfRanges ? "product" : "sum", k.trainingJobs)
      .str();
}

} // namespace llmflow::estimate
