// The embedded simulated backend: LLM endpoints modelled with continuous
// batching (serving/batching.h) and tools with behaviour-model latencies,
// both producing synthetic values of the declared types. Pure builtins
// (json, text) really run, so data-dependent structure such as a document's
// chunk count stays real. Timers run on the engine's (scaled) clock.
#pragma once

#include "behave/behaviour.h"
#include "engine/executor.h"
#include "engine/sim_model.h"
#include "exec/builtins.h"
#include "serving/batching.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <memory>

namespace llmflow::engine {

using BehaviourLookup = std::function<behave::JobDraw &(rt::JobId)>;

struct SimEndpoint {
  std::string name;
  serving::ServingParams params;
  unsigned maxInFlight = 64;
};

class SimLLMExecutor : public TaskExecutor {
public:
  SimLLMExecutor(boost::asio::io_context &io, const EngineClock &clock, std::vector<const SimTaskModel *> models,
                 BehaviourLookup behaviour, std::vector<SimEndpoint> endpoints);
  ~SimLLMExecutor() override;
  void run(const rt::Task &task, rt::Job &job, ExecCallback done) override;
  /// Answers at once; the simulated server finishes the request unobserved.
  void cancel(rt::JobId job, rt::TaskId task) override;
  std::string name() const override { return "sim-llm"; }
  unsigned capacity() const;

private:
  struct Pending {
    ExecCallback done;
    ExecResult result;
    rt::JobId job = 0;
    rt::TaskId task = 0;
  };
  struct Server {
    SimEndpoint spec;
    serving::BatchingServer model;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };
  void arm(Server &s);
  void fire(Server &s);
  void complete(const std::vector<serving::BatchingServer::Done> &done);

  boost::asio::io_context &io;
  const EngineClock &clock;
  std::vector<const SimTaskModel *> models; // one per program, found by the job's
  BehaviourLookup behaviour;
  std::vector<std::unique_ptr<Server>> servers;
  std::map<uint64_t, Pending> pending;
  uint64_t nextId = 1;
};

class SimToolExecutor : public TaskExecutor {
public:
  SimToolExecutor(boost::asio::io_context &io, const EngineClock &clock, std::vector<const SimTaskModel *> models,
                  BehaviourLookup behaviour);
  void run(const rt::Task &task, rt::Job &job, ExecCallback done) override;
  void cancel(rt::JobId job, rt::TaskId task) override;
  std::string name() const override { return "sim-tools"; }

private:
  boost::asio::io_context &io;
  const EngineClock &clock;
  std::vector<const SimTaskModel *> models; // one per program, found by the job's
  BehaviourLookup behaviour;
  std::map<std::pair<rt::JobId, rt::TaskId>, std::shared_ptr<boost::asio::steady_timer>> timers;
};

} // namespace llmflow::engine
