// Structure search over BIC: hill climbing, K2 and an exact per-variable
// search. Under a strict order every graph is acyclic and the score
// decomposes per variable, so the only moves are adding and removing a
// parent (reversing u -> v would need order[v] < order[u]: never allowed).
#include "bn/search.h"

#include "bn/detail.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace llmflow::bn::detail {

namespace {

constexpr double kMinGain = 1e-9;

bool allowed(const SearchProblem &p, unsigned u, unsigned v) { return p.order[u] < p.order[v]; }

std::vector<unsigned> with(std::vector<unsigned> ps, unsigned u) {
  ps.insert(std::upper_bound(ps.begin(), ps.end(), u), u);
  return ps;
}

std::vector<unsigned> without(std::vector<unsigned> ps, unsigned u) {
  ps.erase(std::find(ps.begin(), ps.end(), u));
  return ps;
}

/// The seeds the order and the parent limit allow, ascending.
Parents seeded(const SearchProblem &p) {
  Parents pa(p.order.size());
  for (unsigned v = 0; v < p.seeds.size() && v < pa.size(); ++v)
    for (unsigned u : p.seeds[v])
      if (u < pa.size() && allowed(p, u, v) && pa[v].size() < p.maxParents &&
          std::find(pa[v].begin(), pa[v].end(), u) == pa[v].end())
        pa[v] = with(pa[v], u);
  return pa;
}

} // namespace

Parents hillClimb(Scorer &s, const SearchProblem &p) {
  unsigned nv = static_cast<unsigned>(p.order.size());
  const Parents required = seeded(p);
  Parents pa = required;
  std::vector<double> family(nv);
  for (unsigned v = 0; v < nv; ++v)
    family[v] = s.bic(v, pa[v]);
  constexpr double kNone = -std::numeric_limits<double>::infinity();
  // delta[v][u]: gain of toggling the edge u -> v (add or remove).
  std::vector<std::vector<double>> delta(nv, std::vector<double>(nv, kNone));
  auto refresh = [&](unsigned v) {
    for (unsigned u = 0; u < nv; ++u) {
      delta[v][u] = kNone;
      if (!allowed(p, u, v))
        continue;
      bool present = std::find(pa[v].begin(), pa[v].end(), u) != pa[v].end();
      if (present && std::find(required[v].begin(), required[v].end(), u) != required[v].end())
        continue;
      if (present)
        delta[v][u] = s.bic(v, without(pa[v], u)) - family[v];
      else if (pa[v].size() < p.maxParents)
        delta[v][u] = s.bic(v, with(pa[v], u)) - family[v];
    }
  };
  for (unsigned v = 0; v < nv; ++v)
    refresh(v);
  for (;;) {
    double best = kMinGain;
    unsigned bv = nv, bu = nv;
    for (unsigned v = 0; v < nv; ++v)
      for (unsigned u = 0; u < nv; ++u)
        if (delta[v][u] > best) {
          best = delta[v][u];
          bv = v;
          bu = u;
        }
    if (bv == nv)
      break;
    bool present = std::find(pa[bv].begin(), pa[bv].end(), bu) != pa[bv].end();
    pa[bv] = present ? without(pa[bv], bu) : with(pa[bv], bu);
    family[bv] = s.bic(bv, pa[bv]);
    refresh(bv);   // every step raises the total score strictly: no cycling
  }
  return pa;
}

Parents k2(Scorer &s, const SearchProblem &p) {
  unsigned nv = static_cast<unsigned>(p.order.size());
  Parents pa = seeded(p);
  for (unsigned v = 0; v < nv; ++v) {
    double current = s.bic(v, pa[v]);
    while (pa[v].size() < p.maxParents) {
      double best = current + kMinGain;
      unsigned bu = nv;
      for (unsigned u = 0; u < nv; ++u) {
        if (!allowed(p, u, v) || std::find(pa[v].begin(), pa[v].end(), u) != pa[v].end())
          continue;
        double sc = s.bic(v, with(pa[v], u));
        if (sc > best) {
          best = sc;
          bu = u;
        }
      }
      if (bu == nv)
        break;
      pa[v] = with(pa[v], bu);
      current = s.bic(v, pa[v]);
    }
  }
  return pa;
}

llvm::Expected<Parents> exactSearch(Scorer &s, const SearchProblem &p, size_t maxFamilies) {
  unsigned nv = static_cast<unsigned>(p.order.size());
  std::vector<std::vector<unsigned>> candidates(nv);
  double families = 0;
  for (unsigned v = 0; v < nv; ++v) {
    for (unsigned u = 0; u < nv; ++u)
      if (allowed(p, u, v))
        candidates[v].push_back(u);
    double c = 1, choose = 1;
    for (unsigned k = 1; k <= p.maxParents && k <= candidates[v].size(); ++k) {
      choose = choose * (candidates[v].size() - k + 1) / k;
      c += choose;
    }
    families += c;
  }
  if (families > double(maxFamilies))
    return fail(BNErrorKind::BadOptions, "exact search would score " + formatDouble(std::round(families)) +
                                             " parent sets (limit " + llvm::Twine(maxFamilies) +
                                             "); use hill-climbing or fewer parents");
  Parents pa(nv);
  for (unsigned v = 0; v < nv; ++v) {
    const std::vector<unsigned> &cand = candidates[v];
    double best = s.bic(v, {});
    std::vector<unsigned> chosen, subset;
    // Depth-first over subsets of increasing indices; strict improvement
    // keeps the smallest, then lexicographically first, best set.
    auto visit = [&](auto &&self, size_t from) -> void {
      for (size_t i = from; i < cand.size(); ++i) {
        subset.push_back(cand[i]);
        double sc = s.bic(v, subset);
        if (sc > best + kMinGain || (sc > best - kMinGain && subset.size() < chosen.size())) {
          best = sc;
          chosen = subset;
        }
        if (subset.size() < p.maxParents)
          self(self, i + 1);
        subset.pop_back();
      }
    };
    visit(visit, 0);
    pa[v] = chosen;
  }
  return pa;
}

} // namespace llmflow::bn::detail
