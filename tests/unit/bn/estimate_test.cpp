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
