// Bayesian-network inference benchmark (single thread): random 20-variable
// networks of 7-state variables (6 duration bins + ABSENT), at most 2
// parents each. Measures, per job stepping through its stages in order,
// the time to enter one piece of evidence and recompute the posterior and
// expectation of every unobserved variable (the expected remaining time);
// the retraction path (forget + observe); a fresh per-job Inference from a
// compiled tree; and one I(X; Y1..Y3 | E) for an X with 3 descendants.
// Usage: bench_bn [jobs per network, default 2000]
#include "bn/bn.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

using namespace llmflow::bn;
using Clock = std::chrono::steady_clock;

namespace {

volatile double sink = 0;

double micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

double percentile(std::vector<double> xs, double q) {
  std::sort(xs.begin(), xs.end());
  return xs[static_cast<size_t>(q * (xs.size() - 1))];
}

Network randomNetwork(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  Network n;
  n.app = "bench";
  const unsigned nv = 20, card = 7;
  for (unsigned v = 0; v < nv; ++v) {
    Variable x;
    x.name = x.node = "stage" + std::to_string(v);
    x.order = v;
    x.hasAbsent = true;
    for (unsigned s = 0; s + 1 < card; ++s) {
      double lo = std::pow(2.0, s), hi = std::pow(2.0, s + 1);
      x.states.push_back("b" + std::to_string(s));
      x.edges.push_back(hi);
      x.value.push_back(1.5 * lo);
      x.lo.push_back(lo * 1.05);
      x.hi.push_back(hi * 0.95);
    }
    x.states.push_back("ABSENT");
    x.value.push_back(0);
    x.lo.push_back(0);
    x.hi.push_back(0);
    x.max = 64;
    n.vars.push_back(x);
    unsigned k = std::uniform_int_distribution<unsigned>(0, std::min(v, 2u))(rng);
    std::vector<unsigned> pool(v);
    for (unsigned i = 0; i < v; ++i)
      pool[i] = i;
    std::shuffle(pool.begin(), pool.end(), rng);
    std::vector<unsigned> ps(pool.begin(), pool.begin() + k);
    std::sort(ps.begin(), ps.end());
    n.parents.push_back(ps);
    size_t q = 1;
    for (size_t i = 0; i < k; ++i)
      q *= card;
    std::vector<double> cpt;
    for (size_t c = 0; c < q; ++c) {
      std::vector<double> row(card);
      double z = 0;
      for (double &p : row)
        z += p = std::pow(u(rng), 3) + 1e-3;       // skewed rows: informative parents
      for (double p : row)
        cpt.push_back(p / z);
    }
    n.cpt.push_back(cpt);
  }
  return n;
}

std::vector<unsigned> sampleJob(const Network &n, std::mt19937_64 &rng) {
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<unsigned> x(n.vars.size());
  for (unsigned v = 0; v < n.vars.size(); ++v) {
    size_t config = 0;
    for (unsigned p : n.parents[v])
      config = config * n.vars[p].card() + x[p];
    unsigned card = n.vars[v].card();
    double r = u(rng), acc = 0;
    x[v] = card - 1;
    for (unsigned s = 0; s < card; ++s)
      if (r < (acc += n.cpt[v][config * card + s])) {
        x[v] = s;
        break;
      }
  }
  return x;
}

} // namespace

