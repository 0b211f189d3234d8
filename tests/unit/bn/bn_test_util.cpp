// Brute-force references and network builders for the BN tests.
#include "bn_test_util.h"

#include <algorithm>
#include <cassert>
#include <cmath>

using namespace llmflow::bn;

namespace bntest {

Network makeNetwork(const std::vector<unsigned> &cards, const std::vector<std::vector<unsigned>> &parents,
                    const std::vector<std::vector<double>> &cpts) {
  Network n;
  n.app = "test";
  for (unsigned v = 0; v < cards.size(); ++v) {
    Variable x;
    x.name = x.node = "v" + std::to_string(v);
    x.kind = Variable::Kind::Structure;
    x.order = v;
    for (unsigned s = 0; s < cards[v]; ++s) {
      x.states.push_back("s" + std::to_string(s));
      x.edges.push_back(s);
      x.value.push_back(s);
      x.lo.push_back(s - 0.25);
      x.hi.push_back(s + 0.25);
    }
    x.min = -0.25;
    x.max = cards[v] - 0.75;
    n.vars.push_back(x);
  }
  n.parents = parents;
  n.cpt = cpts;
  return n;
}

Network randomNetwork(std::mt19937_64 &rng, unsigned count, unsigned maxCard, unsigned maxParents, double zeroRows) {
  std::uniform_int_distribution<unsigned> cardDist(2, maxCard);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<unsigned> cards;
  std::vector<std::vector<unsigned>> parents(count);
  std::vector<std::vector<double>> cpts(count);
  for (unsigned v = 0; v < count; ++v) {
    cards.push_back(cardDist(rng));
    unsigned k = v == 0 ? 0 : std::uniform_int_distribution<unsigned>(0, std::min(v, maxParents))(rng);
    std::vector<unsigned> pool(v);
    for (unsigned i = 0; i < v; ++i)
      pool[i] = i;
    std::shuffle(pool.begin(), pool.end(), rng);
    parents[v].assign(pool.begin(), pool.begin() + k);
    size_t q = 1;
    for (unsigned p : parents[v])
      q *= cards[p];
    for (size_t c = 0; c < q; ++c) {
      std::vector<double> row(cards[v]);
      double z = 0;
      for (double &x : row)
        z += x = 0.05 + u(rng);
      if (u(rng) < zeroRows) {
        unsigned s = std::uniform_int_distribution<unsigned>(0, cards[v] - 1)(rng);
        row[s] = 0;
        z = 0;
        for (double x : row)
          z += x;
      }
      for (double &x : row)
        cpts[v].push_back(x / z);
    }
  }
  return makeNetwork(cards, parents, cpts);
}

std::vector<unsigned> sample(const Network &n, std::mt19937_64 &rng) {
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<unsigned> x(n.vars.size());
  for (unsigned v = 0; v < n.vars.size(); ++v) {
    size_t config = 0;
    for (unsigned p : n.parents[v]) {
      assert(p < v && "parents precede children");
      config = config * n.vars[p].card() + x[p];
    }
    unsigned card = n.vars[v].card();
    double r = u(rng), acc = 0;
    x[v] = card - 1;
    for (unsigned s = 0; s < card; ++s) {
      acc += n.cpt[v][config * card + s];
      if (r < acc) {
        x[v] = s;
        break;
      }
    }
  }
  return x;
}

std::vector<unsigned> sampleGiven(const Network &n, const std::vector<double> &joint, const std::vector<int> &evidence,
                                  std::mt19937_64 &rng) {
  size_t nv = n.vars.size();
  auto decode = [&](size_t i) {
    std::vector<unsigned> x(nv);
    for (size_t j = nv; j-- > 0;) {
      x[j] = static_cast<unsigned>(i % n.vars[j].card());
      i /= n.vars[j].card();
    }
    return x;
  };
  auto consistent = [&](const std::vector<unsigned> &x) {
    for (size_t v = 0; v < nv; ++v)
      if (evidence[v] >= 0 && static_cast<int>(x[v]) != evidence[v])
        return false;
    return true;
  };
  double z = 0;
  for (size_t i = 0; i < joint.size(); ++i)
    if (joint[i] > 0 && consistent(decode(i)))
      z += joint[i];
  assert(z > 0 && "evidence of positive probability");
  double r = std::uniform_real_distribution<double>(0, z)(rng), acc = 0;
  size_t last = 0;
  for (size_t i = 0; i < joint.size(); ++i)
    if (joint[i] > 0 && consistent(decode(i))) {
      acc += joint[i];
      last = i;
      if (r < acc)
        return decode(i);
    }
  return decode(last);
}

std::vector<double> bruteJoint(const Network &n) {
  size_t size = 1;
  for (const Variable &v : n.vars)
    size *= v.card();
  std::vector<double> joint(size);
  std::vector<unsigned> x(n.vars.size(), 0);
  for (size_t i = 0; i < size; ++i) {
    double p = 1;
    for (unsigned v = 0; v < n.vars.size(); ++v) {
      size_t config = 0;
      for (unsigned q : n.parents[v])
        config = config * n.vars[q].card() + x[q];
      p *= n.cpt[v][config * n.vars[v].card() + x[v]];
    }
    joint[i] = p;
    for (size_t j = n.vars.size(); j-- > 0;) {
      if (++x[j] < n.vars[j].card())
        break;
      x[j] = 0;
    }
  }
  return joint;
}

std::vector<double> bruteMarginal(const Network &n, const std::vector<double> &joint, const std::vector<int> &evidence,
                                  const std::vector<unsigned> &vars) {
  size_t size = 1;
  for (unsigned v : vars)
    size *= n.vars[v].card();
  std::vector<double> out(size, 0.0);
  std::vector<unsigned> x(n.vars.size(), 0);
  for (size_t i = 0; i < joint.size(); ++i) {
    bool ok = true;
    for (unsigned v = 0; v < n.vars.size(); ++v)
      ok &= evidence[v] < 0 || static_cast<int>(x[v]) == evidence[v];
    if (ok) {
      size_t k = 0;
      for (unsigned v : vars)
        k = k * n.vars[v].card() + x[v];
      out[k] += joint[i];
    }
    for (size_t j = n.vars.size(); j-- > 0;) {
      if (++x[j] < n.vars[j].card())
        break;
      x[j] = 0;
    }
  }
  return out;
}

double normalise(std::vector<double> &p) {
  double z = 0;
  for (double x : p)
    z += x;
  for (double &x : p)
    x /= z;
  return z;
}

double bruteEntropy(std::vector<double> p) {
  normalise(p);
  double h = 0;
  for (double x : p)
    if (x > 0)
      h -= x * std::log(x) / std::log(2.0);
  return h;
}

double bruteMI(const Network &n, const std::vector<double> &joint, const std::vector<int> &evidence, unsigned x,
               const std::vector<unsigned> &ys) {
  std::vector<double> py = bruteMarginal(n, joint, evidence, ys);
  double z = normalise(py);
  double hy = bruteEntropy(py), conditional = 0;
  for (unsigned s = 0; s < n.vars[x].card(); ++s) {
    if (evidence[x] >= 0 && evidence[x] != static_cast<int>(s))
      continue;                                  // P(x = s | E) = 0
    std::vector<int> e = evidence;
    e[x] = static_cast<int>(s);
    std::vector<double> row = bruteMarginal(n, joint, e, ys);
    double px = 0;
    for (double r : row)
      px += r;
    if (px > 0)
      conditional += px / z * bruteEntropy(row);
  }
  return hy - conditional;
}

} // namespace bntest
