// Point and interval estimates of a variable's value under a distribution
// over its states, from the per-state value / lo / hi kept at training.
#include "bn/bn.h"

#include <algorithm>
#include <cassert>

namespace llmflow::bn {

double expectedValue(const Variable &v, llvm::ArrayRef<double> p) {
  assert(p.size() == v.card() && "one probability per state");
  double z = 0, e = 0;
  for (size_t s = 0; s < p.size(); ++s) {
    z += p[s];
    e += p[s] * v.value[s];
  }
  return z > 0 ? e / z : 0;
}

namespace {

/// State s as uniform on [a, b] (a == b: a point mass), chosen so that lo
/// and hi are its 5% and 95% points.
std::pair<double, double> support(const Variable &v, size_t s) {
  double w = v.hi[s] - v.lo[s];
  return {v.lo[s] - w * (0.05 / 0.9), v.hi[s] + w * (0.05 / 0.9)};
}

/// P(value <= t) under the mixture (right-continuous).
double cdf(const Variable &v, llvm::ArrayRef<double> p, double z, double t) {
  double f = 0;
  for (size_t s = 0; s < p.size(); ++s) {
    if (p[s] <= 0)
      continue;
    auto [a, b] = support(v, s);
    if (t >= b)
      f += p[s];
    else if (t > a)
      f += p[s] * (t - a) / (b - a);
  }
  return f / z;
}

/// Mass of point masses at exactly t.
double atoms(const Variable &v, llvm::ArrayRef<double> p, double z, double t) {
  double m = 0;
  for (size_t s = 0; s < p.size(); ++s)
    if (p[s] > 0 && v.lo[s] == v.hi[s] && v.lo[s] == t)
      m += p[s];
  return m / z;
}

double quantile(const Variable &v, llvm::ArrayRef<double> p, double z, llvm::ArrayRef<double> points, double q) {
  double prevT = points.front(), prevF = cdf(v, p, z, prevT);
  if (prevF >= q)
    return prevT;
  for (size_t k = 1; k < points.size(); ++k) {
    double t = points[k], f = cdf(v, p, z, t);
    if (f < q) {
      prevT = t;
      prevF = f;
      continue;
    }
    double before = f - atoms(v, p, z, t);   // the limit from the left
    if (q > before || before <= prevF)
      return t;
    return prevT + (q - prevF) / (before - prevF) * (t - prevT);
  }
  return points.back();
}

} // namespace

std::pair<double, double> quantileInterval(const Variable &v, llvm::ArrayRef<double> p, double qlo, double qhi) {
  assert(p.size() == v.card() && "one probability per state");
  assert(0 <= qlo && qlo <= qhi && qhi <= 1 && "quantiles in order within [0, 1]");
  double z = 0;
  std::vector<double> points;
  double lowest = 0, highest = 0;
  for (size_t s = 0; s < p.size(); ++s) {
    if (p[s] <= 0)
      continue;
    auto [a, b] = support(v, s);
    points.push_back(a);
    points.push_back(b);
    lowest = z > 0 ? std::min(lowest, v.lo[s]) : v.lo[s];
    highest = z > 0 ? std::max(highest, v.hi[s]) : v.hi[s];
    z += p[s];
  }
  if (!(z > 0))
    return {0, 0};
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  // Never beyond the lowest lo and highest hi of the possible states.
  auto clamp = [&](double x) { return std::min(std::max(x, lowest), highest); };
  return {clamp(quantile(v, p, z, points, qlo)), clamp(quantile(v, p, z, points, qhi))};
}

} // namespace llmflow::bn
