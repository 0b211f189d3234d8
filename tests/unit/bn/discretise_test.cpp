// Discretisation: equal-frequency duration bins cut at geometric midpoints,
// ties, the ABSENT state, structure integers with the overflow state, the
// per-state value / lo / hi, stateOf(), and rejected values.
#include "bn_test_util.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace llmflow::bn;

namespace {

VariableSpec spec(const char *name, Variable::Kind kind = Variable::Kind::Duration) {
  VariableSpec s;
  s.name = s.node = name;
  s.kind = kind;
  return s;
}

Network single(const Variable &v) {
  Network n;
  n.vars = {v};
  n.parents = {{}};
  n.cpt = {std::vector<double>(v.card(), 1.0 / v.card())};
  return n;
}

} // namespace

TEST_CASE("duration: six equal-frequency bins in log space") {
  // 600 distinct values spread over four decades, shuffled.
  std::vector<std::optional<double>> col;
  for (int i = 0; i < 600; ++i)
    col.push_back(0.01 * std::pow(10.0, 4.0 * ((i * 7919) % 600) / 600.0));
  auto v = discretise(spec("d"), col, TrainOptions{});
  REQUIRE(v);
  CHECK(!v->hasAbsent);
  REQUIRE(v->card() == 6);
  REQUIRE(v->edges.size() == 6);
  // Cut k sits between the 100k-th and (100k+1)-th smallest values, at their
  // geometric mean: x_j = 0.01 * 10^(4 j / 600).
  for (int k = 1; k < 6; ++k) {
    double a = 0.01 * std::pow(10.0, 4.0 * (100 * k - 1) / 600.0), b = 0.01 * std::pow(10.0, 4.0 * (100 * k) / 600.0);
    CHECK(v->edges[k - 1] == doctest::Approx(std::sqrt(a * b)).epsilon(1e-12));
  }
  CHECK(v->edges[5] == doctest::Approx(0.01 * std::pow(10.0, 4.0 * 599 / 600.0)));
  Network n = single(*v);
  std::vector<int> counts(6, 0);
  for (const auto &x : col)
    ++counts[*n.stateOf(0, x)];
  CHECK(counts == std::vector<int>(6, 100));
  // Value = mean of the bin's values; lo / hi = its 5% / 95% quantiles.
  double mean = 0;
  for (int j = 0; j < 100; ++j)
    mean += 0.01 * std::pow(10.0, 4.0 * j / 600.0) / 100;
  CHECK(v->value[0] == doctest::Approx(mean).epsilon(1e-12));
  double h = 99 * 0.05;   // type-7 quantile position
  double lo = 0.01 * std::pow(10.0, 4.0 * 4 / 600.0) +
              (h - 4) * (0.01 * std::pow(10.0, 4.0 * 5 / 600.0) - 0.01 * std::pow(10.0, 4.0 * 4 / 600.0));
  CHECK(v->lo[0] == doctest::Approx(lo).epsilon(1e-12));
  CHECK(v->lo[0] < v->value[0]);
  CHECK(v->value[0] < v->hi[0]);
  CHECK(v->min == doctest::Approx(0.01));
  // Labels name the ranges; values beyond the ends clamp.
  CHECK(v->states.front().rfind("[0,", 0) == 0);
  CHECK(v->states.back().find("inf)") != std::string::npos);
  CHECK(n.stateOf(0, 0.0) == 0u);
  CHECK(n.stateOf(0, 1e9) == 5u);
  CHECK(n.stateOf(0, std::nullopt) == std::nullopt);       // no ABSENT state
  CHECK(n.stateOf(0, std::nan("")) == std::nullopt);
}

