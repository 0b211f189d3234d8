// Randomised small networks (3-8 variables, random DAGs and CPTs, some CPT
// rows with zeros) against brute-force enumeration of the full joint:
// posteriors, P(evidence), entropies, joints and mutual information over
// 1-3 Ys, through sequences of observe / forget / change. Seeds are fixed.
#include "bn_test_util.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace llmflow::bn;
using namespace bntest;

namespace {

constexpr double kTol = 1e-9;

/// Compares everything the Inference reports with the brute-force answers.
void checkAll(Inference &inf, const Network &n, const std::vector<double> &joint, const std::vector<int> &ev,
              std::mt19937_64 &rng) {
  std::vector<double> pe = bruteMarginal(n, joint, ev, {});
  CHECK(std::abs(inf.probabilityOfEvidence() - pe[0]) <= kTol * std::max(1.0, pe[0]));
  for (unsigned v = 0; v < n.vars.size(); ++v) {
    std::vector<double> want = bruteMarginal(n, joint, ev, {v});
    normalise(want);
    std::vector<double> got = inf.posterior(v);
    REQUIRE(got.size() == want.size());
    for (size_t s = 0; s < want.size(); ++s)
      CHECK(std::abs(got[s] - want[s]) < kTol);
    CHECK(std::abs(inf.entropy(v) - bruteEntropy(want)) < kTol);
  }
  unsigned nv = static_cast<unsigned>(n.vars.size());
  std::uniform_int_distribution<unsigned> pick(0, nv - 1);
  for (int q = 0; q < 4; ++q) {
    unsigned x = pick(rng);
    std::vector<unsigned> ys;
    unsigned m = 1 + q % 3;                        // 1, 2 or 3 Ys
    while (ys.size() < m && ys.size() + 1 < nv) {
      unsigned y = pick(rng);
      if (y != x && std::find(ys.begin(), ys.end(), y) == ys.end())
        ys.push_back(y);
    }
    double want = bruteMI(n, joint, ev, x, ys);
    MIMethod method;
    double got = inf.mutualInformation(x, ys, &method);
    CHECK(std::abs(got - want) < kTol);
    if (ev[x] < 0)
      CHECK(method != MIMethod::PairwiseSum);
    // Joint of x and the Ys.
    std::vector<unsigned> vars{x};
    vars.insert(vars.end(), ys.begin(), ys.end());
    std::vector<double> wj = bruteMarginal(n, joint, ev, vars);
    normalise(wj);
    std::vector<double> gj = inf.joint(vars);
    REQUIRE(gj.size() == wj.size());
    for (size_t i = 0; i < wj.size(); ++i)
      CHECK(std::abs(gj[i] - wj[i]) < kTol);
  }
}

} // namespace

TEST_CASE("random networks: inference, entropy and MI match brute force") {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    unsigned nv = 3 + seed % 6;                      // 3..8 variables
    Network n = randomNetwork(rng, nv, nv <= 6 ? 4 : 3, 3, 0.15);
    REQUIRE(bntest::verifyError(n) == "");
    std::vector<double> joint = bruteJoint(n);
    std::shared_ptr<const JunctionTree> jt = compile(n);
    Inference inf(jt);
    std::vector<int> ev(nv, -1);
    checkAll(inf, n, joint, ev, rng);
    std::uniform_real_distribution<double> u(0, 1);
    for (int step = 0; step < 6; ++step) {
      // Evidence from a sample keeps P(evidence) > 0: observe some fresh
      // variables (several at once on even steps), forget or change others.
      std::vector<unsigned> x = sampleGiven(n, joint, ev, rng);
      for (unsigned v = 0; v < nv; ++v) {
        double r = u(rng);
        if (ev[v] < 0 && r < (step % 2 ? 0.15 : 0.35)) {
          ev[v] = static_cast<int>(x[v]);
          inf.observe(v, x[v]);
        } else if (ev[v] >= 0 && r < 0.2) {
          ev[v] = -1;
          inf.forget(v);
        }
      }
      if (step == 3) {
        // Change one observed variable to the state of a fresh sample
        // consistent with the rest (retraction + new evidence).
        for (unsigned v = 0; v < nv; ++v)
          if (ev[v] >= 0) {
            std::vector<int> others = ev;
            others[v] = -1;
            std::vector<double> pv = bruteMarginal(n, joint, others, {v});
            for (unsigned s = 0; s < pv.size(); ++s)
              if (pv[s] > 0 && static_cast<int>(s) != ev[v]) {
                ev[v] = static_cast<int>(s);
                inf.observe(v, s);
                break;
              }
            break;
          }
      }
      for (unsigned v = 0; v < nv; ++v)
        CHECK(inf.observed(v) == (ev[v] < 0 ? std::nullopt : std::optional<unsigned>(ev[v])));
      checkAll(inf, n, joint, ev, rng);
    }
    // A copy carries the evidence; a fresh Inference from the same tree does not.
    Inference copy = inf;
    Inference fresh(jt);
    for (unsigned v = 0; v < nv; ++v) {
      std::vector<double> a = inf.posterior(v), b = copy.posterior(v);
      for (size_t s = 0; s < a.size(); ++s)
        CHECK(std::abs(a[s] - b[s]) < kTol);
      std::vector<double> prior = bruteMarginal(n, joint, std::vector<int>(nv, -1), {v});
      normalise(prior);
      std::vector<double> f = fresh.posterior(v);
      for (size_t s = 0; s < f.size(); ++s)
        CHECK(std::abs(f[s] - prior[s]) < kTol);
    }
  }
}

