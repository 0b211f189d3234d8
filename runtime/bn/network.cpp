// Network basics: value -> state binning, lookups, the structural checks of
// verify(), descendants, and the small shared helpers of detail.h.
#include "bn/detail.h"

#include "llvm/ADT/StringSet.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace llmflow::bn {

using detail::fail;

std::optional<unsigned> Variable::absentState() const {
  if (!hasAbsent || states.empty())
    return std::nullopt;
  return card() - 1;
}

std::optional<unsigned> Network::stateOf(unsigned var, std::optional<double> observed) const {
  assert(var < vars.size() && "variable index out of range");
  const Variable &v = vars[var];
  if (!observed)
    return v.absentState();
  double x = *observed;
  if (std::isnan(x) || v.edges.empty())
    return std::nullopt;
  unsigned present = static_cast<unsigned>(v.edges.size());
  if (v.kind == Variable::Kind::Duration) {
    // Bins are (edge[s-1], edge[s]]; beyond the last edge = the last bin.
    auto it = std::lower_bound(v.edges.begin(), v.edges.end(), x);
    if (it == v.edges.end())
      return present - 1;
    return static_cast<unsigned>(it - v.edges.begin());
  }
  // Structure: the largest state whose value is <= x (below the first = first).
  auto it = std::upper_bound(v.edges.begin(), v.edges.end(), x);
  if (it == v.edges.begin())
    return 0;
  return static_cast<unsigned>(it - v.edges.begin()) - 1;
}

std::optional<unsigned> Network::find(llvm::StringRef name) const {
  for (unsigned i = 0; i < vars.size(); ++i)
    if (vars[i].name == name)
      return i;
  return std::nullopt;
}

size_t Network::edgeCount() const {
  size_t n = 0;
  for (const auto &p : parents)
    n += p.size();
  return n;
}

std::vector<unsigned> descendants(const Network &n, unsigned var) {
  assert(var < n.vars.size() && "variable index out of range");
  std::vector<std::vector<unsigned>> children(n.vars.size());
  for (unsigned v = 0; v < n.parents.size(); ++v)
    for (unsigned p : n.parents[v])
      children[p].push_back(v);
  std::vector<char> seen(n.vars.size(), 0);
  std::vector<unsigned> stack{var}, out;
  while (!stack.empty()) {
    unsigned u = stack.back();
    stack.pop_back();
    for (unsigned c : children[u])
      if (!seen[c]) {
        seen[c] = 1;
        out.push_back(c);
        stack.push_back(c);
      }
  }
  std::sort(out.begin(), out.end());
  return out;
}

