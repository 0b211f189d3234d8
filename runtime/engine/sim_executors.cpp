#include "engine/sim_executors.h"

#include <boost/asio/post.hpp>

#include <cmath>

namespace llmflow::engine {

namespace {
std::chrono::steady_clock::duration realDuration(double seconds) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(std::max(0.0, seconds)));
}
} // namespace

SimLLMExecutor::SimLLMExecutor(boost::asio::io_context &io, const EngineClock &clock, const ir::Module &module,
                               BehaviourLookup behaviour, std::vector<SimEndpoint> endpoints)
    : io(io), clock(clock), module(module), behaviour(std::move(behaviour)) {
  for (SimEndpoint &e : endpoints) {
    auto s = std::make_unique<Server>();
    s->model = serving::BatchingServer(e.params);
    s->spec = std::move(e);
    s->timer = std::make_unique<boost::asio::steady_timer>(io);
    servers.push_back(std::move(s));
  }
  for (const ir::App &a : module.apps)
    ir::forEachNode(a.graph, [&](const ir::Node &n) {
      if (n.dynamic && n.dynamic->kind == ir::DynamicKind::Planner && !n.dynamic->resolvedBy.empty())
        plannerSteps[n.dynamic->resolvedBy[0]] = &n;
    });
}

SimLLMExecutor::~SimLLMExecutor() = default;

unsigned SimLLMExecutor::capacity() const {
  unsigned c = 0;
  for (const auto &s : servers)
    c += s->spec.maxInFlight;
  return c;
}

void SimLLMExecutor::run(const rt::Task &task, rt::Job &job, ExecCallback done) {
  behave::JobBehaviour &jb = behaviour(task.job);
  ExecResult r;
  unsigned out = jb.outputTokens(task.nodeId, task.instance);
  unsigned in = jb.promptTokens(task.nodeId, task.instance, task.system + " " + task.prompt + " " + task.repairNote);
  const ir::Node &n = *task.node;
  if (n.llm && n.llm->isPlanner) {
    auto it = plannerSteps.find(n.id);
    assert(it != plannerSteps.end() && "a planner LLM node has a steps node");
    unsigned k = 0;
    r.outcome.value = jb.makePlan(*it->second, task.instance, &k);
    out += unsigned(std::lround(jb.tokensPerStep(it->second->id) * k));
  } else {
    unsigned words = unsigned(std::max(1.0, out / 1.3));
    r.outcome.value = jb.synthesize(n.resultType, task.nodeId, task.instance, words);
  }
  if (n.llm && !n.llm->isPlanner)
    out = std::min(out, n.llm->maxTokens);
  r.tokensIn = in;
  r.tokensOut = out;
  // Least-loaded endpoint (by running requests relative to capacity).
  Server *best = servers.front().get();
  for (auto &s : servers)
    if (double(s->model.running()) / s->spec.maxInFlight < double(best->model.running()) / best->spec.maxInFlight)
      best = s.get();
  r.endpoint = best->spec.name;
  uint64_t id = nextId++;
  pending[id] = Pending{std::move(done), std::move(r)};
  complete(best->model.add(id, clock.now(), in, out));
  arm(*best);
  (void)job;
}

void SimLLMExecutor::arm(Server &s) {
  double next = s.model.nextEvent();
  if (!std::isfinite(next))
    return;
  s.timer->expires_after(realDuration(clock.realDelay(next - clock.now())));
  s.timer->async_wait([this, &s](const boost::system::error_code &ec) {
    if (!ec)
      fire(s);
  });
}

void SimLLMExecutor::complete(const std::vector<serving::BatchingServer::Done> &done) {
  for (const serving::BatchingServer::Done &d : done) {
    auto it = pending.find(d.id);
    if (it == pending.end())
      continue;
    Pending p = std::move(it->second);
    pending.erase(it);
    p.result.firstTokenAt = d.firstToken;
    p.done(std::move(p.result));
  }
}

void SimLLMExecutor::fire(Server &s) {
  complete(s.model.advance(clock.now()));
  arm(s);
}

SimToolExecutor::SimToolExecutor(boost::asio::io_context &io, const EngineClock &clock, const ir::Module &module,
                                 BehaviourLookup behaviour, exec::BuiltinContext builtins)
    : io(io), clock(clock), module(module), behaviour(std::move(behaviour)), builtins(std::move(builtins)) {}

void SimToolExecutor::run(const rt::Task &task, rt::Job &, ExecCallback done) {
  behave::JobBehaviour &jb = behaviour(task.job);
  const ir::ToolDef &tool = *task.tool;
  ExecResult r;
  r.endpoint = "sim";
  double delay = 0;
  unsigned attempts = std::max(1u, tool.policy.attempts);
  bool ok = false;
  for (unsigned a = 1; a <= attempts; ++a) {
    r.attempts = a;
    delay += jb.toolLatency(task.nodeId, task.instance, a);
    if (!jb.toolFails(task.nodeId, task.instance, a)) {
      ok = true;
      break;
    }
    if (a < attempts)
      delay += task.node->policy.backoffSeconds * std::pow(2.0, a - 1);
  }
  if (ok && tool.impl == ir::ToolDef::Impl::Builtin && exec::isSyncBuiltin(tool.builtin)) {
    auto v = exec::callBuiltin(tool.builtin, task.args, builtins);
    if (v)
      r.outcome.value = std::move(*v);
    else {
      r.outcome.ok = false;
      r.outcome.error = llvm::toString(v.takeError());
    }
  } else if (ok) {
    r.outcome.value = jb.synthesize(task.node->resultType, task.nodeId, task.instance, 12);
  } else {
    r.outcome.ok = false;
    r.outcome.error = "tool '" + tool.name + "' failed (simulated) after " + std::to_string(attempts) + " attempt(s)";
  }
  auto timer = std::make_shared<boost::asio::steady_timer>(io);
  timer->expires_after(realDuration(clock.realDelay(delay)));
  timer->async_wait([timer, done = std::move(done), r = std::move(r)](const boost::system::error_code &) mutable {
    done(std::move(r));
  });
}

} // namespace llmflow::engine
