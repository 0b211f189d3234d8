// Estimates: expectations and [5%, 95%] intervals from per-state value /
// lo / hi, on their own and through Inference, and the expected remaining
// time of a small duration chain as evidence arrives.
#include "bn_test_util.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace llmflow::bn;

namespace {

/// Three duration states [1, 2], [4, 8], [10, 20] (value = midpoint) plus ABSENT.
Variable durationVar() {
  Variable v;
  v.name = v.node = "d";
  v.states = {"a", "b", "c", "ABSENT"};
  v.hasAbsent = true;
  v.edges = {2, 8, 20};
  v.value = {1.5, 6, 15, 0};
  v.lo = {1, 4, 10, 0};
  v.hi = {2, 8, 20, 0};
  v.min = 1;
  v.max = 20;
  return v;
}

} // namespace

TEST_CASE("expected value is the probability-weighted state value") {
  Variable v = durationVar();
  CHECK(expectedValue(v, {0, 1, 0, 0}) == 6);
  // .2*1.5 + .3*6 + .4*15 + .1*0 = .3 + 1.8 + 6 = 8.1
  CHECK(expectedValue(v, {0.2, 0.3, 0.4, 0.1}) == doctest::Approx(8.1).epsilon(1e-12));
  // Unnormalised input is normalised.
  CHECK(expectedValue(v, {2, 3, 4, 1}) == doctest::Approx(8.1).epsilon(1e-12));
  CHECK(v.range() == 19);
}

TEST_CASE("interval: a certain state gives its own lo and hi") {
  Variable v = durationVar();
  for (unsigned s = 0; s < 3; ++s) {
    std::vector<double> p(4, 0.0);
    p[s] = 1;
    auto [lo, hi] = quantileInterval(v, p);
    CHECK(lo == doctest::Approx(v.lo[s]).epsilon(1e-12));
    CHECK(hi == doctest::Approx(v.hi[s]).epsilon(1e-12));
  }
  auto [lo, hi] = quantileInterval(v, {0, 0, 0, 1});   // certainly absent
  CHECK(lo == 0);
  CHECK(hi == 0);
}

TEST_CASE("interval: mixtures of states") {
  Variable v = durationVar();
  // Half absent (a point mass at 0), half state c, modelled as uniform on
  // [10 - 10/18, 20 + 10/18]. The 5% quantile is inside the atom at 0; the
  // 95% quantile solves .5 + .5 (t - a) / (b - a) = .95 -> t = a + .9 (b - a).
  double a = 10 - 10.0 / 18, b = 20 + 10.0 / 18;
  auto [lo, hi] = quantileInterval(v, {0, 0, 0.5, 0.5});
  CHECK(lo == 0);
  CHECK(hi == doctest::Approx(a + 0.9 * (b - a)).epsilon(1e-12));
  // States a and c equally likely: the 5% point is in a's span, at
  // a' + .1 (b' - a') with a' = 1 - 1/18, b' = 2 + 1/18.
  auto [lo2, hi2] = quantileInterval(v, {0.5, 0, 0.5, 0});
  CHECK(lo2 == doctest::Approx(1 - 1.0 / 18 + 0.1 * (1 + 2.0 / 18)).epsilon(1e-12));
  CHECK(hi2 == doctest::Approx(a + 0.9 * (b - a)).epsilon(1e-12));
  // Never beyond the possible states' lo and hi; wider quantiles widen it.
  auto [lo3, hi3] = quantileInterval(v, {0.5, 0, 0.5, 0}, 0, 1);
  CHECK(lo3 == 1);
  CHECK(hi3 == 20);
  CHECK(lo3 <= lo2);
  CHECK(hi3 >= hi2);
}