TEST_CASE("duration: ABSENT state when some rows lack the value") {
  std::vector<std::optional<double>> col{1.0, std::nullopt, 2.0, 3.0, std::nullopt, 4.0};
  TrainOptions o;
  o.bins = 2;
  auto v = discretise(spec("d"), col, o);
  REQUIRE(v);
  CHECK(v->hasAbsent);
  REQUIRE(v->card() == 3);
  CHECK(v->states.back() == "ABSENT");
  CHECK(v->absentState() == 2u);
  CHECK(v->value[2] == 0);
  CHECK(v->lo[2] == 0);
  CHECK(v->hi[2] == 0);
  // Cut between 2 and 3 at sqrt(6).
  CHECK(v->edges[0] == doctest::Approx(std::sqrt(6.0)));
  CHECK(v->value[0] == doctest::Approx(1.5));
  CHECK(v->value[1] == doctest::Approx(3.5));
  Network n = single(*v);
  CHECK(n.stateOf(0, std::nullopt) == 2u);
  CHECK(n.stateOf(0, 2.0) == 0u);
  CHECK(n.stateOf(0, 2.5) == 1u);
  // A column that never has a value: ABSENT only.
  auto none = discretise(spec("n"), std::vector<std::optional<double>>(3, std::nullopt), o);
  REQUIRE(none);
  CHECK(none->states == std::vector<std::string>{"ABSENT"});
  CHECK(single(*none).stateOf(0, 1.0) == std::nullopt);
}

TEST_CASE("duration: ties and few values give fewer bins") {
  std::vector<std::optional<double>> same(50, 2.5);
  auto v = discretise(spec("d"), same, TrainOptions{});
  REQUIRE(v);
  CHECK(v->card() == 1);
  CHECK(v->value[0] == 2.5);
  std::vector<std::optional<double>> three{1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 4.0, 4.0};
  auto w = discretise(spec("d"), three, TrainOptions{});
  REQUIRE(w);
  CHECK(w->card() == 3);
  Network n = single(*w);
  CHECK(n.stateOf(0, 1.0) == 0u);
  CHECK(n.stateOf(0, 2.0) == 1u);
  CHECK(n.stateOf(0, 4.0) == 2u);
  // Zero durations are allowed (instant steps); the cut below a positive value is half of it.
  std::vector<std::optional<double>> zeros{0.0, 0.0, 0.0, 8.0, 8.0, 8.0};
  TrainOptions o;
  o.bins = 2;
  auto z = discretise(spec("d"), zeros, o);
  REQUIRE(z);
  CHECK(z->edges[0] == 4.0);
}

TEST_CASE("structure: integer states, overflow state and ABSENT") {
  TrainOptions o;
  o.structureCap = 4;
  std::vector<std::optional<double>> col{0.0, 1.0, 1.0, 2.0, 6.0, 9.0, std::nullopt};
  auto v = discretise(spec("s", Variable::Kind::Structure), col, o);
  REQUIRE(v);
  CHECK(v->states == std::vector<std::string>{"0", "1", "2", "3", ">=4", "ABSENT"});
  CHECK(v->edges == std::vector<double>{0, 1, 2, 3, 4});
  CHECK(v->value[1] == 1);
  CHECK(v->value[4] == 7.5);                         // mean of 6 and 9
  CHECK(v->lo[4] == doctest::Approx(6.15));          // 6 + 0.05 * 3
  CHECK(v->hi[4] == doctest::Approx(8.85));
  Network n = single(*v);
  CHECK(n.stateOf(0, 3.0) == 3u);
  CHECK(n.stateOf(0, 4.0) == 4u);
  CHECK(n.stateOf(0, 100.0) == 4u);
  CHECK(n.stateOf(0, std::nullopt) == 5u);
  // Below the cap the states stop at the largest value seen.
  auto w = discretise(spec("s", Variable::Kind::Structure), std::vector<std::optional<double>>{1.0, 3.0}, o);
  REQUIRE(w);
  CHECK(w->states == std::vector<std::string>{"0", "1", "2", "3"});
  CHECK(!w->hasAbsent);
}

TEST_CASE("discretise rejects bad values with the row") {
  auto nan = discretise(spec("d"), std::vector<std::optional<double>>{1.0, std::nan("")}, TrainOptions{});
  CHECK(bntest::errorOf(std::move(nan)) == "variable 'd': row 1 is NaN");
  auto neg = discretise(spec("d"), std::vector<std::optional<double>>{-0.5}, TrainOptions{});
  CHECK(bntest::errorOf(std::move(neg)) == "variable 'd': row 0 is negative (-0.5)");
  auto inf = discretise(spec("d"), std::vector<std::optional<double>>{HUGE_VAL}, TrainOptions{});
  CHECK(bntest::errorOf(std::move(inf)) == "variable 'd': row 0 is infinite");
  auto frac = discretise(spec("s", Variable::Kind::Structure), std::vector<std::optional<double>>{1.5}, TrainOptions{});
  CHECK(bntest::errorOf(std::move(frac)) == "variable 's': row 0 is not an integer (1.5)");
}
