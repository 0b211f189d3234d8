#include "sim/replay.h"

#include "behave/dist.h"

#include <algorithm>
#include <cmath>

namespace llmflow::sim {

ReplayIndex::ReplayIndex(const ir::Module &m, const ir::App &app) : mod(m), application(&app) {
  for (const ir::App &a : m.apps)
    ir::forEachNode(a.graph, [&](const ir::Node &n) {
      nodes[n.id] = &n;
      if (!n.dynamic || n.dynamic->kind != ir::DynamicKind::Map || !n.dynamic->list)
        return;
      const ir::Expr &list = *n.dynamic->list;
      if (list.kind != ir::Expr::Kind::Ref || list.root != ir::RefRoot::Node)
        return;
      std::string path = list.name;
      for (const std::string &f : list.fields)
        path += "." + f;
      feeds[path] = MapFeed{&n, list.name};
    });
}

const ir::Node *ReplayIndex::node(llvm::StringRef id) const { return nodes.lookup(id); }

const ReplayIndex::MapFeed *ReplayIndex::mapFedBy(llvm::StringRef valuePath) const {
  auto it = feeds.find(valuePath);
  return it == feeds.end() ? nullptr : &it->second;
}

ReplayJob::ReplayJob(const ReplayIndex &index, const profile::JobProfile &record, const serving::ServingParams &serving,
                     uint64_t seed, uint64_t job)
    : index(index), record(record), serving(serving), seed(seed), job(job) {}

uint64_t ReplayJob::key(llvm::StringRef what) const { return behave::mixKey(seed, job, what); }

const profile::NodeRecord *ReplayJob::find(const std::string &nodeId) const {
  auto it = record.nodes.find(nodeId);
  return it == record.nodes.end() ? nullptr : &it->second;
}

void ReplayJob::mismatch(llvm::StringRef instance, const std::string &why) {
  if (mismatched.insert(instance.str()).second && notes.size() < 5)
    notes.push_back(why);
}

const profile::NodeRecord *ReplayJob::require(const std::string &nodeId, llvm::StringRef instance,
                                              llvm::StringRef what) {
  const profile::NodeRecord *r = find(nodeId);
  if (!r)
    mismatch(instance, (what + " '" + nodeId + "' ran, but the recorded job " + llvm::Twine(record.job) +
                        " did not run it")
                           .str());
  return r;
}

unsigned ReplayJob::ordinal(const std::string &nodeId, llvm::StringRef instance) {
  // An instance is its node id plus the frame path: "#k" per loop iteration
  // and "[k]" per map item, then "@CALLER" inside a called application (the
  // path before the '@' is the caller's). One index orders the instances by
  // name alone; with none the node runs once per job.
  llvm::StringRef path = instance;
  std::vector<unsigned> indices;
  if (path.consume_front(nodeId)) {
    path = path.take_until([](char c) { return c == '@'; });
    for (size_t i = 0; i < path.size(); ++i) {
      if (path[i] != '#' && path[i] != '[')
        continue;
      size_t j = i + 1;
      while (j < path.size() && std::isdigit(static_cast<unsigned char>(path[j])))
        ++j;
      unsigned k = 0;
      if (j > i + 1 && !path.substr(i + 1, j - i - 1).getAsInteger(10, k))
        indices.push_back(path[i] == '#' ? (k ? k - 1 : 0) : k);
      i = j - 1;
    }
    if (indices.empty())
      return 0;
    if (indices.size() == 1)
      return indices[0];
  }
  // Nested repetition: the order instances are first asked about.
  std::vector<std::string> &order = seen[nodeId];
  auto it = std::find(order.begin(), order.end(), instance);
  if (it != order.end())
    return unsigned(it - order.begin());
  order.push_back(instance.str());
  return unsigned(order.size() - 1);
}

unsigned ReplayJob::runs(const ir::Graph &g) const {
  unsigned most = 0;
  for (const ir::Node &n : g.nodes) {
    if (n.dynamic && n.dynamic->kind == ir::DynamicKind::Call) {
      if (const ir::App *callee = index.module().findApp(n.dynamic->callee); callee && callee != &index.app())
        most = std::max(most, runs(callee->graph));
      continue;
    }
    if (const profile::NodeRecord *r = find(n.id))
      most = std::max(most, r->count);
  }
  return most;
}

std::vector<std::pair<std::string, unsigned>> ReplayJob::planTools(const ir::Node &steps) const {
  std::vector<std::pair<std::string, unsigned>> out;
  for (const ir::Node &t : steps.dynamic->bodies.at(0).nodes) {
    unsigned n = 0;
    if (t.dynamic && t.dynamic->kind == ir::DynamicKind::Call) {
      if (const ir::App *callee = index.module().findApp(t.dynamic->callee))
        n = runs(callee->graph);
    } else if (const profile::NodeRecord *r = find(t.id)) {
      n = r->count;
    }
    out.push_back({t.name, n});
  }
  return out;
}

double ReplayJob::stepSeconds(const ir::Node &steps, const std::string &tool) const {
  for (const ir::Node &t : steps.dynamic->bodies.at(0).nodes) {
    if (t.name != tool)
      continue;
    auto perRun = [&](const ir::Node &n) {
      const profile::NodeRecord *r = find(n.id);
      return r && r->count && !n.dynamic ? r->duration / r->count : 0.0;
    };
    if (!(t.dynamic && t.dynamic->kind == ir::DynamicKind::Call))
      return perRun(t);
    double sum = 0;
    if (const ir::App *callee = index.module().findApp(t.dynamic->callee))
      ir::forEachNode(callee->graph, [&](const ir::Node &n) { sum += perRun(n); });
    return sum;
  }
  return 0;
}

namespace {

/// The value of instance `o` of a repeated Dynamic node: the first is the
/// recorded value; the others share what the nodes inside ran beyond it.
int64_t share(int64_t first, unsigned total, unsigned count, unsigned o) {
  if (!total)
    return first;
  unsigned rest = total > first ? unsigned(total - first) : 0;
  unsigned others = count - 1;
  return rest / others + (o - 1 < rest % others ? 1 : 0);
}

} // namespace

std::optional<int64_t> ReplayJob::expected(const ir::Node &n, llvm::StringRef instance) {
  const profile::NodeRecord *r = find(n.id);
  if (!r || !r->structureValue || !n.dynamic)
    return std::nullopt;
  int64_t first = *r->structureValue;
  unsigned o = ordinal(n.id, instance);
  if (r->count <= 1 || o == 0)
    return first;
  const ir::DynamicPayload &d = *n.dynamic;
  switch (d.kind) {
  case ir::DynamicKind::Branch: {
    // Instances take the first recorded arm as many times as that arm's
    // nodes ran, then the other arm.
    auto armRuns = [&](int64_t a) -> unsigned { return a >= 0 && size_t(a) < d.bodies.size() ? runs(d.bodies[a]) : 0; };
    unsigned mine = armRuns(first), other = armRuns(1 - first);
    unsigned firstArm = mine ? mine : (other ? r->count - std::min(r->count, other) : r->count);
    return o < std::max(1u, firstArm) ? first : 1 - first;
  }
  case ir::DynamicKind::Loop:
    return std::max<int64_t>(1, share(first, runs(d.bodies.at(0)), r->count, o));
  case ir::DynamicKind::Map: return share(first, runs(d.bodies.at(0)), r->count, o);
  case ir::DynamicKind::Planner: {
    unsigned total = 0;
    for (const auto &[tool, k] : planTools(n))
      total += k;
    return std::max<int64_t>(1, share(first, total, r->count, o));
  }
  case ir::DynamicKind::Call: break;
  }
  return first;
}

unsigned ReplayJob::outputTokens(const std::string &nodeId, const std::string &instance) {
  const profile::NodeRecord *r = require(nodeId, instance, "LLM node");
  if (!r)
    return kFallbackOutputTokens;
  double runs = std::max(1u, r->count);
  if (r->tokensOut)
    return unsigned(std::max(1.0, std::round(*r->tokensOut / runs)));
  // No token counts (a real run that did not report usage): the decode
  // steps that fit in the recorded time once the prompt is processed.
  unsigned in = r->tokensIn ? unsigned(std::lround(*r->tokensIn / runs)) : 0;
  double decode = r->duration / runs - serving.prefillTime(in);
  return unsigned(std::max(1.0, std::round(decode / serving.stepTime(1))));
}

unsigned ReplayJob::promptTokens(const std::string &nodeId, const std::string &instance,
                                 llvm::ArrayRef<llvm::StringRef> prompt) {
  const profile::NodeRecord *r = require(nodeId, instance, "LLM node");
  if (r && r->tokensIn)
    return unsigned(std::max(1.0, std::round(*r->tokensIn / double(std::max(1u, r->count)))));
  return behave::promptTokensOf(prompt);
}

double ReplayJob::toolLatency(const std::string &nodeId, const std::string &instance, unsigned) {
  // The recorded time covers failed attempts and backoff too; replayed
  // tools never fail, so one attempt takes it all.
  const profile::NodeRecord *r = require(nodeId, instance, "tool node");
  if (!r)
    return kFallbackToolSeconds;
  return r->duration / std::max(1u, r->count);
}

llvm::json::Value ReplayJob::synthesize(const ir::Type &t, const std::string &nodeId, const std::string &instance,
                                        unsigned words) {
  auto keyOf = [this](llvm::StringRef what) { return key(what); };
  auto length = [this](const std::string &id, const std::string &inst, uint64_t k) -> unsigned {
    // A list a map fans out over gets the map's recorded size. The map runs
    // in the source node's frame: its instance is its id plus that frame's path.
    if (const ReplayIndex::MapFeed *f = index.mapFedBy(id)) {
      size_t field = id.size() - f->source.size();
      llvm::StringRef source = llvm::StringRef(inst).drop_back(field);
      if (source.consume_front(f->source))
        if (auto n = expected(*f->map, f->map->id + source.str()))
          return unsigned(std::max<int64_t>(0, *n));
    }
    return unsigned(1 + k % 3);
  };
  return behave::synthesizeValue(index.module(), t, nodeId, instance, words, keyOf, length);
}

llvm::json::Value ReplayJob::makePlan(const ir::Node &steps, const std::string &instance, unsigned *count) {
  const ir::DynamicPayload &d = *steps.dynamic;
  unsigned cap = std::max(1u, d.maxExpansion);
  const profile::NodeRecord *r = require(steps.id, instance, "planner");
  std::optional<int64_t> size = expected(steps, instance);
  unsigned k = unsigned(std::clamp<int64_t>(size.value_or(1), 1, cap));
  *count = k;
  // The steps' tools: the recorded number of steps per tool, in template
  // order; a later plan of a repeated planner continues where the earlier ones stopped.
  std::vector<std::string> pool;
  for (const auto &[tool, n] : planTools(steps))
    pool.insert(pool.end(), n, tool);
  if (pool.empty())
    pool = d.allowedTools;
  size_t offset = 0;
  if (r && r->count > 1)
    for (unsigned o = ordinal(steps.id, instance), j = 0; j < o; ++j)
      offset += j == 0 ? size_t(r->structureValue.value_or(0))
                       : size_t(share(r->structureValue.value_or(0), unsigned(pool.size()), r->count, j));
  std::vector<std::string> tools;
  for (unsigned s = 0; s < k; ++s)
    tools.push_back(pool[(offset + s) % pool.size()]);
  // Shape: a chain when the recorded span of the steps is nearer the sum of
  // their times than the longest one, else parallel.
  double sum = 0, longest = 0;
  for (const std::string &t : tools) {
    double x = stepSeconds(steps, t);
    sum += x;
    longest = std::max(longest, x);
  }
  double span = r ? r->duration / std::max(1u, r->count) : 0;
  bool chain = k > 1 && std::abs(span - sum) < std::abs(span - longest);
  llvm::json::Array out;
  auto synth = [this](const ir::Type &t, const std::string &id, const std::string &inst, unsigned w) {
    return synthesize(t, id, inst, w);
  };
  for (unsigned s = 1; s <= k; ++s) {
    std::vector<unsigned> after;
    if (chain && s > 1)
      after.push_back(s - 1);
    out.push_back(behave::planStep(index.module(), steps, s, tools[s - 1], instance + "/step" + std::to_string(s),
                                   std::move(after), synth));
  }
  return llvm::json::Object{{"steps", std::move(out)}};
}

std::optional<unsigned> ReplayJob::branchArm(const ir::Node &branch, llvm::StringRef instance) {
  std::optional<int64_t> arm = expected(branch, instance);
  if (!arm) {
    require(branch.id, instance, "branch"); // the program's condition decides
    return std::nullopt;
  }
  return unsigned(*arm);
}

std::optional<bool> ReplayJob::loopStops(const ir::Node &loop, llvm::StringRef instance, unsigned iteration) {
  std::optional<int64_t> n = expected(loop, instance);
  if (!n) {
    require(loop.id, instance, "loop");
    return true; // one iteration
  }
  return int64_t(iteration) >= *n;
}

void ReplayJob::checkExpanded(const std::string &nodeId, const std::string &instance, llvm::StringRef structure,
                              int64_t size) {
  const ir::Node *n = index.node(nodeId);
  if (!n || !n->dynamic)
    return;
  std::optional<int64_t> want = expected(*n, instance);
  if (!want) {
    require(nodeId, instance, "Dynamic node");
    return;
  }
  if (structure == "iterations")
    want = std::clamp<int64_t>(*want, 1, std::max(1u, n->dynamic->maxExpansion));
  if (size != *want)
    mismatch(instance, (instance + ": " + structure + " " + llvm::Twine(size) + ", recorded " + llvm::Twine(*want) +
                        " (job " + llvm::Twine(record.job) + ")")
                           .str());
}

} // namespace llmflow::sim