TEST_CASE("expected remaining time shrinks its interval as evidence arrives") {
  // Two durations A -> B, the slow state of A making B slow.
  Network n;
  Variable a = durationVar(), b = durationVar();
  a.name = a.node = "A";
  b.name = b.node = "B";
  b.order = 1;
  n.vars = {a, b};
  n.parents = {{}, {0}};
  n.cpt = {{0.4, 0.3, 0.2, 0.1},
           {0.7, 0.2, 0.05, 0.05, 0.2, 0.6, 0.15, 0.05, 0.05, 0.15, 0.78, 0.02, 0.25, 0.25, 0.25, 0.25}};
  REQUIRE(bntest::verifyError(n) == "");
  Inference inf(n);
  std::vector<double> pb = inf.posterior(1);
  CHECK(inf.expected(1) == doctest::Approx(expectedValue(b, pb)).epsilon(1e-12));
  auto prior = inf.interval(1);
  CHECK(prior.first == doctest::Approx(quantileInterval(b, pb).first).epsilon(1e-12));
  inf.observe(0, 2);                                   // A was slow
  // E[B | A=c] = .05*1.5 + .15*6 + .78*15 + .02*0 = .075 + .9 + 11.7 = 12.675
  CHECK(inf.expected(1) == doctest::Approx(12.675).epsilon(1e-12));
  auto slow = inf.interval(1);
  CHECK(slow.first > prior.first);
  inf.observe(0, 0);                                   // A was fast instead
  auto fast = inf.interval(1);
  CHECK(fast.second < prior.second);
  CHECK(fast.second < slow.second);
  inf.observe(0, 2);
  // Observed variables have their observed state's value.
  CHECK(inf.expected(0) == 15);
  CHECK(inf.interval(0) == std::pair<double, double>(10, 20));
}

namespace {

/// E[X - t | X > t] by numerical integration of the log-normal mixture that
/// remainingAfter() documents (independent of its closed form).
double integratedRemaining(const Variable &v, const std::vector<double> &p, double t) {
  double num = 0, den = 0;
  for (size_t s = 0; s < p.size(); ++s) {
    if (p[s] <= 0 || (v.hasAbsent && s + 1 == p.size()))
      continue;
    double sigma = std::max(0.05, std::log(v.hi[s] / v.lo[s]) / (2 * 1.6448536269514722));
    double mu = std::log(v.value[s]) - sigma * sigma / 2;
    // Integrate over u = log x on a fine grid, far into both tails.
    double a = std::max(std::log(t), mu - 12 * sigma), b = mu + 40 * sigma;
    if (a >= b)
      continue;
    const int n = 200000;
    double h = (b - a) / n;
    for (int i = 0; i < n; ++i) {
      double u = a + (i + 0.5) * h;
      double dens = std::exp(-0.5 * std::pow((u - mu) / sigma, 2)) / (sigma * std::sqrt(2 * M_PI)) * h;
      num += p[s] * dens * (std::exp(u) - t);
      den += p[s] * dens;
    }
  }
  return den > 0 ? num / den : 0;
}

} // namespace

TEST_CASE("remaining time given elapsed: the conditional tail, never negative, growing past the profile") {
  Variable v = durationVar();
  std::vector<double> p{0.2, 0.3, 0.4, 0.1};
  CHECK(remainingAfter(v, p, 0) == doctest::Approx(expectedValue(v, p)).epsilon(1e-12));
  for (double t : {0.5, 1.0, 3.0, 7.0, 12.0, 19.0})
    CHECK(remainingAfter(v, p, t) == doctest::Approx(integratedRemaining(v, p, t)).epsilon(1e-4));
  // Past the highest 95% point (20 s): proportional to the time spent.
  CHECK(remainingAfter(v, p, 40) == doctest::Approx(2 * integratedRemaining(v, p, 20)).epsilon(1e-4));
  // Never negative; past everything profiled (max 20 s), the longer a stage
  // has run the more it is expected to need (a heavy tail), unlike
  // "mean minus elapsed", which drops to 0.
  double before = remainingAfter(v, p, 20);
  CHECK(before > 0);
  for (double t = 30; t <= 1e6; t *= 3) {
    double r = remainingAfter(v, p, t);
    CHECK(r >= 0);
    CHECK(r > before);
    before = r;
  }
  // P(X > t): 1 - 0.1 (ABSENT) at 0, falling to 0.
  CHECK(probabilityAbove(v, p, 0) == doctest::Approx(0.9));
  CHECK(probabilityAbove(v, p, 10) < probabilityAbove(v, p, 5));
  CHECK(probabilityAbove(v, p, 1e6) < 1e-12);
}
