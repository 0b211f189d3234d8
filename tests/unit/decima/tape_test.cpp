// Every operation of the Decima network's reverse-mode gradient
// (decima/tape.h) against central finite differences, for its inputs and
// its parameters.
#include "decima/tape.h"

#include <doctest/doctest.h>

#include <functional>
#include <random>

using namespace llmflow::decima;

namespace {

Mat randomMat(std::mt19937_64 &rng, Eigen::Index r, Eigen::Index c) {
  std::normal_distribution<double> n(0, 1);
  Mat m(r, c);
  for (Eigen::Index i = 0; i < m.size(); ++i)
    m.data()[i] = n(rng);
  return m;
}

/// Builds a computation from inputs and parameters on a fresh tape and
/// returns a scalar loss (a fixed random weighting of its output); checks
/// the tape's gradients of every input and parameter entry.
void checkGradients(std::vector<Mat> inputs, std::vector<Param *> params,
                    const std::function<Tape::Var(Tape &, const std::vector<Tape::Var> &)> &build) {
  std::mt19937_64 rng(7);
  Mat weight;
  auto loss = [&](Tape &t, std::vector<Tape::Var> &vars) {
    vars.clear();
    for (const Mat &m : inputs)
      vars.push_back(t.input(m));
    Tape::Var out = build(t, vars);
    if (weight.size() == 0)
      weight = randomMat(rng, t.value(out).rows(), t.value(out).cols());
    return std::pair{out, (t.value(out).array() * weight.array()).sum()};
  };
  Tape t;
  std::vector<Tape::Var> vars;
  for (Param *p : params)
    p->grad.setZero();
  auto [out, l0] = loss(t, vars);
  t.seed(out, weight);
  t.backward();
  (void)l0;
  const double h = 1e-6;
  auto numeric = [&](double &x) {
    double keep = x;
    x = keep + h;
    Tape a;
    std::vector<Tape::Var> va;
    double up = loss(a, va).second;
    x = keep - h;
    Tape b;
    std::vector<Tape::Var> vb;
    double down = loss(b, vb).second;
    x = keep;
    return (up - down) / (2 * h);
  };
  for (size_t k = 0; k < inputs.size(); ++k)
    for (Eigen::Index i = 0; i < inputs[k].size(); ++i) {
      double analytic = t.grad(vars[k]).data()[i];
      double fd = numeric(inputs[k].data()[i]);
      CHECK_MESSAGE(analytic == doctest::Approx(fd).epsilon(1e-5).scale(1), "input " << k << " entry " << i);
    }
  for (Param *p : params)
    for (Eigen::Index i = 0; i < p->value.size(); ++i) {
      double analytic = p->grad.data()[i];
      double fd = numeric(p->value.data()[i]);
      CHECK_MESSAGE(analytic == doctest::Approx(fd).epsilon(1e-5).scale(1), p->name << " entry " << i);
    }
}

Param param(const char *name, Eigen::Index r, Eigen::Index c, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Param p;
  p.init(name, r, c);
  p.value = randomMat(rng, r, c);
  return p;
}

} // namespace

TEST_CASE("tape: linear, matmul and leaky ReLU gradients match finite differences") {
  std::mt19937_64 rng(1);
  Param W = param("W", 3, 4, 2), b = param("b", 1, 4, 3), V = param("V", 4, 2, 4);
  checkGradients({randomMat(rng, 5, 3)}, {&W, &b, &V}, [&](Tape &t, const std::vector<Tape::Var> &in) {
    return t.matmul(t.leakyRelu(t.linear(in[0], W, b)), V);
  });
}

TEST_CASE("tape: add (same shape and broadcast row) and concat gradients match finite differences") {
  std::mt19937_64 rng(2);
  checkGradients({randomMat(rng, 4, 3), randomMat(rng, 4, 3), randomMat(rng, 1, 3), randomMat(rng, 4, 2)}, {},
                 [&](Tape &t, const std::vector<Tape::Var> &in) {
                   return t.concat(t.add(t.add(in[0], in[1]), in[2]), in[3]);
                 });
}

TEST_CASE("tape: sumRows and gatherSum gradients match finite differences") {
  std::mt19937_64 rng(3);
  checkGradients({randomMat(rng, 3, 2), randomMat(rng, 2, 2)}, {}, [&](Tape &t, const std::vector<Tape::Var> &in) {
    // Rows picked twice, from both sources, and a row left empty.
    Tape::Var g = t.gatherSum({in[0], in[1]}, {{0, 0, 2}, {0, 1, 1}, {1, 0, 2}, {3, 1, 0}, {3, 0, 0}}, 4);
    return t.add(g, t.sumRows(in[0]));
  });
}

TEST_CASE("tape: logSoftmaxPick gradient matches finite differences, entries outside `among` get none") {
  std::mt19937_64 rng(4);
  checkGradients({randomMat(rng, 5, 1)}, {},
                 [&](Tape &t, const std::vector<Tape::Var> &in) { return t.logSoftmaxPick(in[0], {0, 2, 3}, 2); });
  Tape t;
  Tape::Var s = t.input(randomMat(rng, 5, 1));
  Tape::Var l = t.logSoftmaxPick(s, {0, 2, 3}, 2);
  CHECK(t.value(l)(0, 0) < 0);
  t.seed(l, Mat::Ones(1, 1));
  t.backward();
  CHECK(t.grad(s)(1, 0) == 0);
  CHECK(t.grad(s)(4, 0) == 0);
  CHECK(t.grad(s).sum() == doctest::Approx(0).scale(1));
}

TEST_CASE("tape: a tape runs backward again from a new seed without stale gradients") {
  Param W = param("W", 2, 2, 5);
  Tape t;
  Tape::Var x = t.input(Mat::Ones(1, 2));
  Tape::Var y = t.matmul(x, W);
  W.grad.setZero();
  t.seed(y, Mat::Ones(1, 2));
  t.backward();
  Mat first = t.grad(x);
  t.zeroGrad();
  t.seed(y, Mat::Ones(1, 2));
  t.backward();
  CHECK(t.grad(x).isApprox(first));
  CHECK(W.grad.isApprox(2 * Mat::Ones(2, 2))); // parameters accumulate until cleared
}
