// Training: structure search recovers a known structure from samples (all
// three search methods), respects the order and the parent limit, learns
// nothing from uncorrelated data (held-out log-likelihood no better than the
// independent baseline), beats the baseline on correlated durations, fills
// CPTs by smoothed counting, and rejects bad input with clear errors.
#include "bn_test_util.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace llmflow::bn;
using namespace bntest;

namespace {

std::vector<VariableSpec> specs(const std::vector<std::string> &names, Variable::Kind kind,
                                std::vector<unsigned> orders = {}) {
  std::vector<VariableSpec> out;
  for (size_t i = 0; i < names.size(); ++i) {
    VariableSpec s;
    s.name = s.node = names[i];
    s.kind = kind;
    s.order = orders.empty() ? static_cast<unsigned>(i) : orders[i];
    out.push_back(s);
  }
  return out;
}

/// A -> B -> C plus an independent D, three states each, strong links.
Network truth() {
  return makeNetwork({3, 3, 3, 3}, {{}, {0}, {1}, {}},
                     {{0.3, 0.4, 0.3},
                      {0.8, 0.15, 0.05, 0.1, 0.8, 0.1, 0.05, 0.15, 0.8},
                      {0.7, 0.2, 0.1, 0.15, 0.7, 0.15, 0.1, 0.2, 0.7},
                      {0.5, 0.25, 0.25}});
}

/// Rows of state values sampled from `n` (structure variables: value = state).
Dataset sampled(const Network &n, size_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Dataset d;
  for (const Variable &v : n.vars)
    d.columns.push_back(v.name);
  for (size_t r = 0; r < rows; ++r) {
    std::vector<unsigned> x = sample(n, rng);
    d.rows.emplace_back(x.begin(), x.end());
  }
  return d;
}

/// Correlated log-normal durations: B follows A, C follows B, D alone; E is
/// sometimes absent.
Dataset durations(size_t rows, uint64_t seed, bool correlated) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  Dataset d;
  d.columns = {"A", "B", "C", "D", "E"};
  for (size_t r = 0; r < rows; ++r) {
    double a = z(rng), b = (correlated ? 0.9 * a : 0) + 0.45 * z(rng), c = (correlated ? 0.9 * b : 0) + 0.45 * z(rng);
    std::optional<double> e;
    if (u(rng) < 0.7)
      e = std::exp(z(rng));
    d.rows.push_back({std::exp(a), std::exp(b), std::exp(c), std::exp(z(rng)), e});
  }
  return d;
}

} // namespace

TEST_CASE("structure learning recovers A -> B -> C with D independent") {
  Network t = truth();
  Dataset d = sampled(t, 5000, 42);
  for (const char *search : {"hill-climbing", "k2", "exact"}) {
    CAPTURE(search);
    TrainOptions o;
    o.search = search;
    auto n = train(d, specs({"v0", "v1", "v2", "v3"}, Variable::Kind::Structure), o);
    REQUIRE(n);
    CHECK(n->parents == std::vector<std::vector<unsigned>>{{}, {0}, {1}, {}});
    CHECK(n->search == search);
    CHECK(n->trainRows == 5000);
    // CPTs close to the truth (5,000 samples).
    for (unsigned v = 0; v < 4; ++v)
      for (size_t i = 0; i < t.cpt[v].size(); ++i)
        CHECK(std::abs(n->cpt[v][i] - t.cpt[v][i]) < 0.05);
  }
}

TEST_CASE("edges only go from lower to higher order, within the parent limit") {
  Network t = truth();
  Dataset d = sampled(t, 3000, 5);
  // Reverse the order: v2 first, then v1, then v0; v3 shares v2's order.
  auto rev = train(d, specs({"v0", "v1", "v2", "v3"}, Variable::Kind::Structure, {2, 1, 0, 0}), TrainOptions{});
  REQUIRE(rev);
  for (unsigned v = 0; v < 4; ++v)
    for (unsigned p : rev->parents[v])
      CHECK(rev->vars[p].order < rev->vars[v].order);
  CHECK(rev->parents[1] == std::vector<unsigned>{2});   // the chain, learned backwards
  CHECK(rev->parents[0] == std::vector<unsigned>{1});
  // v0 depends on everything upstream; with no parents allowed there are no edges.
  TrainOptions none;
  none.maxParents = 0;
  auto flat = train(d, specs({"v0", "v1", "v2", "v3"}, Variable::Kind::Structure), none);
  REQUIRE(flat);
  CHECK(flat->edgeCount() == 0);
}