TEST_CASE("mutual information falls back to pairwise terms beyond the cell limit") {
  std::mt19937_64 rng(7);
  Network n = randomNetwork(rng, 6, 3, 2);
  std::vector<double> joint = bruteJoint(n);
  Inference inf(n);
  std::vector<int> ev(6, -1);
  std::vector<unsigned> ys{2, 3, 5};
  size_t cells = n.vars[2].card() * n.vars[3].card() * n.vars[5].card();
  MIMethod m;
  inf.setJointCellLimit(cells);
  CHECK(std::abs(inf.mutualInformation(0, ys, &m) - bruteMI(n, joint, ev, 0, ys)) < kTol);
  CHECK(m == MIMethod::Joint);
  inf.setJointCellLimit(cells - 1);
  double pairwise = 0;
  for (unsigned y : ys)
    pairwise += bruteMI(n, joint, ev, 0, {y});
  CHECK(std::abs(inf.mutualInformation(0, ys, &m) - pairwise) < kTol);
  CHECK(m == MIMethod::PairwiseSum);
  // X among the Ys: I(X; X, ...) = H(X).
  CHECK(std::abs(inf.mutualInformation(2, {2, 3}, &m) - inf.entropy(2)) < kTol);
  CHECK(m == MIMethod::Trivial);
}

TEST_CASE("junction tree of a disconnected network with empty separators") {
  // Two independent chains: 0 -> 1 and 2 -> 3, plus an isolated 4.
  std::mt19937_64 rng(11);
  Network n = makeNetwork({2, 3, 2, 2, 3}, {{}, {0}, {}, {2}, {}},
                          {{0.4, 0.6}, {0.2, 0.3, 0.5, 0.6, 0.3, 0.1}, {0.9, 0.1}, {0.5, 0.5, 0.25, 0.75},
                           {0.2, 0.2, 0.6}});
  std::vector<double> joint = bruteJoint(n);
  Inference inf(n);
  std::vector<int> ev(5, -1);
  ev[1] = 2;
  inf.observe(1, 2);
  ev[3] = 1;
  inf.observe(3, 1);
  checkAll(inf, n, joint, ev, rng);
  JunctionTreeStats s = stats(*compile(n));
  CHECK(s.cliques == 3);
}

TEST_CASE("soft evidence: posteriors, P(evidence), joints and MI match the likelihood-weighted joint") {
  // Likelihoods multiply into the joint; the brute-force answers are those
  // of the weighted joint. Soft evidence accumulates over calls, mixes with
  // hard evidence, and is taken back by forget().
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(1000 + seed);
    unsigned nv = 3 + seed % 5;
    Network n = randomNetwork(rng, nv, 4, 2, 0.1);
    std::vector<double> joint = bruteJoint(n);
    Inference inf(compile(n));
    std::vector<int> ev(nv, -1);
    std::vector<std::vector<double>> like(nv);
    std::uniform_real_distribution<double> u(0, 1);
    auto weighted = [&] {
      std::vector<double> w = joint;
      std::vector<unsigned> x(nv, 0);
      for (size_t i = 0; i < w.size(); ++i) {
        for (unsigned v = 0; v < nv; ++v)
          if (!like[v].empty())
            w[i] *= like[v][x[v]];
        for (size_t j = nv; j-- > 0;) {
          if (++x[j] < n.vars[j].card())
            break;
          x[j] = 0;
        }
      }
      return w;
    };
    for (int step = 0; step < 6; ++step) {
      for (unsigned v = 0; v < nv; ++v) {
        double r = u(rng);
        if (r < 0.3 && ev[v] < 0) {
          // A likelihood that keeps at least one state fully possible (so
          // the evidence stays possible), sometimes zeroing a state, as "at
          // least i iterations" does.
          std::vector<double> f(n.vars[v].card());
          for (double &x : f)
            x = u(rng) < 0.3 ? 0.0 : u(rng);
          f[rng() % f.size()] = 1;
          if (like[v].empty())
            like[v].assign(f.size(), 1.0);
          for (size_t s = 0; s < f.size(); ++s)
            like[v][s] *= f[s];
          inf.likelihood(v, f);
        } else if (r < 0.4 && (ev[v] >= 0 || !like[v].empty())) {
          ev[v] = -1;
          like[v].clear();
          inf.forget(v);
        } else if (r < 0.5 && ev[v] < 0) {
          std::vector<double> w = weighted();
          if (normalise(w) <= 0)
            continue;
          std::vector<unsigned> x = sampleGiven(n, w, ev, rng);
          ev[v] = static_cast<int>(x[v]);
          like[v].clear();                          // hard evidence overrides soft
          inf.observe(v, x[v]);
        }
      }
      std::vector<double> w = weighted();
      if (bruteMarginal(n, w, ev, {})[0] <= 1e-12)
        break;                                      // impossible evidence: covered elsewhere
      checkAll(inf, n, w, ev, rng);
    }
  }
}