int main(int argc, char **argv) {
  unsigned jobs = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : 2000;
  std::printf("bench_bn: 20 variables x 7 states, <= 2 parents, %u jobs per network, one thread\n", jobs);
  std::vector<double> allStep, allRetract, allMI, allFirst, allWorst;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    Network n = randomNetwork(seed);
    if (llvm::Error e = verify(n)) {
      std::fprintf(stderr, "invalid network: %s\n", llvm::toString(std::move(e)).c_str());
      return 1;
    }
    auto t0 = Clock::now();
    std::shared_ptr<const JunctionTree> jt = compile(n);
    double compileUs = micros(Clock::now() - t0);
    JunctionTreeStats st = stats(*jt);
    std::mt19937_64 rng(seed * 7919);
    std::vector<double> step, fresh, retract, mi;
    std::vector<std::vector<double>> byPosition(n.vars.size());
    for (unsigned j = 0; j < jobs; ++j) {
      std::vector<unsigned> x = sampleJob(n, rng);
      auto f0 = Clock::now();
      Inference inf(jt);
      fresh.push_back(micros(Clock::now() - f0));
      for (unsigned v = 0; v < n.vars.size(); ++v) {
        auto s0 = Clock::now();
        inf.observe(v, x[v]);
        double remaining = 0;
        for (unsigned w = v + 1; w < n.vars.size(); ++w)
          remaining += inf.expected(w);
        step.push_back(micros(Clock::now() - s0));
        byPosition[v].push_back(step.back());
        sink = sink + remaining;
      }
      // Retraction: change the evidence of one early stage (full rebuild).
      unsigned v = j % 5;
      auto r0 = Clock::now();
      inf.forget(v);
      inf.observe(v, (x[v] + 1) % n.vars[v].card());
      double remaining = 0;
      for (unsigned w = 0; w < n.vars.size(); ++w)
        remaining += inf.expected(w);
      retract.push_back(micros(Clock::now() - r0));
      sink = sink + remaining;
    }
    // MI: an X with 3 descendants (else the 3 nearest), its predecessors observed.
    unsigned x = 0;
    std::vector<unsigned> ys;
    for (unsigned v = 0; v < n.vars.size(); ++v) {
      std::vector<unsigned> d = descendants(n, v);
      if (d.size() >= 3 && (ys.empty() || d.size() == 3)) {
        x = v;
        ys.assign(d.begin(), d.begin() + 3);
        if (d.size() == 3)
          break;
      }
    }
    size_t desc = descendants(n, x).size();
    MIMethod method = MIMethod::Trivial;
    for (unsigned j = 0; j < std::max(1u, jobs / 4); ++j) {
      std::vector<unsigned> job = sampleJob(n, rng);
      Inference inf(jt);
      for (unsigned v = 0; v < x; ++v)
        inf.observe(v, job[v]);
      inf.posterior(x);                                // calibrate outside the timing
      auto m0 = Clock::now();
      double bits = inf.mutualInformation(x, ys, &method);
      mi.push_back(micros(Clock::now() - m0));
      sink = sink + bits;
    }
    std::printf("network %llu: %u cliques (largest %u vars, %zu cells), %zu clique + %zu separator cells, "
                "compile %.0f us, %zu edges\n",
                static_cast<unsigned long long>(seed), st.cliques, st.largestClique, st.largestCliqueCells,
                st.cliqueCells, st.separatorCells, compileUs, n.edgeCount());
    std::printf("  evidence + all posteriors + E[remaining]: median %.2f us, p90 %.2f us, max %.1f us (%zu steps)\n",
                percentile(step, 0.5), percentile(step, 0.9), percentile(step, 1.0), step.size());
    double worst = 0;
    unsigned worstAt = 0;
    for (unsigned v = 0; v < n.vars.size(); ++v)
      if (percentile(byPosition[v], 0.5) > worst) {
        worst = percentile(byPosition[v], 0.5);
        worstAt = v;
      }
    std::printf("    first stage observed (19 posteriors): median %.2f us; slowest stage position %u: median %.2f us\n",
                percentile(byPosition[0], 0.5), worstAt, worst);
    allFirst.push_back(percentile(byPosition[0], 0.5));
    allWorst.push_back(worst);
    std::printf("  retraction (forget + observe + all posteriors): median %.2f us\n", percentile(retract, 0.5));
    std::printf("  fresh Inference from the compiled tree: median %.2f us\n", percentile(fresh, 0.5));
    std::printf("  I(X; Y1..Y3 | E), X = stage%u (%zu descendants), %s: median %.2f us, p90 %.2f us\n", x, desc,
                method == MIMethod::Joint ? "joint" : "pairwise", percentile(mi, 0.5), percentile(mi, 0.9));
    allStep.insert(allStep.end(), step.begin(), step.end());
    allRetract.insert(allRetract.end(), retract.begin(), retract.end());
    allMI.insert(allMI.end(), mi.begin(), mi.end());
  }
  std::printf("all networks: evidence + all posteriors median %.2f us (target <= 50 us), p90 %.2f us; "
              "worst network's slowest stage position %.2f us; retraction median %.2f us; MI median %.2f us\n",
              percentile(allStep, 0.5), percentile(allStep, 0.9), percentile(allWorst, 1.0),
              percentile(allRetract, 0.5), percentile(allMI, 0.5));
  return 0;
}
