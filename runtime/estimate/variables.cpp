#include "estimate/variables.h"

namespace llmflow::estimate {
namespace {
// A node that ran but took no measurable time (a branch whose arm is empty).
constexpr double kMinDuration = 1e-6;

struct Walker {
  const ir::Module &m;
  AppModel &am;
  unsigned order = 0;
  std::vector<std::string> callStack;

  void graph(const ir::Graph &g, const std::string &repeatOwner, const std::string &branch, int arm) {
    for (const ir::Node &n : g.nodes) {
      NodeInfo info{&n, order++, repeatOwner, branch, arm, n.hook.structure == "none" ? "" : n.hook.structure};
      if (am.nodes.count(n.id))
        continue; // reached again through a second call of the same app
      am.nodes[n.id] = info;
      am.specs.push_back({n.id, n.id, bn::Variable::Kind::Duration, info.order});
      if (!info.structure.empty())
        am.specs.push_back({n.id + "#structure", n.id, bn::Variable::Kind::Structure, order++});
      if (!n.dynamic)
        continue;
      const ir::DynamicPayload &d = *n.dynamic;
      switch (d.kind) {
      case ir::DynamicKind::Branch:
        for (size_t b = 0; b < d.bodies.size(); ++b)
          graph(d.bodies[b], repeatOwner, n.id, int(b));
        break;
      case ir::DynamicKind::Loop:
      case ir::DynamicKind::Map:
      case ir::DynamicKind::Planner:
        for (const ir::Graph &b : d.bodies)
          graph(b, n.id, branch, arm);
        break;
      case ir::DynamicKind::Call:
        if (const ir::App *callee = m.findApp(d.callee))
          if (std::find(callStack.begin(), callStack.end(), d.callee) == callStack.end()) {
            callStack.push_back(d.callee);
            graph(callee->graph, repeatOwner, branch, arm);
            callStack.pop_back();
          }
        break;
      }
    }
  }
};

} // namespace

AppModel appModel(const ir::Module &m, const ir::App &app) {
  AppModel am;
  am.app = app.name;
  Walker w{m, am};
  w.callStack.push_back(app.name);
  w.graph(app.graph, "", "", -1);
  // The job's completion time, last: what `llmflow estimate` predicts.
  am.specs.push_back({kTotalVariable, "", bn::Variable::Kind::Duration, w.order++});
  return am;
}

llvm::Expected<bn::Dataset> dataset(const AppModel &am, const std::vector<profile::JobProfile> &profiles) {
  bn::Dataset ds;
  for (const bn::VariableSpec &s : am.specs)
    ds.columns.push_back(s.name);
  for (const profile::JobProfile &p : profiles) {
    if (p.app != am.app)
      return llvm::createStringError(llvm::inconvertibleErrorCode(), "job %llu profiles application '%s', not '%s'",
                                     (unsigned long long)p.job, p.app.c_str(), am.app.c_str());
    if (p.status != "ok")
      continue;
    for (const auto &kv : p.nodes)
      if (!am.nodes.count(kv.first))
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       "job %llu: node '%s' is not in application '%s' (was it changed since profiling?)",
                                       (unsigned long long)p.job, kv.first.c_str(), am.app.c_str());
    std::vector<std::optional<double>> row;
    for (const bn::VariableSpec &s : am.specs) {
      if (s.name == kTotalVariable) {
        row.push_back(std::max(p.total, kMinDuration));
        continue;
      }
      auto it = p.nodes.find(s.node);
      if (it == p.nodes.end()) {
        row.push_back(std::nullopt);
        continue;
      }
      if (s.kind == bn::Variable::Kind::Duration)
        row.push_back(std::max(it->second.duration, kMinDuration)); // log-space bins need > 0
      else if (it->second.structureValue)
        row.push_back(double(*it->second.structureValue));
      else
        row.push_back(std::nullopt);
    }
    ds.rows.push_back(std::move(row));
  }
  if (ds.rows.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "no finished jobs of '%s' in the profile",
                                   am.app.c_str());
  return ds;
}

} // namespace llmflow::estimate