TEST_CASE("CPTs are smoothed counts") {
  Dataset d;
  d.columns = {"x", "y"};
  // x: 0,0,0,1 ; y copies x except once.
  d.rows = {{0.0, 0.0}, {0.0, 0.0}, {0.0, 1.0}, {1.0, 1.0}};
  TrainOptions o;
  o.smoothing = 1;
  o.maxParents = 0;
  auto n = train(d, specs({"x", "y"}, Variable::Kind::Structure), o);
  REQUIRE(n);
  // P(x=0) = (3 + 1) / (4 + 2) = 2/3
  CHECK(n->cpt[0][0] == doctest::Approx(2.0 / 3));
  o.smoothing = 0;
  n = train(d, specs({"x", "y"}, Variable::Kind::Structure), o);
  REQUIRE(n);
  CHECK(n->cpt[0][0] == doctest::Approx(0.75));
}

TEST_CASE("uncorrelated data: held-out likelihood no better than independent stages") {
  Dataset tr = durations(3000, 1, false), held = durations(3000, 2, false);
  auto n = train(tr, specs({"A", "B", "C", "D", "E"}, Variable::Kind::Duration), TrainOptions{});
  REQUIRE(n);
  auto ind = independent(*n, tr);
  REQUIRE(ind);
  CHECK(ind->edgeCount() == 0);
  auto llBN = logLikelihood(*n, held), llInd = logLikelihood(*ind, held);
  REQUIRE(llBN);
  REQUIRE(llInd);
  MESSAGE("uncorrelated: BN " << *llBN << " vs independent " << *llInd << " nats/row, " << n->edgeCount()
                              << " edges");
  CHECK(*llBN <= *llInd + 0.005);
  CHECK(n->edgeCount() <= 1);
}

TEST_CASE("correlated durations: learned chain beats the independent baseline") {
  Dataset tr = durations(3000, 3, true), held = durations(3000, 4, true);
  auto n = train(tr, specs({"A", "B", "C", "D", "E"}, Variable::Kind::Duration), TrainOptions{});
  REQUIRE(n);
  CHECK(std::find(n->parents[1].begin(), n->parents[1].end(), 0u) != n->parents[1].end());
  CHECK(std::find(n->parents[2].begin(), n->parents[2].end(), 1u) != n->parents[2].end());
  CHECK(n->parents[3].empty());
  for (unsigned v = 0; v < 5; ++v)
    for (unsigned p : n->parents[v])
      CHECK(p != 3u);                                  // D is independent of everything
  CHECK(n->vars[4].hasAbsent);
  auto ind = independent(*n, tr);
  REQUIRE(ind);
  double llBN = *logLikelihood(*n, held), llInd = *logLikelihood(*ind, held);
  MESSAGE("correlated: BN " << llBN << " vs independent " << llInd << " nats/row");
  CHECK(llBN > llInd + 0.3);
}

TEST_CASE("log-likelihood sums out missing columns and unrepresentable values") {
  Network t = truth();
  Dataset d;
  d.columns = {"v0", "v2"};                            // v1 and v3 missing
  d.rows = {{0.0, 2.0}};
  auto ll = logLikelihood(t, d);
  REQUIRE(ll);
  std::vector<double> joint = bruteJoint(t);
  std::vector<int> ev{0, -1, 2, -1};
  CHECK(*ll == doctest::Approx(std::log(bruteMarginal(t, joint, ev, {})[0])).epsilon(1e-12));
  // A complete row is the product of CPT entries.
  d.columns = {"v0", "v1", "v2", "v3"};
  d.rows = {{0.0, 1.0, 1.0, 2.0}};
  CHECK(*logLikelihood(t, d) == doctest::Approx(std::log(0.3 * 0.15 * 0.7 * 0.25)).epsilon(1e-12));
  d.rows = {{0.0, 1.0, std::nan(""), 2.0}};            // NaN: summed out
  CHECK(*logLikelihood(t, d) == doctest::Approx(std::log(0.3 * 0.15 * 0.25)).epsilon(1e-12));
}

