#include "estimate/variables.h"

#include "core/features.h"

#include <algorithm>

namespace llmflow::estimate {
namespace {
// A node that ran but took no measurable time (a branch whose arm is empty).
constexpr double kMinDuration = 1e-6;
// The count context of a body: its nodes get their own "#count" variable.
const std::string kOwnCount = "#own";

bool repeats(ir::DynamicKind k) {
  return k == ir::DynamicKind::Loop || k == ir::DynamicKind::Map || k == ir::DynamicKind::Planner;
}

struct Walker {
  const ir::Module &m;
  AppModel &am;
  unsigned order = 0;
  std::vector<std::string> callStack;

  void add(std::string name, std::string node, bn::Variable::Kind kind, std::vector<std::string> seeds) {
    bn::VariableSpec s;
    s.name = std::move(name);
    s.node = std::move(node);
    s.kind = kind;
    s.order = order++;
    s.seedParents = std::move(seeds);
    am.specs.push_back(std::move(s));
  }

  /// The structure variable of the innermost owner (of a repeating kind when
  /// `repeating`), or "".
  std::string ownerStructure(const std::vector<std::pair<std::string, int>> &owners, bool repeating) const {
    for (auto it = owners.rbegin(); it != owners.rend(); ++it) {
      const NodeInfo &o = am.nodes.find(it->first)->second;
      if (o.structure.empty() || (repeating && !repeats(o.node->dynamic->kind)))
        continue;
      return it->first + kStructureSuffix;
    }
    return "";
  }

  /// `count`: "" (runs at most once), kOwnCount or the variable counting it.
  void graph(const ir::Graph &g, const std::string &count, const std::vector<std::pair<std::string, int>> &owners) {
    for (const ir::Node &n : g.nodes) {
      if (am.nodes.count(n.id))
        continue; // reached again through a second call of the same app
      NodeInfo info;
      info.node = &n;
      info.index = unsigned(am.order.size());
      info.owners = owners;
      info.structure = n.hook.structure == "none" ? "" : n.hook.structure;
      // Stages count themselves; a Dynamic node has no time of its own and
      // its body's stages count themselves (a repeated call has no profile
      // record of its own instances).
      bool ownCount = count == kOwnCount && !n.dynamic;
      info.ownCount = ownCount;
      info.countVar = count == kOwnCount ? (ownCount ? n.id + kCountSuffix : "") : count;
      am.nodes[n.id] = info;
      am.order.push_back(n.id);
      auto seeds = [](std::string s) { return s.empty() ? std::vector<std::string>{} : std::vector{std::move(s)}; };
      if (ownCount)
        add(n.id + kCountSuffix, n.id, bn::Variable::Kind::Structure, seeds(ownerStructure(owners, true)));
      if (!n.dynamic) {
        add(n.id, n.id, bn::Variable::Kind::Duration,
            seeds(!info.countVar.empty() ? info.countVar : ownerStructure(owners, false)));
        continue;
      }
      const ir::DynamicPayload &d = *n.dynamic;
      if (!info.structure.empty()) {
        std::vector<std::string> parents = seeds(ownerStructure(owners, false));
        if (d.kind == ir::DynamicKind::Planner && !d.resolvedBy.empty())
          parents.push_back(d.resolvedBy[0]);   // a longer plan takes longer to write
        add(n.id + kStructureSuffix, n.id, bn::Variable::Kind::Structure, parents);
      }
      auto inside = owners;
      inside.push_back({n.id, -1});
      switch (d.kind) {
      case ir::DynamicKind::Branch:
        for (size_t b = 0; b < d.bodies.size(); ++b) {
          inside.back().second = int(b);
          graph(d.bodies[b], count.empty() ? "" : kOwnCount, inside);
        }
        break;
      case ir::DynamicKind::Loop:
      case ir::DynamicKind::Map:
        for (const ir::Graph &b : d.bodies)
          graph(b, count.empty() && !info.structure.empty() ? n.id + kStructureSuffix : kOwnCount, inside);
        break;
      case ir::DynamicKind::Planner:
        for (const ir::Graph &b : d.bodies)
          graph(b, kOwnCount, inside);
        break;
      case ir::DynamicKind::Call:
        if (const ir::App *callee = m.findApp(d.callee))
          if (std::find(callStack.begin(), callStack.end(), d.callee) == callStack.end()) {
            callStack.push_back(d.callee);
            graph(callee->graph, count, inside);   // once per call: counted like the call
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
  for (const ir::Param &p : app.inputs)
    if (rt::hasFeature(m, p.type)) {
      std::string var = rt::featureVariable(p.name);
      am.features.push_back({p.name, var});
      w.add(var, "", rt::featureIsCategorical(m, p.type) ? bn::Variable::Kind::Structure : bn::Variable::Kind::Duration,
            {});
    }
  w.callStack.push_back(app.name);
  w.graph(app.graph, "", {});
  // The job's completion time, last: what `llmflow estimate` predicts.
  w.add(kTotalVariable, "", bn::Variable::Kind::Duration, {});
  return am;
}

llvm::Expected<bn::Dataset> dataset(const AppModel &am, const std::vector<profile::JobProfile> &profiles) {
  bn::Dataset ds;
  for (const bn::VariableSpec &s : am.specs)
    ds.columns.push_back(s.name);
  llvm::StringMap<std::string> featureOf;   // variable -> input
  for (const auto &[input, var] : am.features)
    featureOf[var] = input;
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
      if (auto f = featureOf.find(s.name); f != featureOf.end()) {
        auto it = p.features.find(f->second);
        row.push_back(it == p.features.end() ? std::nullopt : std::optional<double>(it->second));
        continue;
      }
      auto it = p.nodes.find(s.node);
      const profile::NodeRecord *r = it == p.nodes.end() ? nullptr : &it->second;
      if (llvm::StringRef(s.name).endswith(kCountSuffix)) {
        row.push_back(double(r ? r->count : 0));
      } else if (s.kind == bn::Variable::Kind::Duration) {
        if (!r || !r->count) {
          row.push_back(std::nullopt);
          continue;
        }
        // Repeated nodes: the mean of one instance (log-space bins need > 0).
        double d = am.nodes.find(s.node)->second.repeated() ? r->duration / r->count : r->duration;
        row.push_back(std::max(d, kMinDuration));
      } else {
        row.push_back(r && r->structureValue ? std::optional<double>(double(*r->structureValue)) : std::nullopt);
      }
    }
    ds.rows.push_back(std::move(row));
  }
  if (ds.rows.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "no finished jobs of '%s' in the profile",
                                   am.app.c_str());
  return ds;
}

} // namespace llmflow::estimate
