// The Decima scheduler end to end on hand-made DAG views: the gradient it
// records for a decision (head and every job's cached encoding, joined
// across tapes) against finite differences of the log-probability of the
// same actions; placements within the free slots; policy files round-trip
// and reject what is not a policy.
#include "decima/scheduler.h"

#include <doctest/doctest.h>

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

using namespace llmflow;
using namespace llmflow::decima;
using sched::DAGNode;

namespace {

DAGNode node(const char *id, DAGNode::Kind k, DAGNode::State s, unsigned tasks, unsigned ready = 0,
             unsigned running = 0) {
  DAGNode n;
  n.nodeId = id;
  n.kind = k;
  n.state = s;
  n.tasks = n.remaining = tasks;
  n.ready = ready;
  n.running = running;
  return n;
}

struct Fixture {
  std::vector<sched::JobDAG> dags{3};
  sched::Snapshot snap;
  Policy policy;
  Fixture() {
    using K = DAGNode::Kind;
    using S = DAGNode::State;
    sched::JobDAG &a = dags[0];
    a.id = 1;
    a.version = 1;
    a.nodes = {node("a/x", K::LLM, S::Ready, 2, 2), node("a/y", K::Regular, S::Waiting, 1),
               node("a/d", K::Dynamic, S::Unexpanded, 1)};
    a.edges = {{0, 1}, {1, 2}, {0, 2}};
    a.readyTasks = {{11, 0}, {12, 0}};
    sched::JobDAG &b = dags[1];
    b.id = 2;
    b.version = 1;
    b.nodes = {node("b/p", K::Regular, S::Ready, 1, 1), node("b/q", K::LLM, S::Waiting, 1),
               node("b/r", K::LLM, S::Ready, 1, 1), node("b/done", K::Regular, S::Done, 1)};
    b.nodes[3].remaining = 0;
    b.edges = {{0, 1}, {2, 1}, {3, 0}};
    b.readyTasks = {{21, 0}, {22, 2}};
    sched::JobDAG &c = dags[2];
    c.id = 3;
    c.version = 1;
    c.nodes = {node("c/s", K::LLM, S::Running, 1, 0, 1), node("c/t", K::Regular, S::Waiting, 1)};
    c.edges = {{0, 1}};
    for (sched::JobDAG &d : dags)
      snap.dags.push_back(&d);
    snap.free[0] = 2;
    snap.free[1] = 1;
    snap.capacity[0] = snap.capacity[1] = 4;
    snap.activeJobs = 3;
    policy.apps["a"] = {{"a/x", 2.0}, {"a/y", 0.5}, {"a/d", 6.0}};
    policy.apps["b"] = {{"b/p", 1.0}, {"b/q", 3.0}, {"b/r", 0.2}, {"b/done", 1.0}};
    policy.apps["c"] = {{"c/s", 1.5}, {"c/t", 0.7}};
    policy.scale = 1.2;
    policy.net.initialise(42);
  }
  Step decide(const Policy &p, std::vector<sched::Placement> *out = nullptr) {
    DecimaScheduler s(p, {false, true, 1});
    auto placed = s.decide(snap);
    if (out)
      *out = placed;
    auto steps = s.takeSteps();
    REQUIRE(steps.size() == 1);
    return steps[0];
  }
};

} // namespace

TEST_CASE("decima: a decision's recorded gradient matches finite differences of log pi(actions)") {
  Fixture f;
  std::vector<sched::Placement> placed;
  Step st = f.decide(f.policy, &placed);
  CHECK(st.logProb < 0);
  REQUIRE(st.grad.size() == f.policy.net.size());
  const double h = 1e-5;
  size_t i = 0, nonzero = 0;
  for (Param *p : f.policy.net.params())
    for (Eigen::Index k = 0; k < p->value.size(); ++k, ++i) {
      double keep = p->value.data()[k];
      p->value.data()[k] = keep + h;
      std::vector<sched::Placement> up;
      double lu = f.decide(f.policy, &up).logProb;
      p->value.data()[k] = keep - h;
      double ld = f.decide(f.policy).logProb;
      p->value.data()[k] = keep;
      REQUIRE(up.size() == placed.size()); // the same actions
      double fd = (lu - ld) / (2 * h);
      CHECK_MESSAGE(double(st.grad[i]) == doctest::Approx(fd).epsilon(1e-3).scale(1e-2), p->name << "[" << k << "]");
      nonzero += std::abs(fd) > 1e-6;
    }
  CHECK(nonzero > f.policy.net.size() / 2); // every part of the network takes part
}

TEST_CASE("decima: placements are ready tasks within the free slots of their kind, work-conserving") {
  Fixture f;
  DecimaScheduler s(f.policy, {});
  std::vector<sched::Placement> placed = s.decide(f.snap);
  unsigned llm = 0, reg = 0;
  for (const sched::Placement &p : placed) {
    bool isLLM = p.task == 11 || p.task == 12 || p.task == 22;
    CHECK((isLLM || p.task == 21));
    (isLLM ? llm : reg)++;
  }
  CHECK(llm == 2); // three LLM tasks ready, two LLM slots free
  CHECK(reg == 1);
  // Greedy and deterministic: the same snapshot, the same answer.
  DecimaScheduler again(f.policy, {});
  std::vector<sched::Placement> second = again.decide(f.snap);
  REQUIRE(second.size() == placed.size());
  for (size_t i = 0; i < placed.size(); ++i)
    CHECK(second[i].task == placed[i].task);
}

TEST_CASE("decima: policy files round-trip; corrupt or foreign files are refused") {
  Fixture f;
  llvm::SmallString<128> path;
  REQUIRE(!llvm::sys::fs::createTemporaryFile("policy", "json", path));
  REQUIRE(!writePolicy(path, f.policy));
  auto back = readPolicy(path);
  REQUIRE_MESSAGE(bool(back), llvm::toString(back.takeError()));
  CHECK(back->apps == f.policy.apps);
  std::vector<sched::Placement> a, b;
  f.decide(f.policy, &a);
  f.decide(*back, &b);
  CHECK(a.size() == b.size());
  for (const char *bad : {"{", "{\"format\": \"something else\"}", "[1, 2]",
                          "{\"format\": \"llmflow-decima-policy\", \"version\": 1, \"scale\": 1, \"apps\": {\"a\": {}}}"}) {
    std::error_code ec;
    {
      llvm::raw_fd_ostream os(path, ec);
      os << bad;
    }
    auto r = readPolicy(path);
    CHECK_FALSE(bool(r));
    if (!r)
      CHECK(llvm::toString(r.takeError()).find(path.str().str()) != std::string::npos);
  }
  llvm::sys::fs::remove(path);
}
