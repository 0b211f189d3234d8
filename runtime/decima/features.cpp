#include "decima/features.h"

#include <cmath>

namespace llmflow::decima {

using sched::DAGNode;

void jobGraph(const sched::JobDAG &dag, const NodeMeans &means, JobGraph &out, std::vector<uint32_t> &rowOf) {
  rowOf.assign(dag.nodes.size(), ~0u);
  uint32_t rows = 0;
  unsigned running = 0;
  for (size_t v = 0; v < dag.nodes.size(); ++v) {
    const DAGNode &n = dag.nodes[v];
    if (n.state != DAGNode::State::Done)
      rowOf[v] = rows++;
    if (n.kind != DAGNode::Kind::Dynamic)
      running += n.running;
  }
  out.x.resize(rows, kFeatures);
  out.children.assign(rows, {});
  out.candidates.clear();
  for (size_t v = 0; v < dag.nodes.size(); ++v) {
    if (rowOf[v] == ~0u)
      continue;
    const DAGNode &n = dag.nodes[v];
    bool opaque = n.state == DAGNode::State::Unexpanded;
    double mean = 0;
    if (n.kind != DAGNode::Kind::Dynamic || opaque) {
      auto it = means.seconds.find(n.nodeId);
      mean = it == means.seconds.end() ? 0 : it->second / means.scale;
    }
    double rem = n.kind == DAGNode::Kind::Dynamic ? 1 : n.remaining;
    auto r = Eigen::Index(rowOf[v]);
    out.x(r, 0) = std::log1p(rem);
    out.x(r, 1) = mean;
    out.x(r, 2) = std::log1p(rem * mean);
    out.x(r, 3) = n.kind == DAGNode::Kind::LLM;
    out.x(r, 4) = opaque;
    out.x(r, 5) = std::log1p(double(running));
  }
  for (auto [from, to] : dag.edges)
    if (rowOf[from] != ~0u && rowOf[to] != ~0u)
      out.children[rowOf[from]].push_back(rowOf[to]);
  for (auto [task, v] : dag.readyTasks)
    if (out.candidates.empty() || out.candidates.back() != rowOf[v]) {
      bool seen = false;
      for (uint32_t c : out.candidates)
        seen = seen || c == rowOf[v];
      if (!seen)
        out.candidates.push_back(rowOf[v]);
    }
}

} // namespace llmflow::decima
