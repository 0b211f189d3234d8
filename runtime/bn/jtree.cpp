// compile(): junction tree of a network. Moralise; triangulate by greedy
// elimination (min-fill, ties by smaller state space, then lower index; the
// result with the fewest clique cells among that, min-weight and eight
// min-fill runs with seeded random ties);
// keep the maximal elimination cliques; join them by a maximum spanning tree
// over separator sizes (Kruskal; empty separators join components); assign
// each CPT to the smallest clique holding its family; calibrate the prior
// with one Hugin collect/distribute; per clique, the pre-order schedule of
// messages away from it. Also the Hugin message itself.
#include "bn/jtree.h"

#include "bn/detail.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

namespace llmflow::bn {

namespace detail {

bool passMessage(const JunctionTree &jt, double *tables, const JunctionTree::Message &m, double *scratch,
                 bool mayPrune, const JunctionTree::SubMap *alt) {
  const JunctionTree::Separator &s = jt.seps[m.sep];
  const JunctionTree::Clique &src = jt.cliques[m.fromA ? s.a : s.b];
  const JunctionTree::Clique &dst = jt.cliques[m.fromA ? s.b : s.a];
  const uint32_t *srcMap = m.fromA ? s.mapA.data() : s.mapB.data();
  const uint32_t *dstMap = m.fromA ? s.mapB.data() : s.mapA.data();
  const double *ts = tables + src.offset;
  double *td = tables + dst.offset, *sv = tables + s.offset;
  double *fresh = scratch, *ratio = scratch + s.size;
  std::fill(fresh, fresh + s.size, 0.0);
  if (alt) {
    const double *ta = tables + jt.seps[alt->from].offset;
    const uint32_t *map = alt->map.data();
    for (size_t i = 0, n = alt->map.size(); i < n; ++i)
      fresh[map[i]] += ta[i];
  } else {
    for (size_t i = 0; i < src.size; ++i)
      fresh[srcMap[i]] += ts[i];
  }
  double z = 0;
  for (size_t k = 0; k < s.size; ++k)
    z += fresh[k];
  double scale = z > 0 ? 1 / z : 1;
  double lo = HUGE_VAL, hi = 0;
  for (size_t k = 0; k < s.size; ++k) {
    fresh[k] *= scale;
    if (sv[k] > 0) {
      ratio[k] = fresh[k] / sv[k];
      lo = std::min(lo, ratio[k]);
      hi = std::max(hi, ratio[k]);
    } else {
      ratio[k] = 0;                                  // 0/0 = 0 (the target is 0 there too)
    }
  }
  if (mayPrune && lo > 0 && hi <= lo * (1 + 1e-12))
    return false;
  std::copy(fresh, fresh + s.size, sv);
  for (size_t i = 0; i < dst.size; ++i)
    td[i] *= ratio[dstMap[i]];
  return true;
}

} // namespace detail

namespace {

using Graph = std::vector<std::vector<char>>;

Graph moralGraph(const Network &n) {
  size_t nv = n.vars.size();
  Graph g(nv, std::vector<char>(nv, 0));
  auto link = [&](unsigned a, unsigned b) {
    if (a != b)
      g[a][b] = g[b][a] = 1;
  };
  for (unsigned v = 0; v < nv; ++v) {
    const auto &ps = n.parents[v];
    for (size_t i = 0; i < ps.size(); ++i) {
      link(ps[i], v);
      for (size_t j = i + 1; j < ps.size(); ++j)
        link(ps[i], ps[j]);
    }
  }
  return g;
}

/// How the next variable to eliminate is chosen.
struct Heuristic {
  bool fillFirst = true;      // min-fill (ties: smaller state space) or min-weight (ties: fill)
  uint64_t seed = 0;          // 0: ties by lowest index; else random ties
};

/// Greedy elimination; returns the maximal elimination cliques.
std::vector<std::vector<unsigned>> triangulate(Graph g, const std::vector<unsigned> &card, Heuristic h) {
  size_t nv = g.size();
  std::vector<char> gone(nv, 0);
  std::vector<std::vector<unsigned>> cliques;
  std::mt19937_64 rng(h.seed);
  for (size_t step = 0; step < nv; ++step) {
    unsigned best = 0;
    std::pair<double, double> bestKey{0, 0};
    uint64_t bestTie = 0;
    bool first = true;
    for (unsigned v = 0; v < nv; ++v) {
      if (gone[v])
        continue;
      std::vector<unsigned> nb;
      for (unsigned u = 0; u < nv; ++u)
        if (!gone[u] && g[v][u])
          nb.push_back(u);
      double fill = 0;
      for (size_t i = 0; i < nb.size(); ++i)
        for (size_t j = i + 1; j < nb.size(); ++j)
          fill += !g[nb[i]][nb[j]];
      double weight = card[v];
      for (unsigned u : nb)
        weight *= card[u];
      std::pair<double, double> key = h.fillFirst ? std::pair{fill, weight} : std::pair{weight, fill};
      uint64_t tie = h.seed ? rng() : 0;
      if (first || key < bestKey || (key == bestKey && tie < bestTie)) {
        best = v;
        bestKey = key;
        bestTie = tie;
        first = false;
      }
    }
    std::vector<unsigned> clique{best};
    for (unsigned u = 0; u < nv; ++u)
      if (!gone[u] && g[best][u])
        clique.push_back(u);
    for (size_t i = 1; i < clique.size(); ++i)
      for (size_t j = i + 1; j < clique.size(); ++j)
        g[clique[i]][clique[j]] = g[clique[j]][clique[i]] = 1;
    gone[best] = 1;
    std::sort(clique.begin(), clique.end());
    cliques.push_back(std::move(clique));
  }
  // Drop cliques contained in another (a later clique never holds an earlier
  // eliminated variable, so only earlier ones can contain a later one).
  std::vector<std::vector<unsigned>> maximal;
  for (size_t i = 0; i < cliques.size(); ++i) {
    bool contained = false;
    for (size_t j = 0; j < cliques.size() && !contained; ++j)
      if (j != i && (cliques[j].size() > cliques[i].size() || (cliques[j].size() == cliques[i].size() && j < i)))
        contained = std::includes(cliques[j].begin(), cliques[j].end(), cliques[i].begin(), cliques[i].end());
    if (!contained)
      maximal.push_back(cliques[i]);
  }
  return maximal;
}

/// The triangulation with the fewest clique cells among min-fill, min-weight
/// and a few min-fill runs with seeded random tie-breaking (deterministic).
std::vector<std::vector<unsigned>> bestTriangulation(const Graph &g, const std::vector<unsigned> &card) {
  std::vector<std::vector<unsigned>> best;
  double bestCells = 0;
  std::vector<Heuristic> tries{{true, 0}, {false, 0}};
  for (uint64_t seed = 1; seed <= 8; ++seed)
    tries.push_back({true, seed});
  for (const Heuristic &h : tries) {
    auto cl = triangulate(g, card, h);
    double cells = 0;
    for (const auto &c : cl) {
      double size = 1;
      for (unsigned u : c)
        size *= card[u];
      cells += size;
    }
    if (best.empty() || cells < bestCells) {
      best = std::move(cl);
      bestCells = cells;
    }
  }
  return best;
}

std::vector<unsigned> intersect(const std::vector<unsigned> &a, const std::vector<unsigned> &b) {
  std::vector<unsigned> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

/// For each cell of a table over `vars`, the cell of the table over `sub`.
std::vector<uint32_t> indexMap(const std::vector<unsigned> &vars, const std::vector<unsigned> &sub,
                               const std::vector<unsigned> &card) {
  size_t m = vars.size();
  std::vector<size_t> stride(m, 0);
  size_t s = 1, size = 1;
  for (size_t j = m; j-- > 0;) {
    size *= card[vars[j]];
    auto it = std::find(sub.begin(), sub.end(), vars[j]);
    if (it != sub.end()) {
      stride[j] = s;
      s *= card[vars[j]];
    }
  }
  std::vector<uint32_t> map(size);
  std::vector<unsigned> count(m, 0);
  size_t idx = 0;
  for (size_t i = 0; i < size; ++i) {
    map[i] = static_cast<uint32_t>(idx);
    for (size_t j = m; j-- > 0;) {
      idx += stride[j];
      if (++count[j] < card[vars[j]])
        break;
      idx -= stride[j] * card[vars[j]];
      count[j] = 0;
    }
  }
  return map;
}

/// Multiplies variable v's CPT into a clique table that holds its family.
void multiplyCPT(const Network &n, unsigned v, const std::vector<unsigned> &vars, const std::vector<unsigned> &card,
                 double *table) {
  // The CPT is a table over (parents..., v), v fastest: give each family
  // member its CPT stride, then walk the clique.
  const auto &ps = n.parents[v];
  size_t m = vars.size();
  std::vector<size_t> stride(m, 0);
  size_t s = card[v];
  for (size_t k = ps.size(); k-- > 0;) {
    size_t j = std::find(vars.begin(), vars.end(), ps[k]) - vars.begin();
    assert(j < m && "the clique holds the family");
    stride[j] = s;
    s *= card[ps[k]];
  }
  size_t jv = std::find(vars.begin(), vars.end(), v) - vars.begin();
  assert(jv < m && "the clique holds the variable");
  stride[jv] = 1;
  size_t size = 1;
  for (unsigned u : vars)
    size *= card[u];
  std::vector<unsigned> count(m, 0);
  size_t idx = 0;
  const std::vector<double> &cpt = n.cpt[v];
  for (size_t i = 0; i < size; ++i) {
    table[i] *= cpt[idx];
    for (size_t j = m; j-- > 0;) {
      idx += stride[j];
      if (++count[j] < card[vars[j]])
        break;
      idx -= stride[j] * card[vars[j]];
      count[j] = 0;
    }
  }
}

/// Messages leaving `root` in pre-order, with subtree ends, masks and the
/// smaller tables each message can be summed from (subMaps is the shared,
/// deduplicated store of separator-to-separator maps).
JunctionTree::Schedule outwardFrom(JunctionTree &jt, const std::vector<std::vector<unsigned>> &incident,
                                   unsigned root, std::map<std::pair<unsigned, unsigned>, unsigned> &subIndex) {
  JunctionTree::Schedule sched;
  std::vector<unsigned> target;                      // per message, the clique it enters
  auto subMap = [&](unsigned from, unsigned to) {
    auto [it, fresh] = subIndex.try_emplace({from, to}, static_cast<unsigned>(jt.subMaps.size()));
    if (fresh)
      jt.subMaps.push_back({from, indexMap(jt.seps[from].vars, jt.seps[to].vars, jt.card)});
    return it->second;
  };
  auto visit = [&](auto &&self, unsigned c, unsigned from) -> void {
    std::vector<unsigned> sent;                      // separators of c already current in this pass
    if (from != UINT32_MAX)
      sent.push_back(from);
    std::vector<unsigned> order = incident[c];       // larger separators first: more reuse
    std::stable_sort(order.begin(), order.end(),
                     [&](unsigned x, unsigned y) { return jt.seps[x].size > jt.seps[y].size; });
    for (unsigned s : order) {
      const auto &sep = jt.seps[s];
      unsigned other = sep.a == c ? sep.b : sep.a;
      if (s == from)
        continue;
      size_t i = sched.msgs.size();
      sched.msgs.push_back({s, sep.a == c});
      sched.end.push_back(0);
      target.push_back(other);
      std::vector<std::pair<unsigned, unsigned>> alt;
      for (unsigned t : sent)
        if (jt.seps[t].size < jt.cliques[c].size &&
            std::includes(jt.seps[t].vars.begin(), jt.seps[t].vars.end(), sep.vars.begin(), sep.vars.end()))
          alt.push_back({t, 0});
      std::stable_sort(alt.begin(), alt.end(),
                       [&](auto x, auto y) { return jt.seps[x.first].size < jt.seps[y.first].size; });
      for (auto &a : alt)
        a.second = subMap(a.first, s);
      sched.alt.push_back(std::move(alt));
      self(self, other, s);
      sched.end[i] = static_cast<uint32_t>(sched.msgs.size());
      sent.push_back(s);
    }
  };
  visit(visit, root, UINT32_MAX);
  sched.beyond.assign(sched.msgs.size() * jt.maskWords, 0);
  for (size_t i = 0; i < sched.msgs.size(); ++i)
    for (size_t j = i; j < sched.end[i]; ++j)
      sched.beyond[i * jt.maskWords + target[j] / 64] |= uint64_t(1) << (target[j] % 64);
  return sched;
}

} // namespace

std::shared_ptr<const JunctionTree> compile(const Network &n) {
  assert(!verify(n) && "compile() needs a verified network");
  auto jt = std::make_shared<JunctionTree>();
  jt->net = n;
  size_t nv = n.vars.size();
  for (const Variable &v : n.vars)
    jt->card.push_back(v.card());
  std::vector<std::vector<unsigned>> cl = nv ? bestTriangulation(moralGraph(n), jt->card) : std::vector<std::vector<unsigned>>{{}};
  for (auto &vars : cl) {
    JunctionTree::Clique c;
    c.vars = vars;
    for (unsigned u : vars)
      c.size *= jt->card[u];
    c.offset = jt->cells;
    jt->cells += c.size;
    jt->cliques.push_back(std::move(c));
  }
  // Kruskal over all clique pairs, heaviest separators first (stable ties).
  size_t nc = jt->cliques.size();
  struct Candidate {
    unsigned a, b;
    size_t weight;
  };
  std::vector<Candidate> cand;
  for (unsigned a = 0; a < nc; ++a)
    for (unsigned b = a + 1; b < nc; ++b)
      cand.push_back({a, b, intersect(jt->cliques[a].vars, jt->cliques[b].vars).size()});
  std::stable_sort(cand.begin(), cand.end(), [](const Candidate &x, const Candidate &y) { return x.weight > y.weight; });
  std::vector<unsigned> comp(nc);
  std::iota(comp.begin(), comp.end(), 0u);
  auto findRoot = [&](unsigned x) {
    while (comp[x] != x)
      x = comp[x] = comp[comp[x]];
    return x;
  };
  std::vector<std::vector<unsigned>> incident(nc);
  for (const Candidate &c : cand) {
    unsigned ra = findRoot(c.a), rb = findRoot(c.b);
    if (ra == rb)
      continue;
    comp[ra] = rb;
    JunctionTree::Separator s;
    s.a = c.a;
    s.b = c.b;
    s.vars = intersect(jt->cliques[c.a].vars, jt->cliques[c.b].vars);
    for (unsigned u : s.vars)
      s.size *= jt->card[u];
    s.mapA = indexMap(jt->cliques[c.a].vars, s.vars, jt->card);
    s.mapB = indexMap(jt->cliques[c.b].vars, s.vars, jt->card);
    incident[c.a].push_back(static_cast<unsigned>(jt->seps.size()));
    incident[c.b].push_back(static_cast<unsigned>(jt->seps.size()));
    jt->seps.push_back(std::move(s));
  }
  for (auto &s : jt->seps) {
    s.offset = jt->cells;
    jt->cells += s.size;
    jt->maxSeparator = std::max(jt->maxSeparator, s.size);
  }
  // Schedules.
  jt->maskWords = (nc + 63) / 64;
  std::map<std::pair<unsigned, unsigned>, unsigned> subIndex;
  for (unsigned c = 0; c < nc; ++c)
    jt->outward.push_back(outwardFrom(*jt, incident, c, subIndex));
  // Homes: the smallest clique holding each variable.
  jt->home.resize(nv);
  for (unsigned v = 0; v < nv; ++v) {
    size_t bestSize = SIZE_MAX;
    for (unsigned c = 0; c < nc; ++c) {
      const auto &vars = jt->cliques[c].vars;
      auto it = std::find(vars.begin(), vars.end(), v);
      if (it == vars.end() || jt->cliques[c].size >= bestSize)
        continue;
      bestSize = jt->cliques[c].size;
      JunctionTree::Home h;
      h.clique = c;
      for (auto j = it + 1; j != vars.end(); ++j)
        h.inner *= jt->card[*j];
      h.outer = jt->cliques[c].size / (h.inner * jt->card[v]);
      jt->home[v] = h;
    }
  }
  // Initial potentials: CPTs into the smallest clique holding each family.
  jt->prior.assign(jt->cells, 1.0);
  for (unsigned v = 0; v < nv; ++v) {
    std::vector<unsigned> family = n.parents[v];
    family.push_back(v);
    std::sort(family.begin(), family.end());
    unsigned best = nc;
    for (unsigned c = 0; c < nc; ++c)
      if (std::includes(jt->cliques[c].vars.begin(), jt->cliques[c].vars.end(), family.begin(), family.end()) &&
          (best == nc || jt->cliques[c].size < jt->cliques[best].size))
        best = c;
    assert(best < nc && "triangulation keeps every family inside a clique");
    multiplyCPT(n, v, jt->cliques[best].vars, jt->card, jt->prior.data() + jt->cliques[best].offset);
  }
  std::vector<double> scratch(2 * jt->maxSeparator);
  const auto &msgs = jt->outward[0].msgs;
  for (size_t i = msgs.size(); i-- > 0;)
    detail::passMessage(*jt, jt->prior.data(), {msgs[i].sep, !msgs[i].fromA}, scratch.data(), false);
  for (const auto &m : msgs)
    detail::passMessage(*jt, jt->prior.data(), m, scratch.data(), false);
  return jt;
}

JunctionTreeStats stats(const JunctionTree &jt) {
  JunctionTreeStats s;
  s.cliques = static_cast<unsigned>(jt.cliques.size());
  for (const auto &c : jt.cliques) {
    s.cliqueCells += c.size;
    s.largestClique = std::max(s.largestClique, static_cast<unsigned>(c.vars.size()));
    s.largestCliqueCells = std::max(s.largestCliqueCells, c.size);
  }
  for (const auto &sp : jt.seps)
    s.separatorCells += sp.size;
  return s;
}

} // namespace llmflow::bn
