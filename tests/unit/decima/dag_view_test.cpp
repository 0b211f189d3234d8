// The DAG view schedulers may ask for (sched::JobDAG, engine/dag_view.h),
// checked on every decision of simulated runs of the example applications:
// well-formed and acyclic, ready tasks where the snapshot has them, Dynamic
// nodes opaque until they expand, map items counted as one stage's tasks,
// and nothing built for schedulers that do not ask.
#include "../sim/sim_helpers.h"

#include "engine/dag_view.h"

#include <doctest/doctest.h>

using namespace llmflow;
using namespace llmflow::simtest;
using sched::DAGNode;

namespace {

/// FCFS that asks for the DAG view and checks it at every decision.
class Inspector : public sched::Scheduler {
public:
  bool wants = true;
  unsigned decisions = 0, views = 0, opaque = 0, expandedWithInside = 0;
  std::map<std::pair<sched::JobId, std::string>, int64_t> mapSizes; // (job, map node id) -> items, observed
  unsigned fullMaps = 0;                      // map bodies seen with one task per item
  std::vector<std::string> problems;

  std::string name() const override { return "inspector"; }
  bool wantsDAG() const override { return wants; }
  void observe(const sched::Observation &o) override {
    if (o.kind == sched::Observation::Kind::Expanded && o.structure == "expansion_size")
      mapSizes[{o.job, o.nodeId}] = o.size;
  }
  std::vector<sched::Placement> decide(const sched::Snapshot &snap) override {
    ++decisions;
    if (!wants) {
      if (!snap.dags.empty())
        problems.push_back("views built for a scheduler that did not ask");
    } else {
      if (snap.dags.size() != snap.activeJobs)
        problems.push_back("one view per active job expected");
      for (const sched::JobDAG *d : snap.dags)
        check(*d, snap);
    }
    return fcfs->decide(snap);
  }

private:
  std::unique_ptr<sched::Scheduler> fcfs = sched::makeFCFS();

  void check(const sched::JobDAG &d, const sched::Snapshot &snap) {
    ++views;
    size_t n = d.nodes.size();
    std::vector<unsigned> indeg(n, 0);
    std::vector<std::vector<uint32_t>> out(n);
    for (auto [a, b] : d.edges) {
      if (a >= n || b >= n) {
        problems.push_back("edge out of range");
        return;
      }
      out[a].push_back(b);
      ++indeg[b];
    }
    std::vector<uint32_t> q;
    for (uint32_t v = 0; v < n; ++v)
      if (!indeg[v])
        q.push_back(v);
    for (size_t k = 0; k < q.size(); ++k)
      for (uint32_t b : out[q[k]])
        if (--indeg[b] == 0)
          q.push_back(b);
    if (q.size() != n)
      problems.push_back("a cycle in job " + std::to_string(d.id));
    for (uint32_t v = 0; v < n; ++v) {
      const DAGNode &x = d.nodes[v];
      if (x.remaining > x.tasks || x.running + x.ready > x.remaining)
        problems.push_back("counts inconsistent at " + x.nodeId.str());
      if (x.kind == DAGNode::Kind::Dynamic && x.state == DAGNode::State::Unexpanded) {
        ++opaque;
        // (A node merging loop iterations keeps what earlier ones ran, all done.)
        for (auto [a, b] : d.edges)
          if (a == v && d.nodes[b].nodeId.startswith((x.nodeId + "/").str()) &&
              d.nodes[b].state != DAGNode::State::Done)
            problems.push_back("an opaque node shows what is inside it: " + x.nodeId.str());
      }
      if (x.kind == DAGNode::Kind::Dynamic && x.state == DAGNode::State::Running)
        for (auto [a, b] : d.edges)
          if (a == v && d.nodes[b].nodeId != x.nodeId && !d.nodes[b].nodeId.empty()) {
            ++expandedWithInside;
            break;
          }
      auto m = mapSizes.find({d.id, x.nodeId.rsplit('/').first.str()});
      if (m != mapSizes.end() && m->first.second == "mapreduce/notes") {
        if (x.tasks != unsigned(m->second))
          problems.push_back("map body " + x.nodeId.str() + " has " + std::to_string(x.tasks) + " tasks for " +
                             std::to_string(m->second) + " items");
        fullMaps += m->second > 4; // beyond the map's concurrency: items held back count too
      }
    }
    for (auto [t, v] : d.readyTasks)
      if (v >= n || d.nodes[v].kind == DAGNode::Kind::Dynamic || !d.nodes[v].ready)
        problems.push_back("a ready task on a node that is not ready");
    for (const sched::JobView &j : snap.jobs)
      if (j.id == d.id)
        for (const sched::ReadyTask &r : j.ready) {
          auto it = std::find_if(d.readyTasks.begin(), d.readyTasks.end(), [&](auto &p) { return p.first == r.task; });
          if (it == d.readyTasks.end() || d.nodes[it->second].nodeId != r.nodeId)
            problems.push_back("ready task " + std::to_string(r.task) + " missing or on another node");
        }
  }
};

} // namespace

TEST_CASE("dag view: well-formed at every decision of every example, Dynamic nodes opaque until they expand") {
  std::vector<std::string> names = allExamples();
  std::vector<sim::SimApp> apps = simApps(names);
  std::vector<sim::SimJob> jobs = mix(names, 40, 2.0, 11);
  sim::SimConfig cfg;
  cfg.llmMaxInFlight = 4;
  cfg.regularSlots = 4;
  Inspector ins;
  sim::SimResult r = sim::simulate(apps, jobs, ins, cfg);
  for (const sim::JobOutcome &o : r.jobs)
    CHECK_MESSAGE(o.ok, o.error);
  for (size_t i = 0; i < std::min<size_t>(ins.problems.size(), 5); ++i)
    FAIL_CHECK(ins.problems[i]);
  CHECK(ins.views > 100);
  CHECK(ins.opaque > 0);
  CHECK(ins.expandedWithInside > 0);
  // Map items are the tasks of one stage (those a map's concurrency holds
  // back included): mapreduce's per-chunk call has as many as chunks.
  CHECK(ins.fullMaps > 0);
}

TEST_CASE("dag view: codegen at arrival, its stages and the opaque branch after them") {
  const LoadedExample &ex = example("codegen");
  rt::Job job(1, *ex.module, *ex.app, ex.inputs[0]);
  job.start();
  sched::JobDAG d;
  engine::buildJobDAG(job, d);
  std::map<std::string, const DAGNode *> byId;
  for (const DAGNode &n : d.nodes)
    byId[n.nodeId.str()] = &n;
  REQUIRE(byId.count("codegen/gen"));
  CHECK(byId["codegen/gen"]->state == DAGNode::State::Ready);
  CHECK(byId["codegen/gen"]->kind == DAGNode::Kind::LLM);
  CHECK(byId["codegen/first"]->state == DAGNode::State::Waiting);
  CHECK(byId["codegen/result"]->state == DAGNode::State::Unexpanded);
  CHECK(!byId.count("codegen/result/fixes")); // inside the branch: unseen until it expands
  CHECK(d.readyTasks.size() == 1);
  uint64_t v = d.version;
  job.markRunning(job.ready()[0]);
  CHECK(job.version() != v);
}

TEST_CASE("dag view: not built for a scheduler that does not ask for it") {
  std::vector<std::string> names = {"mapreduce", "react"};
  std::vector<sim::SimApp> apps = simApps(names);
  Inspector ins;
  ins.wants = false;
  sim::simulate(apps, mix(names, 10, 1.0, 3), ins, sim::SimConfig{});
  CHECK(ins.decisions > 0);
  CHECK(ins.problems.empty());
}
