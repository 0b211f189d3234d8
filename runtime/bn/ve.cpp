// Variable elimination over the network's CPTs reduced by the evidence.
#include "bn/ve.h"

#include <algorithm>
#include <cassert>

namespace llmflow::bn::detail {

namespace {

/// A table over ascending variables, row-major (last fastest).
struct Factor {
  std::vector<unsigned> vars;
  std::vector<double> t;
};

/// Walks every cell of a table over `vars`, keeping one running index per
/// stride set (the index of the same assignment in other tables).
template <typename Fn>
void walk(const std::vector<unsigned> &vars, const std::vector<unsigned> &card,
          std::vector<std::vector<size_t>> &strides, std::vector<size_t> &idx, Fn &&fn) {
  size_t m = vars.size(), size = 1;
  for (unsigned u : vars)
    size *= card[u];
  std::vector<unsigned> count(m, 0);
  for (size_t i = 0; i < size; ++i) {
    fn(i);
    for (size_t j = m; j-- > 0;) {
      for (size_t f = 0; f < idx.size(); ++f)
        idx[f] += strides[f][j];
      if (++count[j] < card[vars[j]])
        break;
      for (size_t f = 0; f < idx.size(); ++f)
        idx[f] -= strides[f][j] * card[vars[j]];
      count[j] = 0;
    }
  }
}

/// Strides of table `sub` (ascending vars) along each variable of `vars`.
std::vector<size_t> stridesOf(const std::vector<unsigned> &vars, const std::vector<unsigned> &sub,
                              const std::vector<unsigned> &card) {
  std::vector<size_t> out(vars.size(), 0);
  size_t s = 1;
  for (size_t k = sub.size(); k-- > 0;) {
    size_t j = std::find(vars.begin(), vars.end(), sub[k]) - vars.begin();
    if (j < vars.size())
      out[j] = s;
    s *= card[sub[k]];
  }
  return out;
}

Factor reducedCPT(const Network &n, const std::vector<unsigned> &card, llvm::ArrayRef<int> evidence, unsigned v) {
  // CPT layout: (parents in order..., v), v fastest.
  std::vector<unsigned> family = n.parents[v];
  family.push_back(v);
  std::vector<size_t> cptStride(family.size());
  size_t s = 1;
  for (size_t k = family.size(); k-- > 0;) {
    cptStride[k] = s;
    s *= card[family[k]];
  }
  Factor f;
  size_t base = 0;
  for (size_t k = 0; k < family.size(); ++k) {
    if (evidence[family[k]] >= 0)
      base += evidence[family[k]] * cptStride[k];
    else
      f.vars.push_back(family[k]);
  }
  std::sort(f.vars.begin(), f.vars.end());
  std::vector<std::vector<size_t>> strides(1, std::vector<size_t>(f.vars.size()));
  for (size_t j = 0; j < f.vars.size(); ++j)
    strides[0][j] = cptStride[std::find(family.begin(), family.end(), f.vars[j]) - family.begin()];
  std::vector<size_t> idx{base};
  size_t size = 1;
  for (unsigned u : f.vars)
    size *= card[u];
  f.t.resize(size);
  const std::vector<double> &cpt = n.cpt[v];
  walk(f.vars, card, strides, idx, [&](size_t i) { f.t[i] = cpt[idx[0]]; });
  return f;
}

Factor multiply(const std::vector<const Factor *> &fs, const std::vector<unsigned> &card) {
  Factor out;
  for (const Factor *f : fs)
    out.vars.insert(out.vars.end(), f->vars.begin(), f->vars.end());
  std::sort(out.vars.begin(), out.vars.end());
  out.vars.erase(std::unique(out.vars.begin(), out.vars.end()), out.vars.end());
  std::vector<std::vector<size_t>> strides;
  for (const Factor *f : fs)
    strides.push_back(stridesOf(out.vars, f->vars, card));
  std::vector<size_t> idx(fs.size(), 0);
  size_t size = 1;
  for (unsigned u : out.vars)
    size *= card[u];
  out.t.resize(size);
  walk(out.vars, card, strides, idx, [&](size_t i) {
    double p = 1;
    for (size_t f = 0; f < fs.size(); ++f)
      p *= fs[f]->t[idx[f]];
    out.t[i] = p;
  });
  return out;
}

Factor sumOut(const Factor &f, unsigned z, const std::vector<unsigned> &card) {
  size_t j = std::find(f.vars.begin(), f.vars.end(), z) - f.vars.begin();
  assert(j < f.vars.size());
  size_t inner = 1;
  for (size_t k = j + 1; k < f.vars.size(); ++k)
    inner *= card[f.vars[k]];
  unsigned cz = card[z];
  size_t outer = f.t.size() / (inner * cz);
  Factor out;
  out.vars = f.vars;
  out.vars.erase(out.vars.begin() + j);
  out.t.assign(outer * inner, 0.0);
  for (size_t o = 0; o < outer; ++o)
    for (unsigned s = 0; s < cz; ++s)
      for (size_t i = 0; i < inner; ++i)
        out.t[o * inner + i] += f.t[(o * cz + s) * inner + i];
  return out;
}

} // namespace

std::vector<double> eliminate(const Network &n, const std::vector<unsigned> &card, llvm::ArrayRef<int> evidence,
                              llvm::ArrayRef<unsigned> query, llvm::ArrayRef<std::vector<double>> likelihood) {
  auto soft = [&](unsigned v) { return v < likelihood.size() && !likelihood[v].empty() && evidence[v] < 0; };
  size_t nv = n.vars.size();
  // Relevant: ancestors of the query and the evidence (the rest is barren).
  std::vector<char> relevant(nv, 0), isQuery(nv, 0);
  std::vector<unsigned> stack;
  for (unsigned q : query) {
    assert(evidence[q] < 0 && "query variables are unobserved");
    isQuery[q] = 1;
    stack.push_back(q);
  }
  for (unsigned v = 0; v < nv; ++v)
    if (evidence[v] >= 0 || soft(v))
      stack.push_back(v);
  while (!stack.empty()) {
    unsigned v = stack.back();
    stack.pop_back();
    if (relevant[v])
      continue;
    relevant[v] = 1;
    for (unsigned p : n.parents[v])
      stack.push_back(p);
  }
  std::vector<Factor> factors;
  std::vector<unsigned> hidden;
  for (unsigned v = 0; v < nv; ++v) {
    if (!relevant[v])
      continue;
    factors.push_back(reducedCPT(n, card, evidence, v));
    if (soft(v))
      factors.push_back(Factor{{v}, likelihood[v]});
    if (!isQuery[v] && evidence[v] < 0)
      hidden.push_back(v);
  }
  while (!hidden.empty()) {
    // Greedy: the variable whose product table is smallest.
    size_t best = 0;
    double bestSize = 0;
    for (size_t h = 0; h < hidden.size(); ++h) {
      std::vector<unsigned> scope;
      for (const Factor &f : factors)
        if (std::binary_search(f.vars.begin(), f.vars.end(), hidden[h]))
          scope.insert(scope.end(), f.vars.begin(), f.vars.end());
      std::sort(scope.begin(), scope.end());
      scope.erase(std::unique(scope.begin(), scope.end()), scope.end());
      double size = 1;
      for (unsigned u : scope)
        size *= card[u];
      if (h == 0 || size < bestSize) {
        best = h;
        bestSize = size;
      }
    }
    unsigned z = hidden[best];
    hidden.erase(hidden.begin() + best);
    std::vector<Factor> keep, use;
    for (Factor &f : factors)
      (std::binary_search(f.vars.begin(), f.vars.end(), z) ? use : keep).push_back(std::move(f));
    std::vector<const Factor *> ptrs;
    for (const Factor &f : use)
      ptrs.push_back(&f);
    keep.push_back(sumOut(multiply(ptrs, card), z, card));
    factors = std::move(keep);
  }
  std::vector<const Factor *> ptrs;
  for (const Factor &f : factors)
    ptrs.push_back(&f);
  Factor result = multiply(ptrs, card);
  assert(result.vars.size() == query.size() && "every query variable keeps its own CPT factor");
  // Reorder to the requested variable order.
  std::vector<unsigned> order(query.begin(), query.end());
  std::vector<std::vector<size_t>> strides{stridesOf(order, result.vars, card)};
  std::vector<size_t> idx{0};
  std::vector<double> out(result.t.size());
  walk(order, card, strides, idx, [&](size_t i) { out[i] = result.t[idx[0]]; });
  return out;
}

} // namespace llmflow::bn::detail
