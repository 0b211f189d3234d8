// numberFlag: one parser for every numeric flag (flags.h).
#include "flags.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace llmflow::cli {
namespace {

std::string rangeText(const NumberSpec &spec) {
  std::string kind = spec.whole ? "a whole number" : "a number";
  auto g = [](double v) { return llvm::formatv("{0}", llvm::format("%.15g", v)).str(); };
  if (spec.minExclusive)
    return kind + " greater than " + g(spec.min) + " and at most " + g(spec.max);
  return kind + " from " + g(spec.min) + " to " + g(spec.max);
}

std::optional<double> checkNumber(llvm::StringRef text, const NumberSpec &spec, std::string &why) {
  double v = 0;
  bool parsed;
  if (spec.whole) {
    // Integer literals only: "1e12" or "2.0" for a count is a mistake, and
    // an exact integer parse cannot be fooled by rounding.
    int64_t i = 0;
    parsed = !text.trim().getAsInteger(10, i);
    v = double(i);
  } else {
    parsed = !text.trim().getAsDouble(v);
  }
  if (!parsed || !std::isfinite(v) || v < spec.min || v > spec.max || (spec.minExclusive && v <= spec.min)) {
    why = "expects " + rangeText(spec) + ", got '" + text.take_front(40).str() + "'";
    return std::nullopt;
  }
  return v;
}

} // namespace

bool numberFlag(const Args &args, llvm::StringRef name, const NumberSpec &spec, double &out) {
  if (!args.has(name))
    return true;
  std::string why, given = args.get(name);
  std::optional<double> v = checkNumber(given, spec, why);
  if (!v) {
    llvm::errs() << "llmflow: --" << name << " " << why << "\n";
    return false;
  }
  out = *v;
  return true;
}

bool numberFlag(const Args &args, llvm::StringRef name, const NumberSpec &spec, unsigned &out) {
  assert(spec.whole && spec.max <= double(UINT32_MAX) && "unsigned flags are whole and fit");
  double v = out;
  if (!numberFlag(args, name, spec, v))
    return false;
  out = unsigned(v);
  return true;
}

bool numberFlag(const Args &args, llvm::StringRef name, const NumberSpec &spec, uint64_t &out) {
  assert(spec.whole && spec.min >= 0 && spec.max < 18446744073709551616.0 && "uint64 flags are whole and fit");
  if (!args.has(name))
    return true;
  // Seeds use the whole 64-bit range, beyond what a double holds exactly.
  uint64_t v = 0;
  std::string given = args.get(name);
  llvm::StringRef text = llvm::StringRef(given).trim();
  if (text.getAsInteger(10, v) || double(v) < spec.min || v > uint64_t(spec.max)) {
    llvm::errs() << "llmflow: --" << name << " expects " << rangeText(spec) << ", got '" << text.take_front(40)
                 << "'\n";
    return false;
  }
  out = v;
  return true;
}

} // namespace llmflow::cli