llvm::Error verify(const Network &n) {
  auto bad = [](const llvm::Twine &msg) { return fail(BNErrorKind::BadNetwork, msg); };
  size_t nv = n.vars.size();
  if (n.parents.size() != nv || n.cpt.size() != nv)
    return bad("network has " + llvm::Twine(nv) + " variables but " + llvm::Twine(n.parents.size()) +
               " parent lists and " + llvm::Twine(n.cpt.size()) + " CPTs");
  llvm::StringSet<> names;
  for (unsigned i = 0; i < nv; ++i) {
    const Variable &v = n.vars[i];
    std::string where = "variable '" + v.name + "'";
    if (v.name.empty())
      return bad("variable " + llvm::Twine(i) + " has an empty name");
    if (!names.insert(v.name).second)
      return bad("duplicate variable name '" + v.name + "'");
    if (v.states.empty())
      return bad(where + " has no states");
    llvm::StringSet<> labels;
    for (const std::string &s : v.states)
      if (s.empty())
        return bad(where + " has an empty state label");
      else if (!labels.insert(s).second)
        return bad(where + " has duplicate state '" + s + "'");
    if (v.hasAbsent && v.states.back() != "ABSENT")
      return bad(where + " has an ABSENT state but its last state is '" + v.states.back() + "'");
    size_t present = v.card() - (v.hasAbsent ? 1 : 0);
    if (v.edges.size() != present)
      return bad(where + " has " + llvm::Twine(v.edges.size()) + " edges, expected " + llvm::Twine(present));
    if (v.value.size() != v.card() || v.lo.size() != v.card() || v.hi.size() != v.card())
      return bad(where + ": value, lo and hi need one entry per state (" + llvm::Twine(v.card()) + ")");
    for (size_t s = 0; s < v.edges.size(); ++s) {
      if (!std::isfinite(v.edges[s]))
        return bad(where + " has a non-finite edge");
      if (s > 0 && !(v.edges[s] > v.edges[s - 1]))
        return bad(where + ": edges must increase strictly");
    }
    for (unsigned s = 0; s < v.card(); ++s) {
      if (!std::isfinite(v.value[s]) || !std::isfinite(v.lo[s]) || !std::isfinite(v.hi[s]))
        return bad(where + " has a non-finite value, lo or hi");
      if (v.lo[s] > v.hi[s])
        return bad(where + ": lo exceeds hi in state '" + v.states[s] + "'");
    }
    if (!std::isfinite(v.min) || !std::isfinite(v.max) || v.min > v.max)
      return bad(where + " has an invalid min/max");
    const auto &ps = n.parents[i];
    for (size_t a = 0; a < ps.size(); ++a) {
      if (ps[a] >= nv)
        return bad(where + " has parent index " + llvm::Twine(ps[a]) + " out of range");
      if (ps[a] == i)
        return bad(where + " is its own parent");
      for (size_t b = 0; b < a; ++b)
        if (ps[a] == ps[b])
          return bad(where + " lists parent '" + n.vars[ps[a]].name + "' twice");
    }
  }
  // Acyclicity (Kahn).
  std::vector<unsigned> indegree(nv, 0);
  std::vector<std::vector<unsigned>> children(nv);
  for (unsigned v = 0; v < nv; ++v)
    for (unsigned p : n.parents[v]) {
      children[p].push_back(v);
      ++indegree[v];
    }
  std::vector<unsigned> ready;
  for (unsigned v = 0; v < nv; ++v)
    if (indegree[v] == 0)
      ready.push_back(v);
  size_t visited = 0;
  while (!ready.empty()) {
    unsigned u = ready.back();
    ready.pop_back();
    ++visited;
    for (unsigned c : children[u])
      if (--indegree[c] == 0)
        ready.push_back(c);
  }
  if (visited != nv)
    return bad("the network's edges form a cycle");
  // CPTs.
  constexpr double kMaxCells = 1e8;
  for (unsigned v = 0; v < nv; ++v) {
    const Variable &var = n.vars[v];
    double cells = var.card();
    for (unsigned p : n.parents[v])
      cells *= n.vars[p].card();
    if (cells > kMaxCells)
      return bad("variable '" + var.name + "': CPT too large");
    size_t configs = detail::parentConfigs(n, v);
    if (n.cpt[v].size() != configs * var.card())
      return bad("variable '" + var.name + "': CPT has " + llvm::Twine(n.cpt[v].size()) + " entries, expected " +
                 llvm::Twine(configs * var.card()));
    for (size_t c = 0; c < configs; ++c) {
      double sum = 0;
      for (unsigned s = 0; s < var.card(); ++s) {
        double p = n.cpt[v][c * var.card() + s];
        if (!(p >= 0 && p <= 1 + 1e-12))
          return bad("variable '" + var.name + "': CPT entry outside [0, 1]");
        sum += p;
      }
      if (std::fabs(sum - 1) > 1e-6)
        return bad("variable '" + var.name + "': distribution " + llvm::Twine(c) + " sums to " +
                   detail::formatDouble(sum) + ", not 1");
    }
  }
  return llvm::Error::success();
}

namespace detail {

std::string formatDouble(double d) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  assert(res.ec == std::errc() && "to_chars cannot fail for a 64-byte buffer");
  return std::string(buf, res.ptr);
}

size_t parentConfigs(const Network &n, unsigned v) {
  size_t q = 1;
  for (unsigned p : n.parents[v])
    q *= n.vars[p].card();
  return q;
}

std::vector<int> columnIndex(const Network &n, const Dataset &d) {
  std::vector<int> idx(n.vars.size(), -1);
  for (unsigned v = 0; v < n.vars.size(); ++v)
    for (size_t c = 0; c < d.columns.size(); ++c)
      if (d.columns[c] == n.vars[v].name) {
        idx[v] = static_cast<int>(c);
        break;
      }
  return idx;
}

llvm::Error checkRowShapes(const Dataset &d) {
  for (size_t r = 0; r < d.rows.size(); ++r)
    if (d.rows[r].size() != d.columns.size())
      return fail(BNErrorKind::BadData, "row " + llvm::Twine(r) + " has " + llvm::Twine(d.rows[r].size()) +
                                            " values but the dataset has " + llvm::Twine(d.columns.size()) +
                                            " columns");
  return llvm::Error::success();
}

} // namespace detail
} // namespace llmflow::bn
