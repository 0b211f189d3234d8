// Point and interval estimates of a variable's value under a distribution
// over its states, from the per-state value / lo / hi kept at training.
#include "bn/bn.h"

#include <algorithm>
#include <cassert>
#include <cmath>

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

namespace {

constexpr double kMinLogSpread = 0.05;

/// log Q(z), Q the standard normal upper tail; erfc is exact to its
/// underflow, the asymptotic series takes over far out.
double logUpperTail(double z) {
  if (z < 30)
    return std::log(0.5 * std::erfc(z / std::sqrt(2.0)));
  double z2 = z * z;
  return -0.5 * z2 - std::log(z * std::sqrt(2 * M_PI)) + std::log1p(-1 / z2 + 3 / (z2 * z2) - 15 / (z2 * z2 * z2));
}

/// One state as a log-normal: its log-mean and log-spread.
struct LogNormal {
  double mu, sigma;
};

std::optional<LogNormal> stateLaw(const Variable &v, size_t s) {
  if (v.hasAbsent && s + 1 == v.card())
    return std::nullopt;
  double mean = v.value[s];
  if (!(mean > 0))
    return std::nullopt;
  double sigma = kMinLogSpread;
  if (v.lo[s] > 0 && v.hi[s] > v.lo[s])
    sigma = std::max(sigma, std::log(v.hi[s] / v.lo[s]) / (2 * 1.6448536269514722));
  return LogNormal{std::log(mean) - sigma * sigma / 2, sigma};
}

/// Per state: log P(X > t) and E[X - t | X > t].
struct Tail {
  double logAbove = -INFINITY, remaining = 0;
};

Tail stateTail(const LogNormal &l, double t) {
  if (t <= 0)
    return {0, std::exp(l.mu + l.sigma * l.sigma / 2)};
  double z = (std::log(t) - l.mu) / l.sigma;
  double la = logUpperTail(z);
  // E[X 1{X > t}] = exp(mu + sigma^2/2) Q(z - sigma).
  double ratio = std::exp(l.mu + l.sigma * l.sigma / 2 + logUpperTail(z - l.sigma) - la);
  return {la, std::max(0.0, ratio - t)};
}

} // namespace

double probabilityAbove(const Variable &v, llvm::ArrayRef<double> p, double t) {
  assert(p.size() == v.card() && "one probability per state");
  double z = 0, above = 0;
  for (size_t s = 0; s < p.size(); ++s) {
    z += p[s];
    if (auto l = stateLaw(v, s); l && p[s] > 0)
      above += p[s] * std::exp(stateTail(*l, t).logAbove);
  }
  return z > 0 ? above / z : 0;
}

namespace {

double mixtureRemaining(const Variable &v, llvm::ArrayRef<double> p, double t) {
  // Weights P(state | X > t) in log space (they underflow far out).
  std::vector<std::pair<double, double>> parts;    // (log weight, remaining)
  double top = -INFINITY;
  for (size_t s = 0; s < p.size(); ++s)
    if (auto l = stateLaw(v, s); l && p[s] > 0) {
      Tail tail = stateTail(*l, t);
      parts.push_back({std::log(p[s]) + tail.logAbove, tail.remaining});
      top = std::max(top, parts.back().first);
    }
  if (parts.empty() || !std::isfinite(top))
    return 0;
  double w = 0, r = 0;
  for (auto [lw, rem] : parts) {
    double x = std::exp(lw - top);
    w += x;
    r += x * rem;
  }
  return r / w;
}

} // namespace

double remainingAfter(const Variable &v, llvm::ArrayRef<double> p, double t) {
  assert(p.size() == v.card() && "one probability per state");
  if (t <= 0)
    return expectedValue(v, p);
  // Past the profile (the highest 95% point of a possible state), a Pareto
  // tail continuous with the mixture there: the time still to go grows in
  // proportion to the time already spent.
  double edge = 0;
  for (size_t s = 0; s < p.size(); ++s)
    if (p[s] > 0 && stateLaw(v, s))
      edge = std::max(edge, std::max(v.hi[s], v.value[s]));
  if (edge > 0 && t > edge)
    return mixtureRemaining(v, p, edge) * (t / edge);
  return mixtureRemaining(v, p, t);
}

} // namespace llmflow::bn
