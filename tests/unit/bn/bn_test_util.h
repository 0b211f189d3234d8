// Helpers for the Bayesian-network tests: building small networks by hand
// or at random (seeded), forward sampling, and brute-force answers from the
// full joint table that the library's results are checked against.
#pragma once

#include "bn/bn.h"

#include <random>
#include <string>
#include <vector>

namespace bntest {

/// A network of structure-kind variables v0, v1, ... with states s0, s1, ...
/// (value = state index, lo = value - 0.25, hi = value + 0.25).
llmflow::bn::Network makeNetwork(const std::vector<unsigned> &cards, const std::vector<std::vector<unsigned>> &parents,
                                 const std::vector<std::vector<double>> &cpts);

/// Random DAG over n variables (parents among earlier ones, at most
/// maxParents), cards in [2, maxCard], random CPTs; with probability
/// zeroRows a CPT row gets one zero entry.
llmflow::bn::Network randomNetwork(std::mt19937_64 &rng, unsigned n, unsigned maxCard, unsigned maxParents,
                                   double zeroRows = 0);

/// One full assignment by forward sampling (variables are in topological
/// order when parents precede children, as in every network built here).
std::vector<unsigned> sample(const llmflow::bn::Network &n, std::mt19937_64 &rng);

/// A full assignment drawn from the joint conditioned on the evidence
/// (which must have positive probability).
std::vector<unsigned> sampleGiven(const llmflow::bn::Network &n, const std::vector<double> &joint,
                                  const std::vector<int> &evidence, std::mt19937_64 &rng);

/// The full joint, row-major over all variables (last fastest).
std::vector<double> bruteJoint(const llmflow::bn::Network &n);

/// P(vars, evidence) (unnormalised) from the full joint; evidence[v] = state or -1.
std::vector<double> bruteMarginal(const llmflow::bn::Network &n, const std::vector<double> &joint,
                                  const std::vector<int> &evidence, const std::vector<unsigned> &vars);

/// Normalises in place; returns the total.
double normalise(std::vector<double> &p);

/// Entropy in bits, computed independently of the library.
double bruteEntropy(std::vector<double> p);

/// I(X; Y1..Ym | E) = H(Y|E) - sum_x P(x|E) H(Y|x,E) from the full joint.
double bruteMI(const llmflow::bn::Network &n, const std::vector<double> &joint, const std::vector<int> &evidence,
               unsigned x, const std::vector<unsigned> &ys);

/// verify()'s message, or "" for a valid network.
inline std::string verifyError(const llmflow::bn::Network &n) {
  llvm::Error e = llmflow::bn::verify(n);
  return e ? llvm::toString(std::move(e)) : "";
}

/// The error message of a failed Expected (fails the test if it succeeded).
template <typename T> std::string errorOf(llvm::Expected<T> e) {
  if (e)
    return "<no error>";
  return llvm::toString(e.takeError());
}

} // namespace bntest
