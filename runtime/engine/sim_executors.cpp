#include "engine/sim_executors.h"

#include "engine/chat_request.h"

#include <boost/asio/post.hpp>

#include <cmath>

namespace llmflow::engine {

namespace {
std::chrono::steady_clock::duration realDuration(double seconds) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(std::max(0.0, seconds)));
}
} // namespace

SimLLMExecutor::SimLLMExecutor(boost::asio::io_context &io, const EngineClock &clock,
                               std::vector<const SimTaskModel *> models, BehaviourLookup behaviour,
                               std::vector<SimEndpoint> endpoints)
    : io(io), clock(clock), models(std::move(models)), behaviour(std::move(behaviour)) {
  for (SimEndpoint &e : endpoints) {
    auto s = std::make_unique<Server>();
    s->model = serving::BatchingServer(e.params);
    s->spec = std::move(e);
    s->timer = std::make_unique<boost::asio::steady_timer>(io);
    servers.push_back(std::move(s));
  }
}

SimLLMExecutor::~SimLLMExecutor() = default;

unsigned SimLLMExecutor::capacity() const {
  unsigned c = 0;
  for (const auto &s : servers)
    c += s->spec.maxInFlight;
  return c;
}

void SimLLMExecutor::run(const rt::Task &task, rt::Job &job, ExecCallback done) {
  SimLLMDraw d = SimTaskModel::of(models, job).llm(task, behaviour(task.job));
  ExecResult r;
  r.outcome = std::move(d.outcome);
  if (recordContent) // what a real server would have been asked; the reply is synthetic
    r.transcript = Transcript{requestJSON(chatRequest(task)), rt::renderValue(r.outcome.value), ""};
  r.tokensIn = d.tokensIn;
  r.tokensOut = d.tokensOut;
  unsigned in = d.tokensIn, out = d.tokensOut;
  // Least-loaded endpoint (by running requests relative to capacity).
  Server *best = servers.front().get();
  for (auto &s : servers)
    if (double(s->model.running()) / s->spec.maxInFlight < double(best->model.running()) / best->spec.maxInFlight)
      best = s.get();
  r.endpoint = best->spec.name;
  uint64_t id = nextId++;
  pending[id] = Pending{std::move(done), std::move(r), task.job, task.id};
  complete(best->model.add(id, clock.now(), in, out));
  arm(*best);
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

void SimLLMExecutor::cancel(rt::JobId job, rt::TaskId task) {
  for (auto it = pending.begin(); it != pending.end(); ++it)
    if (it->second.job == job && it->second.task == task) {
      ExecResult r;
      r.outcome.ok = false;
      r.outcome.error = "cancelled";
      r.endpoint = it->second.result.endpoint;
      boost::asio::post(io, [done = std::move(it->second.done), r = std::move(r)]() mutable { done(std::move(r)); });
      pending.erase(it);
      return;
    }
}

void SimLLMExecutor::fire(Server &s) {
  complete(s.model.advance(clock.now()));
  arm(s);
}

SimToolExecutor::SimToolExecutor(boost::asio::io_context &io, const EngineClock &clock,
                                 std::vector<const SimTaskModel *> models, BehaviourLookup behaviour)
    : io(io), clock(clock), models(std::move(models)), behaviour(std::move(behaviour)) {}

void SimToolExecutor::run(const rt::Task &task, rt::Job &job, ExecCallback done) {
  SimToolDraw d = SimTaskModel::of(models, job).tool(task, behaviour(task.job));
  if (recordContent)
    d.result.transcript = Transcript{llvm::json::Object{{"tool", task.tool->name}, {"args", llvm::json::Object(task.args)}},
                                     d.result.outcome.ok ? rt::renderValue(d.result.outcome.value) : "", ""};
  auto timer = std::make_shared<boost::asio::steady_timer>(io);
  timer->expires_after(realDuration(clock.realDelay(d.seconds)));
  auto key = std::make_pair(task.job, task.id);
  timers[key] = timer;
  timer->async_wait([this, key, timer, done = std::move(done),
                     r = std::move(d.result)](const boost::system::error_code &ec) mutable {
    timers.erase(key);
    if (ec) {
      r.outcome.ok = false;
      r.outcome.error = "cancelled";
    }
    done(std::move(r));
  });
}

void SimToolExecutor::cancel(rt::JobId job, rt::TaskId task) {
  if (auto it = timers.find({job, task}); it != timers.end())
    it->second->cancel();
}

} // namespace llmflow::engine