TEST_CASE("bad input is rejected with a clear error") {
  auto sp = specs({"a", "b"}, Variable::Kind::Duration);
  Dataset ok;
  ok.columns = {"a", "b"};
  ok.rows = {{1.0, 2.0}, {2.0, 3.0}};
  REQUIRE(train(ok, sp, TrainOptions{}));

  Dataset empty = ok;
  empty.rows.clear();
  CHECK(errorOf(train(empty, sp, TrainOptions{})) == "empty dataset: no rows to train on");

  Dataset missing = ok;
  missing.columns = {"a", "c"};
  CHECK(errorOf(train(missing, sp, TrainOptions{})) == "variable 'b' has no column in the dataset");

  Dataset extra = ok;
  extra.columns.push_back("z");
  for (auto &r : extra.rows)
    r.push_back(1.0);
  CHECK(errorOf(train(extra, sp, TrainOptions{})) == "dataset column 'z' has no variable spec");

  Dataset ragged = ok;
  ragged.rows[1].pop_back();
  CHECK(errorOf(train(ragged, sp, TrainOptions{})) == "row 1 has 1 values but the dataset has 2 columns");

  Dataset twice = ok;
  twice.columns = {"a", "a"};
  CHECK(errorOf(train(twice, sp, TrainOptions{})) == "dataset column 'a' appears twice");

  Dataset nan = ok;
  nan.rows[1][0] = std::nan("");
  CHECK(errorOf(train(nan, sp, TrainOptions{})) == "variable 'a': row 1 is NaN");

  Dataset negative = ok;
  negative.rows[0][1] = -1.0;
  CHECK(errorOf(train(negative, sp, TrainOptions{})) == "variable 'b': row 0 is negative (-1)");

  TrainOptions search;
  search.search = "simulated-annealing";
  CHECK(errorOf(train(ok, sp, search)) ==
        "unknown search method 'simulated-annealing' (expected 'hill-climbing', 'k2' or 'exact')");
  TrainOptions bins;
  bins.bins = 0;
  CHECK(errorOf(train(ok, sp, bins)) == "bins must be between 1 and 1024, got 0");
  TrainOptions smooth;
  smooth.smoothing = -1;
  CHECK(errorOf(train(ok, sp, smooth)) == "smoothing must be a finite number >= 0, got -1");
  CHECK(errorOf(train(ok, {}, TrainOptions{})) == "no variables to train");
  CHECK(errorOf(train(ok, specs({"a", "a"}, Variable::Kind::Duration), TrainOptions{})) ==
        "variable 'a' is specified twice");

  // The error kind is typed.
  llvm::Error e = train(empty, sp, TrainOptions{}).takeError();
  bool typed = false;
  llvm::handleAllErrors(std::move(e), [&](const BNError &b) { typed = b.kind == BNErrorKind::BadData; });
  CHECK(typed);
  CHECK(errorOf(logLikelihood(truth(), Dataset{})) == "empty dataset: no rows to score");
}

TEST_CASE("exact search refuses too many families") {
  Dataset d;
  std::vector<std::string> names;
  for (int i = 0; i < 120; ++i)
    names.push_back("v" + std::to_string(i));
  d.columns = names;
  d.rows.assign(3, std::vector<std::optional<double>>(120, 1.0));
  TrainOptions o;
  o.search = "exact";
  o.maxParents = 3;
  std::string err = errorOf(train(d, specs(names, Variable::Kind::Structure), o));
  CHECK(err.find("exact search would score") == 0);
}

TEST_CASE("seeded parents are kept, and the search still adds what pays") {
  Network t = truth();
  Dataset d = sampled(t, 3000, 9);
  auto sp = specs({"v0", "v1", "v2", "v3"}, Variable::Kind::Structure);
  sp[3].seedParents = {"v0"};                  // useless: v3 is independent, kept anyway
  sp[2].seedParents = {"v0"};                  // redundant given v1; v2's real parent v1 is still found
  sp[0].seedParents = {"v2"};                  // against the order: left out
  for (const char *search : {"hill-climbing", "k2"}) {
    CAPTURE(search);
    TrainOptions o;
    o.search = search;
    auto n = train(d, sp, o);
    REQUIRE(n);
    CHECK(n->parents[0].empty());
    CHECK(n->parents[1] == std::vector<unsigned>{0});
    CHECK(n->parents[2] == std::vector<unsigned>{0, 1});
    CHECK(n->parents[3] == std::vector<unsigned>{0});
  }
  // Without seeds the useless edges are not there.
  auto plain = train(d, specs({"v0", "v1", "v2", "v3"}, Variable::Kind::Structure), TrainOptions{});
  REQUIRE(plain);
  CHECK(plain->parents[3].empty());
  CHECK(plain->parents[2] == std::vector<unsigned>{1});
  sp[1].seedParents = {"nope"};
  CHECK(errorOf(train(d, sp, TrainOptions{})).find("seed parent 'nope'") != std::string::npos);
}

TEST_CASE("withoutEdges keeps each variable's marginal and drops every edge") {
  Network t = truth();
  Network flat = withoutEdges(t);
  CHECK(flat.edgeCount() == 0);
  CHECK(bntest::verifyError(flat) == "");
  Inference a(t), b(flat);
  for (unsigned v = 0; v < t.vars.size(); ++v) {
    std::vector<double> pa = a.posterior(v), pb = b.posterior(v);
    for (size_t s = 0; s < pa.size(); ++s)
      CHECK(pa[s] == doctest::Approx(pb[s]).epsilon(1e-12));
  }
  // Evidence on A no longer moves C.
  b.observe(0, 2);
  std::vector<double> c = b.posterior(2), prior = Inference(flat).posterior(2);
  for (size_t s = 0; s < c.size(); ++s)
    CHECK(c[s] == doctest::Approx(prior[s]).epsilon(1e-12));
}
