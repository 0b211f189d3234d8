#include "engine/dag_view.h"

#include "llvm/ADT/SmallVector.h"

namespace llmflow::engine {

using sched::DAGNode;
using NS = rt::Job::NodeState;

void buildJobDAG(const rt::Job &job, sched::JobDAG &out) {
  out.version = job.version();
  out.nodes.clear();
  out.edges.clear();
  out.readyTasks.clear();
  constexpr uint32_t kNone = ~0u;
  size_t frames = job.frameCount();
  // Frames opened by one view node over one graph (the items of a map, the
  // iterations of a loop) share their view nodes: base[f] + i is node i of
  // frame f.
  std::vector<uint32_t> base(frames, 0);
  llvm::DenseMap<std::pair<uint32_t, const ir::Graph *>, uint32_t> groups;
  llvm::SmallVector<std::pair<uint32_t, uint32_t>, 8> heldBack; // (map view node, items not opened)
  for (size_t f = 0; f < frames; ++f) {
    rt::Job::FrameInfo fi = job.frameInfo(f);
    if (!fi.graph)
      continue;
    uint32_t owner = fi.parent == rt::Job::kNoFrame ? kNone : base[fi.parent] + uint32_t(fi.owner);
    auto [it, isNew] = groups.try_emplace({owner, fi.graph}, uint32_t(out.nodes.size()));
    base[f] = it->second;
    const std::vector<ir::Node> &nodes = fi.graph->nodes;
    if (isNew) {
      for (const ir::Node &n : nodes) {
        DAGNode v;
        llvm::StringRef id = n.id;
        v.nodeId = fi.plan ? id.substr(0, id.rfind('#')) : id;
        v.kind = n.kind == ir::NodeKind::LLM       ? DAGNode::Kind::LLM
                 : n.kind == ir::NodeKind::Dynamic ? DAGNode::Kind::Dynamic
                                                   : DAGNode::Kind::Regular;
        out.nodes.push_back(v);
      }
      // Inside the sub-graph, then from its owner to its first nodes and
      // from its last nodes to the owner's users.
      llvm::ArrayRef<size_t> ownerUsers;
      if (owner != kNone)
        ownerUsers = job.nodeInfo(fi.parent, fi.owner).users;
      for (size_t i = 0; i < nodes.size(); ++i) {
        uint32_t v = base[f] + uint32_t(i);
        rt::Job::NodeInfo ni = job.nodeInfo(f, i);
        for (size_t u : ni.users)
          out.edges.push_back({v, base[f] + uint32_t(u)});
        if (owner == kNone)
          continue;
        if (nodes[i].deps.empty())
          out.edges.push_back({owner, v});
        if (ni.users.empty())
          for (size_t u : ownerUsers)
            out.edges.push_back({v, base[fi.parent] + uint32_t(u)});
      }
    }
    for (size_t i = 0; i < nodes.size(); ++i) {
      DAGNode &v = out.nodes[base[f] + i];
      rt::Job::NodeInfo ni = job.nodeInfo(f, i);
      ++v.tasks;
      v.remaining += ni.state != NS::Done;
      v.running += ni.state == NS::Running;
      v.ready += ni.state == NS::Ready;
      if (ni.heldBack && nodes[i].dynamic && !nodes[i].dynamic->bodies.empty())
        heldBack.push_back({base[f] + uint32_t(i), ni.heldBack});
    }
  }
  // Map items not opened yet are tasks still to come of every node of the body.
  for (auto [owner, count] : heldBack)
    for (auto &g : groups)
      if (g.first.first == owner)
        for (size_t i = 0; i < g.first.second->nodes.size(); ++i) {
          DAGNode &v = out.nodes[g.second + i];
          v.tasks += count;
          v.remaining += count;
        }
  for (DAGNode &v : out.nodes) {
    if (v.kind == DAGNode::Kind::Dynamic)
      v.state = v.running ? DAGNode::State::Running : v.remaining ? DAGNode::State::Unexpanded : DAGNode::State::Done;
    else
      v.state = v.running   ? DAGNode::State::Running
                : v.ready   ? DAGNode::State::Ready
                : v.remaining ? DAGNode::State::Waiting
                              : DAGNode::State::Done;
  }
  for (rt::TaskId t : job.ready()) {
    auto [f, i] = job.placeOf(t);
    out.readyTasks.push_back({t, base[f] + uint32_t(i)});
  }
}

void DAGViews::add(sched::Snapshot &snap, sched::JobId id, llvm::StringRef app, double arrival, const rt::Job &job) {
  Entry &e = views[id];
  if (!e.dag)
    e.dag = std::make_unique<sched::JobDAG>();
  if (!e.fresh || e.dag->version != job.version()) {
    e.dag->id = id;
    e.dag->app = app;
    e.dag->arrival = arrival;
    buildJobDAG(job, *e.dag);
    e.fresh = true;
  }
  e.seen = true;
  snap.dags.push_back(e.dag.get());
}

void DAGViews::sweep() {
  llvm::SmallVector<sched::JobId, 8> gone;
  for (auto &[id, e] : views) {
    if (!e.seen)
      gone.push_back(id);
    e.seen = false;
  }
  for (sched::JobId id : gone)
    views.erase(id);
}

} // namespace llmflow::engine
