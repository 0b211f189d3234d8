#include "decima/network.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace llmflow::decima {

Network::Network() {
  auto layer = [](Param &W, Param &b, const char *name, int in, int out) {
    W.init(std::string(name) + ".W", in, out);
    b.init(std::string(name) + ".b", 1, out);
  };
  layer(prep1W, prep1b, "prep1", kFeatures, kHidden);
  layer(prep2W, prep2b, "prep2", kHidden, kEmbed);
  layer(f1W, f1b, "f1", kEmbed, kHidden);
  layer(f2W, f2b, "f2", kHidden, kEmbed);
  layer(g1W, g1b, "g1", kEmbed, kHidden);
  layer(g2W, g2b, "g2", kHidden, kEmbed);
  layer(s1W, s1b, "s1", kFeatures + kEmbed, kHidden);
  layer(s2W, s2b, "s2", kHidden, kEmbed);
  layer(t1W, t1b, "t1", kEmbed, kHidden);
  layer(t2W, t2b, "t2", kHidden, kEmbed);
  qNodeW.init("q1.node", kFeatures + kEmbed, kHidden);
  qJobW.init("q1.job", kEmbed, kHidden);
  qGlobalW.init("q1.global", kEmbed, kHidden);
  q1b.init("q1.b", 1, kHidden);
  layer(q2W, q2b, "q2", kHidden, kEmbed);
  layer(q3W, q3b, "q3", kEmbed, 1);
  lJobW.init("l1.job", kEmbed, kHidden);
  lGlobalW.init("l1.global", kEmbed, kHidden);
  lLimitW.init("l1.limit", 1, kHidden);
  l1b.init("l1.b", 1, kHidden);
  layer(l2W, l2b, "l2", kHidden, kEmbed);
  layer(l3W, l3b, "l3", kEmbed, 1);
}

std::vector<Param *> Network::params() {
  return {&prep1W, &prep1b, &prep2W, &prep2b, &f1W,   &f1b,      &f2W,  &f2b,  &g1W,   &g1b,    &g2W,
          &g2b,    &s1W,    &s1b,    &s2W,    &s2b,   &t1W,      &t1b,  &t2W,  &t2b,   &qNodeW, &qJobW,
          &qGlobalW, &q1b,  &q2W,    &q2b,    &q3W,   &q3b,      &lJobW, &lGlobalW, &lLimitW, &l1b, &l2W,
          &l2b,    &l3W,    &l3b};
}

size_t Network::size() {
  size_t n = 0;
  for (Param *p : params())
    n += size_t(p->value.size());
  return n;
}

void Network::initialise(uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (Param *p : params()) {
    if (p->value.rows() == 1 && p->name.size() > 2 && p->name.substr(p->name.size() - 2) == ".b") {
      p->value.setZero();
      continue;
    }
    // Glorot uniform over the layer's fan-in and fan-out.
    double limit = std::sqrt(6.0 / double(p->value.rows() + p->value.cols()));
    std::uniform_real_distribution<double> u(-limit, limit);
    for (Eigen::Index i = 0; i < p->value.size(); ++i)
      p->value.data()[i] = u(rng);
  }
  zeroGrad();
}

void Network::zeroGrad() {
  for (Param *p : params())
    p->grad.setZero();
}

std::vector<float> Network::flatGrad() {
  std::vector<float> out;
  out.reserve(size());
  for (Param *p : params())
    for (Eigen::Index i = 0; i < p->grad.size(); ++i)
      out.push_back(float(p->grad.data()[i]));
  return out;
}

namespace {

/// Two layers with leaky ReLUs: the transforms f, g, prep and the summaries.
Tape::Var mlp(Tape &t, Tape::Var x, Param &W1, Param &b1, Param &W2, Param &b2) {
  return t.leakyRelu(t.linear(t.leakyRelu(t.linear(x, W1, b1)), W2, b2));
}

} // namespace

