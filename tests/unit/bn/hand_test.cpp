// Exact inference, entropy and mutual information on the two classic
// three-variable networks, against values worked out by hand (the
// arithmetic is in the comments; logs are base 2, H2(p) = binary entropy).
#include "bn_test_util.h"

#include <doctest/doctest.h>

using namespace llmflow::bn;
using bntest::makeNetwork;

namespace {

constexpr double kTol = 1e-9;

/// Chain A -> B -> C, all binary.
///   P(A=1) = 0.3
///   P(B=1 | A=0) = 0.2,  P(B=1 | A=1) = 0.9
///   P(C=1 | B=0) = 0.1,  P(C=1 | B=1) = 0.6
Network chain() {
  return makeNetwork({2, 2, 2}, {{}, {0}, {1}}, {{0.7, 0.3}, {0.8, 0.2, 0.1, 0.9}, {0.9, 0.1, 0.4, 0.6}});
}

/// Collider A -> C <- B, all binary.
///   P(A=1) = 0.3, P(B=1) = 0.6
///   P(C=1 | A,B): (0,0) 0.1, (0,1) 0.5, (1,0) 0.7, (1,1) 0.95
Network collider() {
  return makeNetwork({2, 2, 2}, {{}, {}, {0, 1}},
                     {{0.7, 0.3}, {0.4, 0.6}, {0.9, 0.1, 0.5, 0.5, 0.3, 0.7, 0.05, 0.95}});
}

} // namespace

TEST_CASE("chain: prior posteriors") {
  Inference inf(chain());
  // P(B=1) = 0.7*0.2 + 0.3*0.9 = 0.14 + 0.27 = 0.41
  CHECK(inf.posterior(1)[1] == doctest::Approx(0.41).epsilon(kTol));
  // P(C=1) = 0.59*0.1 + 0.41*0.6 = 0.059 + 0.246 = 0.305
  CHECK(inf.posterior(2)[1] == doctest::Approx(0.305).epsilon(kTol));
  CHECK(inf.posterior(2)[0] == doctest::Approx(0.695).epsilon(kTol));
  CHECK(inf.probabilityOfEvidence() == doctest::Approx(1.0).epsilon(kTol));
}

TEST_CASE("chain: evidence downstream and upstream") {
  Inference inf(chain());
  inf.observe(2, 1);
  // P(C=1) = 0.305 (above); P(C=1 | A=1) = 0.1*0.1 + 0.9*0.6 = 0.55,
  // P(A=1 | C=1) = 0.3*0.55 / 0.305 = 0.165 / 0.305
  CHECK(std::abs(inf.posterior(0)[1] - 0.165 / 0.305) < kTol);
  // P(B=1 | C=1) = 0.41*0.6 / 0.305 = 0.246 / 0.305
  CHECK(std::abs(inf.posterior(1)[1] - 0.246 / 0.305) < kTol);
  CHECK(std::abs(inf.probabilityOfEvidence() - 0.305) < kTol);
  CHECK(inf.posterior(2) == std::vector<double>{0, 1});
  // Replace the evidence: B=1 instead of C=1.
  inf.forget(2);
  inf.observe(1, 1);
  // P(A=1 | B=1) = 0.27 / 0.41; P(C=1 | B=1) = 0.6
  CHECK(std::abs(inf.posterior(0)[1] - 0.27 / 0.41) < kTol);
  CHECK(std::abs(inf.posterior(2)[1] - 0.6) < kTol);
  inf.reset();
  CHECK(std::abs(inf.posterior(2)[1] - 0.305) < kTol);
}

TEST_CASE("chain: entropy and mutual information") {
  Inference inf(chain());
  // H(A) = H2(0.3) = -(0.3 log 0.3 + 0.7 log 0.7) = 0.8812908992306927
  CHECK(std::abs(inf.entropy(0) - 0.8812908992306927) < kTol);
  // H(C) = H2(0.305) = 0.8873172562752066
  CHECK(std::abs(inf.entropy(2) - 0.8873172562752066) < kTol);
  // I(A; C) = H2(0.305) - [0.7 H2(0.2) + 0.3 H2(0.55)], with P(C=1|A=0) =
  // 0.8*0.1 + 0.2*0.6 = 0.2 and P(C=1|A=1) = 0.55: 0.08413525365771057
  MIMethod m;
  CHECK(std::abs(inf.mutualInformation(0, {2}, &m) - 0.08413525365771057) < kTol);
  CHECK(m == MIMethod::Joint);
  // I(A; B, C) = I(A; B) because C is independent of A given B:
  // H2(0.41) - [0.7 H2(0.2) + 0.3 H2(0.9)] = 0.330452124259886
  CHECK(std::abs(inf.mutualInformation(0, {1, 2}) - 0.330452124259886) < kTol);
  CHECK(std::abs(inf.mutualInformation(0, {1}) - 0.330452124259886) < kTol);
  // Given B, A and C are independent: I(A; C | B=1) = 0.
  inf.observe(1, 1);
  CHECK(std::abs(inf.mutualInformation(0, {2})) < kTol);
  // Given A=1, H(C | A=1) = H2(0.55) = 0.9927744539878083.
  inf.forget(1);
  inf.observe(0, 1);
  CHECK(std::abs(inf.entropy(2) - 0.9927744539878083) < kTol);
  // X observed: nothing left to learn.
  CHECK(inf.mutualInformation(0, {2}, &m) == 0);
  CHECK(m == MIMethod::Trivial);
}

