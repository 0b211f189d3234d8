#include "decima/scheduler.h"

#include "llvm/ADT/DenseMap.h"

#include <random>

namespace llmflow::decima {

using sched::DAGNode;

namespace {

struct Cached {
  uint64_t version = ~uint64_t(0);
  JobEncoding enc;
  JobGraph graph;
  std::vector<uint32_t> rowOf;
  /// Per candidate row: its view node, slot kind and ready tasks.
  struct Cand {
    uint32_t node;
    sched::Slot slot;
    std::vector<sched::TaskId> tasks;
  };
  std::vector<Cand> cands;
  unsigned running[sched::kSlotKinds] = {0, 0};
  bool seen = false;
};

} // namespace

struct DecimaScheduler::Impl {
  Network net;
  NodeMeans means;
  DecimaOptions opt;
  std::mt19937_64 rng;
  llvm::DenseMap<sched::JobId, std::unique_ptr<Cached>> jobs;
  Head head;
  std::vector<Step> steps;

  Impl(const Policy &p, DecimaOptions o) : net(p.net), means(p.means()), opt(o), rng(o.seed) {}

  Cached &encode(const sched::JobDAG &dag) {
    std::unique_ptr<Cached> &slot = jobs[dag.id];
    if (!slot)
      slot = std::make_unique<Cached>();
    Cached &c = *slot;
    c.seen = true;
    if (c.version == dag.version)
      return c;
    c.version = dag.version;
    jobGraph(dag, means, c.graph, c.rowOf);
    encodeJob(net, c.graph, c.enc);
    c.running[0] = c.running[1] = 0;
    for (const DAGNode &n : dag.nodes)
      if (n.kind != DAGNode::Kind::Dynamic)
        c.running[n.kind == DAGNode::Kind::LLM ? 0 : 1] += n.running;
    c.cands.clear();
    std::vector<int> index(c.graph.x.rows(), -1);
    for (uint32_t r = 0; r < c.graph.candidates.size(); ++r)
      index[c.graph.candidates[r]] = int(r);
    c.cands.resize(c.graph.candidates.size());
    for (auto [task, v] : dag.readyTasks) {
      Cached::Cand &cd = c.cands[size_t(index[c.rowOf[v]])];
      cd.node = v;
      cd.slot = dag.nodes[v].kind == DAGNode::Kind::LLM ? sched::Slot::LLM : sched::Slot::Regular;
      cd.tasks.push_back(task);
    }
    return c;
  }

  uint32_t choose(const Mat &scores, const std::vector<uint32_t> &among) {
    if (!opt.sample) {
      uint32_t best = among[0];
      for (uint32_t i : among)
        if (scores(i, 0) > scores(best, 0))
          best = i;
      return best;
    }
    double top = -INFINITY;
    for (uint32_t i : among)
      top = std::max(top, scores(i, 0));
    std::vector<double> w;
    for (uint32_t i : among)
      w.push_back(std::exp(scores(i, 0) - top));
    std::discrete_distribution<size_t> d(w.begin(), w.end());
    return among[d(rng)];
  }

