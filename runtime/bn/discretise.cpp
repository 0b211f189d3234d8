// Discretisation of one training column into a Variable's states: duration
// bins (equal frequency, cuts at geometric midpoints = log space), structure
// integers with an overflow state, the ABSENT state, and each state's
// representative value and 5%/95% quantiles. Not for: structure search.
#include "bn/detail.h"

#include "llvm/ADT/StringSet.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace llmflow::bn {

using detail::fail;

namespace {

/// Linear-interpolation quantile (type 7) of sorted values.
double quantile(llvm::ArrayRef<double> sorted, double q) {
  assert(!sorted.empty());
  double h = (sorted.size() - 1) * q;
  size_t i = static_cast<size_t>(std::floor(h));
  if (i + 1 >= sorted.size())
    return sorted.back();
  return sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]);
}

double mean(llvm::ArrayRef<double> xs) {
  double s = 0;
  for (double x : xs)
    s += x;
  return s / xs.size();
}

std::string fmt(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, x);
  return buf;
}

/// "[0,e0]", "(e0,e1]", ..., "(e_{k-2},inf)"; more digits until unique.
std::vector<std::string> durationLabels(llvm::ArrayRef<double> edges) {
  for (int digits : {3, 6, 17}) {
    std::vector<std::string> out;
    llvm::StringSet<> seen;
    bool unique = true;
    for (size_t s = 0; s < edges.size(); ++s) {
      std::string lo = s == 0 ? "[0" : "(" + fmt(edges[s - 1], digits);
      std::string hi = s + 1 == edges.size() ? "inf)" : fmt(edges[s], digits) + "]";
      out.push_back(lo + "," + hi);
      unique &= seen.insert(out.back()).second;
    }
    if (unique)
      return out;
  }
  llvm_unreachable("17 significant digits distinguish distinct doubles");
}

/// States, edges, value, lo, hi of the present (non-ABSENT) values.
void durationStates(Variable &v, std::vector<double> sorted, unsigned bins) {
  size_t n = sorted.size();
  double top = sorted.back();
  for (unsigned k = 1; k < bins; ++k) {
    size_t pos = (static_cast<size_t>(k) * n + bins / 2) / bins;   // round(k n / K)
    if (pos == 0 || pos >= n)
      continue;
    double a = sorted[pos - 1], b = sorted[pos];
    double edge = a == b ? a : (a > 0 ? std::sqrt(a * b) : b / 2);
    if (edge >= top || (!v.edges.empty() && edge <= v.edges.back()))
      continue;                                  // ties: fewer, unequal bins
    v.edges.push_back(edge);
  }
  v.edges.push_back(top);
  // Drop cuts that would leave a bin empty (a tie cut followed by a cut
  // below the next distinct value).
  std::vector<double> kept;
  size_t begin = 0;
  for (size_t s = 0; s < v.edges.size(); ++s) {
    size_t end = s + 1 == v.edges.size()
                     ? n
                     : std::upper_bound(sorted.begin() + begin, sorted.end(), v.edges[s]) - sorted.begin();
    if (end == begin)
      continue;
    llvm::ArrayRef<double> in(sorted.data() + begin, end - begin);
    kept.push_back(v.edges[s]);
    v.value.push_back(mean(in));
    v.lo.push_back(quantile(in, 0.05));
    v.hi.push_back(quantile(in, 0.95));
    begin = end;
  }
  v.edges = std::move(kept);
  v.states = durationLabels(v.edges);
}

void structureStates(Variable &v, std::vector<double> sorted, unsigned cap) {
  double top = sorted.back();
  unsigned m = top >= cap ? cap - 1 : static_cast<unsigned>(top);
  for (unsigned s = 0; s <= m; ++s) {
    v.states.push_back(std::to_string(s));
    v.edges.push_back(s);
    v.value.push_back(s);
    v.lo.push_back(s);
    v.hi.push_back(s);
  }
  if (top >= cap) {
    auto first = std::lower_bound(sorted.begin(), sorted.end(), double(cap));
    llvm::ArrayRef<double> over(&*first, sorted.end() - first);
    v.states.push_back(">=" + std::to_string(cap));
    v.edges.push_back(cap);
    v.value.push_back(mean(over));
    v.lo.push_back(quantile(over, 0.05));
    v.hi.push_back(quantile(over, 0.95));
  }
}

} // namespace

llvm::Expected<Variable> discretise(const VariableSpec &spec, llvm::ArrayRef<std::optional<double>> column,
                                    const TrainOptions &opts) {
  auto bad = [&](const llvm::Twine &msg) { return fail(BNErrorKind::BadData, "variable '" + spec.name + "': " + msg); };
  if (opts.bins == 0)
    return fail(BNErrorKind::BadOptions, "bins must be at least 1");
  if (opts.structureCap == 0)
    return fail(BNErrorKind::BadOptions, "structure cap must be at least 1");
  if (column.empty())
    return bad("no rows to discretise");
  Variable v;
  v.name = spec.name;
  v.node = spec.node;
  v.kind = spec.kind;
  v.order = spec.order;
  bool structure = spec.kind == Variable::Kind::Structure;
  std::vector<double> present;
  for (size_t r = 0; r < column.size(); ++r) {
    if (!column[r]) {
      v.hasAbsent = true;
      continue;
    }
    double x = *column[r];
    if (std::isnan(x))
      return bad("row " + llvm::Twine(r) + " is NaN");
    if (!std::isfinite(x))
      return bad("row " + llvm::Twine(r) + " is infinite");
    if (x < 0)
      return bad("row " + llvm::Twine(r) + " is negative (" + detail::formatDouble(x) + ")");
    if (structure && x != std::floor(x))
      return bad("row " + llvm::Twine(r) + " is not an integer (" + detail::formatDouble(x) + ")");
    present.push_back(x);
  }
  if (!present.empty()) {
    std::sort(present.begin(), present.end());
    v.min = present.front();
    v.max = present.back();
    if (structure)
      structureStates(v, std::move(present), opts.structureCap);
    else
      durationStates(v, std::move(present), opts.bins);
  }
  if (v.hasAbsent) {
    v.states.push_back("ABSENT");
    v.value.push_back(0);
    v.lo.push_back(0);
    v.hi.push_back(0);
  }
  return v;
}

} // namespace llmflow::bn