TEST_CASE("collider: explaining away") {
  Inference inf(collider());
  // P(C=1) = .7*.4*.1 + .7*.6*.5 + .3*.4*.7 + .3*.6*.95
  //        = .028 + .21 + .084 + .171 = .493
  CHECK(std::abs(inf.posterior(2)[1] - 0.493) < kTol);
  // A and B are independent a priori: I(A; B) = 0.
  CHECK(std::abs(inf.mutualInformation(0, {1})) < kTol);
  // I(A; C) = H2(.493) - [.7 H2(.34) + .3 H2(.85)] with P(C=1|A=0) =
  // .4*.1 + .6*.5 = .34 and P(C=1|A=1) = .4*.7 + .6*.95 = .85: 0.16953342637104196
  CHECK(std::abs(inf.mutualInformation(0, {2}) - 0.16953342637104196) < kTol);
  // I(A; B, C): P(B, C | A) rows are [.4*.9, .4*.1, .6*.5, .6*.5] for A=0 and
  // [.4*.3, .4*.7, .6*.05, .6*.95] for A=1: 0.20160846764041418
  CHECK(std::abs(inf.mutualInformation(0, {1, 2}) - 0.20160846764041418) < kTol);
  inf.observe(2, 1);
  // P(A=1 | C=1) = (.084 + .171) / .493 = .255 / .493
  CHECK(std::abs(inf.posterior(0)[1] - 0.255 / 0.493) < kTol);
  // H(A | C=1) = H2(.255/.493) = 0.9991421039919088
  CHECK(std::abs(inf.entropy(0) - 0.9991421039919088) < kTol);
  // Given C=1, A and B become dependent: P(A,B | C=1) = [.028, .21, .084,
  // .171] / .493; I = H(B|C=1) - sum_a P(a|C=1) H(B|a,C=1) = 0.04786748001826924
  CHECK(std::abs(inf.mutualInformation(0, {1}) - 0.04786748001826924) < kTol);
  inf.observe(1, 1);
  // P(A=1 | C=1, B=1) = .171 / (.21 + .171) = .171 / .381: B explains C away.
  CHECK(std::abs(inf.posterior(0)[1] - 0.171 / 0.381) < kTol);
  CHECK(std::abs(inf.probabilityOfEvidence() - 0.381 * 1.0) < kTol);
}

TEST_CASE("joint posterior of two variables") {
  Inference inf(collider());
  inf.observe(2, 1);
  // P(A, B | C=1) = [.028, .21, .084, .171] / .493 (A slowest).
  std::vector<double> j = inf.joint({0, 1});
  REQUIRE(j.size() == 4);
  CHECK(std::abs(j[0] - 0.028 / 0.493) < kTol);
  CHECK(std::abs(j[1] - 0.21 / 0.493) < kTol);
  CHECK(std::abs(j[2] - 0.084 / 0.493) < kTol);
  CHECK(std::abs(j[3] - 0.171 / 0.493) < kTol);
  // Requested order (B, A) transposes; an observed variable is a point mass.
  std::vector<double> t = inf.joint({1, 0});
  CHECK(std::abs(t[1] - 0.084 / 0.493) < kTol);
  std::vector<double> withC = inf.joint({2, 0});
  CHECK(withC[0] == 0);
  CHECK(withC[1] == 0);
  CHECK(std::abs(withC[3] - 0.255 / 0.493) < kTol);
}

TEST_CASE("impossible evidence gives uniform posteriors and zero probability") {
  // B copies A exactly; observing A=0, B=1 is impossible.
  Network n = makeNetwork({2, 2, 2}, {{}, {0}, {1}}, {{0.5, 0.5}, {1, 0, 0, 1}, {0.9, 0.1, 0.2, 0.8}});
  Inference inf(n);
  inf.observe(0, 0);
  inf.observe(1, 1);
  CHECK(inf.probabilityOfEvidence() == 0);
  CHECK(inf.posterior(2) == std::vector<double>{0.5, 0.5});
  inf.forget(1);
  CHECK(std::abs(inf.posterior(2)[1] - 0.1) < kTol);
}