  std::vector<sched::Placement> decide(const sched::Snapshot &snap) {
    for (auto &[id, c] : jobs)
      c->seen = false;
    std::vector<Cached *> all;
    for (const sched::JobDAG *dag : snap.dags)
      all.push_back(&encode(*dag));
    llvm::SmallVector<sched::JobId, 8> gone;
    for (auto &[id, c] : jobs)
      if (!c->seen)
        gone.push_back(id);
    for (sched::JobId id : gone)
      jobs.erase(id);

    // Candidates: ready stages whose slot kind has room.
    struct Cand {
      uint32_t job, index;      // into all, and the job's cands
      size_t next = 0;          // its next task to start
    };
    std::vector<Cand> cands;
    for (uint32_t j = 0; j < all.size(); ++j)
      for (uint32_t k = 0; k < all[j]->cands.size(); ++k)
        if (snap.free[unsigned(all[j]->cands[k].slot)])
          cands.push_back({j, k});
    std::vector<sched::Placement> out;
    if (cands.empty())
      return out;
    Mat globals(Eigen::Index(all.size()), kEmbed), first(Eigen::Index(cands.size()), kHidden);
    for (size_t j = 0; j < all.size(); ++j)
      globals.row(Eigen::Index(j)) = all[j]->enc.tape.value(all[j]->enc.global);
    for (size_t c = 0; c < cands.size(); ++c) {
      const JobEncoding &e = all[cands[c].job]->enc;
      first.row(Eigen::Index(c)) = e.tape.value(e.nodeScore).row(cands[c].index) + e.tape.value(e.jobScore);
    }
    head.build(net, std::move(globals), std::move(first));
    Tape &t = head.t();
    Mat scores = head.scores(); // a copy: the tape grows below

    unsigned free[sched::kSlotKinds] = {snap.free[0], snap.free[1]};
    std::vector<unsigned> running(all.size() * sched::kSlotKinds);
    for (size_t j = 0; j < all.size(); ++j)
      for (unsigned k = 0; k < sched::kSlotKinds; ++k)
        running[j * sched::kSlotKinds + k] = all[j]->running[k];
    std::vector<Tape::Var> picks;                          // log-probabilities to differentiate
    std::vector<std::pair<Tape::Var, uint32_t>> limitLeaves; // (leaf, job)
    bool choice = false;
    for (;;) {
      std::vector<uint32_t> among;
      for (uint32_t c = 0; c < cands.size(); ++c) {
        const Cached::Cand &cd = all[cands[c].job]->cands[cands[c].index];
        if (cands[c].next < cd.tasks.size() && free[unsigned(cd.slot)])
          among.push_back(c);
      }
      if (among.empty())
        break;
      uint32_t c = choose(scores, among);
      Cand &cand = cands[c];
      const Cached &job = *all[cand.job];
      const Cached::Cand &cd = job.cands[cand.index];
      auto k = unsigned(cd.slot);
      unsigned &run = running[cand.job * sched::kSlotKinds + k];
      // Limits the job may take: above what it runs now, within the slots
      // of this kind (at least the smallest such, so one task starts).
      unsigned top = std::min<unsigned>(kLimits, std::max(1u, snap.capacity[k]));
      std::vector<uint32_t> limits;
      for (unsigned l = std::min(run + 1, top); l <= top; ++l)
        limits.push_back(l - 1);
      auto [limitScores, leaf] = head.limitScores(net, job.enc.tape.value(job.enc.jobLimit));
      uint32_t l = choose(Mat(t.value(limitScores)), limits) + 1;
      if (opt.record) {
        if (among.size() > 1)
          picks.push_back(t.logSoftmaxPick(head.scoreVar, among, c));
        if (limits.size() > 1) {
          picks.push_back(t.logSoftmaxPick(limitScores, limits, l - 1));
          limitLeaves.push_back({leaf, cand.job});
        }
      }
      choice = choice || among.size() > 1 || limits.size() > 1;
      unsigned n = std::min<unsigned>({free[k], unsigned(cd.tasks.size() - cand.next), std::max(1u, l > run ? l - run : 1u)});
      for (unsigned i = 0; i < n; ++i)
        out.push_back({snap.dags[cand.job]->id, cd.tasks[cand.next++]});
      free[k] -= n;
      run += n;
    }
    if (opt.record && choice && !picks.empty())
      record(snap.now, all, cands, picks, limitLeaves);
    return out;
  }

  template <class CandVec>
  void record(double now, const std::vector<Cached *> &all, const CandVec &cands, const std::vector<Tape::Var> &picks,
              const std::vector<std::pair<Tape::Var, uint32_t>> &limitLeaves) {
    Tape &t = head.t();
    t.zeroGrad();
    for (Tape::Var p : picks)
      t.seed(p, Mat::Ones(1, 1));
    t.backward();
    for (Cached *c : all)
      c->enc.tape.zeroGrad();
    const Mat &gGlobals = t.grad(head.globalsVar);
    for (size_t j = 0; j < all.size(); ++j)
      all[j]->enc.tape.seed(all[j]->enc.global, gGlobals.row(Eigen::Index(j)));
    const Mat &gFirst = t.grad(head.firstLayerVar);
    for (size_t c = 0; c < cands.size(); ++c) {
        JobEncoding &e = all[cands[c].job]->enc;
        Mat row = Mat::Zero(e.tape.value(e.nodeScore).rows(), kHidden);
        row.row(cands[c].index) = gFirst.row(Eigen::Index(c));
        e.tape.seed(e.nodeScore, row);
        e.tape.seed(e.jobScore, gFirst.row(Eigen::Index(c)));
      }
    for (auto [leaf, j] : limitLeaves)
      all[j]->enc.tape.seed(all[j]->enc.jobLimit, t.grad(leaf));
    for (Cached *c : all)
      c->enc.tape.backward();
    double logProb = 0;
    for (Tape::Var p : picks)
      logProb += t.value(p)(0, 0);
    steps.push_back({now, logProb, net.flatGrad()});
    net.zeroGrad();
  }
};

DecimaScheduler::DecimaScheduler(const Policy &policy, DecimaOptions options)
    : impl(std::make_unique<Impl>(policy, options)) {}
DecimaScheduler::~DecimaScheduler() = default;

std::vector<sched::Placement> DecimaScheduler::decide(const sched::Snapshot &snap) { return impl->decide(snap); }

std::vector<Step> DecimaScheduler::takeSteps() { return std::move(impl->steps); }

} // namespace llmflow::decima
