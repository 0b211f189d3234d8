// AppBN::make: checks a trained network against the application's
// variables and precomputes what every job's estimator looks up: the
// variables of each node, the nodes under each Dynamic node, and the work
// variables downstream of each variable.
#include "estimate/bn_estimator.h"

#include <deque>

namespace llmflow::estimate {
namespace {

llvm::Error mismatch(const AppModel &m, const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 ("the network does not match application '" + m.app + "': " + what).str());
}

bool repeats(const ir::Node &n) {
  return n.dynamic && (n.dynamic->kind == ir::DynamicKind::Loop || n.dynamic->kind == ir::DynamicKind::Map ||
                       n.dynamic->kind == ir::DynamicKind::Planner);
}

} // namespace

llvm::Expected<std::unique_ptr<AppBN>> AppBN::make(AppModel model, bn::Network net) {
  auto a = std::make_unique<AppBN>();
  a->model = std::move(model);
  a->net = std::move(net);
  const AppModel &m = a->model;
  for (unsigned v = 0; v < a->net.vars.size(); ++v)
    a->var[a->net.vars[v].name] = v;
  for (const bn::VariableSpec &s : m.specs)
    if (!a->var.count(s.name))
      return mismatch(m, "it has no variable '" + s.name + "' (retrain it for this program and version)");
  for (const bn::Variable &x : a->net.vars)
    if (!x.node.empty() && !m.nodes.count(x.node))
      return mismatch(m, "node '" + x.node + "' is not in the program");
  a->compiled = bn::compile(a->net);
  auto index = [&](const std::string &name) { return name.empty() ? -1 : int(a->var.lookup(name)); };
  for (const std::string &id : m.order) {
    const NodeInfo &info = m.nodes.find(id)->second;
    NodeVars nv;
    if (info.work()) {
      nv.duration = index(id);
      a->work.push_back(info.index);
    }
    nv.count = index(info.countVar);
    if (!info.structure.empty())
      nv.structure = index(id + kStructureSuffix);
    a->nodeVars.push_back(nv);
  }
  for (const auto &[input, var] : m.features)
    a->features.push_back({input, unsigned(a->var.lookup(var))});
  // The nodes under each Dynamic node; "direct" when nothing between them
  // repeats or branches, so the Dynamic node's count is theirs.
  a->under.resize(m.order.size());
  for (const std::string &id : m.order) {
    const NodeInfo &info = m.nodes.find(id)->second;
    for (size_t k = 0; k < info.owners.size(); ++k) {
      const NodeInfo &owner = m.nodes.find(info.owners[k].first)->second;
      bool direct = true;
      for (size_t j = k + 1; j < info.owners.size(); ++j) {
        const ir::Node &between = *m.nodes.find(info.owners[j].first)->second.node;
        direct &= !repeats(between) && between.dynamic->kind != ir::DynamicKind::Branch;
      }
      a->under[owner.index].push_back({info.index, info.owners[k].second, direct});
    }
  }
  // Work variables downstream of each variable, breadth first (nearest first).
  size_t nv = a->net.vars.size();
  std::vector<bool> isWork(nv, false);
  for (unsigned n : a->work)
    isWork[unsigned(a->nodeVars[n].duration)] = true;
  std::vector<std::vector<unsigned>> children(nv);
  for (unsigned v = 0; v < nv; ++v)
    for (unsigned p : a->net.parents[v])
      children[p].push_back(v);
  a->descendants.resize(nv);
  for (unsigned v = 0; v < nv; ++v) {
    std::vector<bool> seen(nv, false);
    std::deque<unsigned> q(children[v].begin(), children[v].end());
    while (!q.empty()) {
      unsigned c = q.front();
      q.pop_front();
      if (seen[c])
        continue;
      seen[c] = true;
      if (isWork[c])
        a->descendants[v].push_back(c);
      q.insert(q.end(), children[c].begin(), children[c].end());
    }
  }
  return a;
}

} // namespace llmflow::estimate
