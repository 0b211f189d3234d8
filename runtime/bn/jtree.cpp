// compile(): junction tree of a network. Moralise; triangulate by greedy
// min-fill elimination (ties: smaller clique state space, then lower index);
// keep the maximal elimination cliques; join them by a maximum spanning tree
// over separator sizes (Kruskal; empty separators join components); assign
// each CPT to the smallest clique holding its family; calibrate the prior
// with one Hugin collect/distribute. Also the Hugin message itself.
#include "bn/jtree.h"

#include "bn/detail.h"

#include <algorithm>
#include <cassert>
#include <numeric>

namespace llmflow::bn {

namespace detail {

void passMessage(const JunctionTree &jt, double *tables, const JunctionTree::Message &m, double *scratch) {
  const JunctionTree::Separator &s = jt.seps[m.sep];
  const JunctionTree::Clique &src = jt.cliques[m.fromA ? s.a : s.b];
  const JunctionTree::Clique &dst = jt.cliques[m.fromA ? s.b : s.a];
  const uint32_t *srcMap = m.fromA ? s.mapA.data() : s.mapB.data();
  const uint32_t *dstMap = m.fromA ? s.mapB.data() : s.mapA.data();
  const double *ts = tables + src.offset;
  double *td = tables + dst.offset, *sv = tables + s.offset;
  std::fill(scratch, scratch + s.size, 0.0);
  for (size_t i = 0; i < src.size; ++i)
    scratch[srcMap[i]] += ts[i];
  for (size_t k = 0; k < s.size; ++k) {
    double fresh = scratch[k];
    scratch[k] = sv[k] > 0 ? fresh / sv[k] : 0.0;   // 0/0 = 0
    sv[k] = fresh;
  }
  for (size_t i = 0; i < dst.size; ++i)
    td[i] *= scratch[dstMap[i]];
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

/// Greedy min-fill elimination; returns the maximal elimination cliques.
std::vector<std::vector<unsigned>> triangulate(Graph g, const std::vector<unsigned> &card) {
  size_t nv = g.size();
  std::vector<char> gone(nv, 0);
  std::vector<std::vector<unsigned>> cliques;
  for (size_t step = 0; step < nv; ++step) {
    unsigned best = 0;
    size_t bestFill = SIZE_MAX;
    double bestWeight = 0;
    for (unsigned v = 0; v < nv; ++v) {
      if (gone[v])
        continue;
      std::vector<unsigned> nb;
      for (unsigned u = 0; u < nv; ++u)
        if (!gone[u] && g[v][u])
          nb.push_back(u);
      size_t fill = 0;
      for (size_t i = 0; i < nb.size(); ++i)
        for (size_t j = i + 1; j < nb.size(); ++j)
          fill += !g[nb[i]][nb[j]];
      double weight = card[v];
      for (unsigned u : nb)
        weight *= card[u];
      if (fill < bestFill || (fill == bestFill && weight < bestWeight)) {
        best = v;
        bestFill = fill;
        bestWeight = weight;
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

/// Messages leaving `root`, parents before children (pre-order).
std::vector<JunctionTree::Message> outwardFrom(const JunctionTree &jt,
                                               const std::vector<std::vector<unsigned>> &incident, unsigned root) {
  std::vector<JunctionTree::Message> out;
  std::vector<char> seen(jt.cliques.size(), 0);
  std::vector<unsigned> stack{root};
  seen[root] = 1;
  while (!stack.empty()) {
    unsigned c = stack.back();
    stack.pop_back();
    for (unsigned s : incident[c]) {
      const auto &sep = jt.seps[s];
      unsigned other = sep.a == c ? sep.b : sep.a;
      if (seen[other])
        continue;
      seen[other] = 1;
      out.push_back({s, sep.a == c});
      stack.push_back(other);
    }
  }
  return out;
}

} // namespace

std::shared_ptr<const JunctionTree> compile(const Network &n) {
  assert(!verify(n) && "compile() needs a verified network");
  auto jt = std::make_shared<JunctionTree>();
  jt->net = n;
  size_t nv = n.vars.size();
  for (const Variable &v : n.vars)
    jt->card.push_back(v.card());
  std::vector<std::vector<unsigned>> cl = nv ? triangulate(moralGraph(n), jt->card) : std::vector<std::vector<unsigned>>{{}};
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
  for (unsigned c = 0; c < nc; ++c)
    jt->outward.push_back(outwardFrom(*jt, incident, c));
  jt->distribute = jt->outward[0];
  jt->collect.assign(jt->distribute.rbegin(), jt->distribute.rend());
  for (auto &m : jt->collect)
    m.fromA = !m.fromA;
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
  std::vector<double> scratch(jt->maxSeparator);
  for (const auto &m : jt->collect)
    detail::passMessage(*jt, jt->prior.data(), m, scratch.data());
  for (const auto &m : jt->distribute)
    detail::passMessage(*jt, jt->prior.data(), m, scratch.data());
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