void encodeJob(Network &net, const JobGraph &g, JobEncoding &out) {
  Tape &t = out.tape;
  t.clear();
  auto n = uint32_t(g.x.rows());
  Tape::Var x = t.input(g.x);
  Tape::Var prep = mlp(t, x, net.prep1W, net.prep1b, net.prep2W, net.prep2b);
  // Levels: 0 for nodes nothing waits for, else one more than their
  // highest child; each level's embeddings need only lower levels'.
  std::vector<uint32_t> level(n, 0), pending(n), pos(n);
  std::vector<std::vector<uint32_t>> parents(n);
  for (uint32_t v = 0; v < n; ++v) {
    pending[v] = uint32_t(g.children[v].size());
    for (uint32_t c : g.children[v])
      parents[c].push_back(v);
  }
  std::vector<std::vector<uint32_t>> byLevel;
  std::vector<uint32_t> queue;
  for (uint32_t v = 0; v < n; ++v)
    if (!pending[v])
      queue.push_back(v);
  for (size_t k = 0; k < queue.size(); ++k) {
    uint32_t v = queue[k];
    if (byLevel.size() <= level[v])
      byLevel.resize(level[v] + 1);
    pos[v] = uint32_t(byLevel[level[v]].size());
    byLevel[level[v]].push_back(v);
    for (uint32_t p : parents[v]) {
      level[p] = std::max(level[p], level[v] + 1);
      if (--pending[p] == 0)
        queue.push_back(p);
    }
  }
  assert(queue.size() == n && "a job's DAG has no cycles");
  std::vector<Tape::Var> emb, msg; // per level: embeddings, and f of them
  for (size_t k = 0; k < byLevel.size(); ++k) {
    const std::vector<uint32_t> &rows = byLevel[k];
    std::vector<Tape::Pick> own;
    for (uint32_t r = 0; r < rows.size(); ++r)
      own.push_back({r, 0, rows[r]});
    Tape::Var e = t.gatherSum({prep}, std::move(own), Eigen::Index(rows.size()));
    if (k > 0) {
      std::vector<Tape::Pick> in;
      for (uint32_t r = 0; r < rows.size(); ++r)
        for (uint32_t c : g.children[rows[r]])
          in.push_back({r, level[c], pos[c]});
      Tape::Var m = t.gatherSum(msg, std::move(in), Eigen::Index(rows.size()));
      e = t.add(e, mlp(t, m, net.g1W, net.g1b, net.g2W, net.g2b));
    }
    emb.push_back(e);
    if (k + 1 < byLevel.size())
      msg.push_back(mlp(t, e, net.f1W, net.f1b, net.f2W, net.f2b));
  }
  std::vector<Tape::Pick> back;
  for (uint32_t v = 0; v < n; ++v)
    back.push_back({v, level[v], pos[v]});
  Tape::Var e = n ? t.gatherSum(emb, std::move(back), n) : t.input(Mat::Zero(0, kEmbed));
  Tape::Var xe = t.concat(x, e);
  Tape::Var y = t.sumRows(mlp(t, xe, net.s1W, net.s1b, net.s2W, net.s2b));
  out.global = mlp(t, y, net.t1W, net.t1b, net.t2W, net.t2b);
  out.jobScore = t.matmul(y, net.qJobW);
  out.jobLimit = t.matmul(y, net.lJobW);
  std::vector<Tape::Pick> cand;
  for (uint32_t r = 0; r < g.candidates.size(); ++r)
    cand.push_back({r, 0, g.candidates[r]});
  out.nodeScore = t.matmul(t.gatherSum({xe}, std::move(cand), Eigen::Index(g.candidates.size())), net.qNodeW);
}

void Head::build(Network &net, Mat globals, Mat firstLayer) {
  tape.clear();
  globalsVar = tape.input(std::move(globals));
  z = tape.sumRows(globalsVar);
  Tape::Var c = tape.linear(z, net.qGlobalW, net.q1b);
  firstLayerVar = tape.input(std::move(firstLayer));
  Tape::Var h = tape.leakyRelu(tape.add(firstLayerVar, c));
  h = tape.leakyRelu(tape.linear(h, net.q2W, net.q2b));
  scoreVar = tape.linear(h, net.q3W, net.q3b);
  limitGlobal = tape.linear(z, net.lGlobalW, net.l1b);
  Mat lv(kLimits, 1);
  for (int l = 0; l < kLimits; ++l)
    lv(l, 0) = double(l + 1) / kLimits;
  levels = tape.matmul(tape.input(std::move(lv)), net.lLimitW);
}

std::pair<Tape::Var, Tape::Var> Head::limitScores(Network &net, const Mat &jobLimit) {
  Tape::Var leaf = tape.input(jobLimit);
  Tape::Var h = tape.leakyRelu(tape.add(tape.add(levels, limitGlobal), leaf));
  h = tape.leakyRelu(tape.linear(h, net.l2W, net.l2b));
  return {tape.linear(h, net.l3W, net.l3b), leaf};
}

} // namespace llmflow::decima
