// A real engine over the simulated backend's executors on a fast clock,
// running the react example under FCFS: the fixture of the engine's own
// tests (a service's calls, the journal protocol).
#pragma once

#include "sim_helpers.h"

#include "engine/engine.h"
#include "engine/sim_executors.h"

#include <boost/asio/io_context.hpp>

namespace llmflow::simtest {

struct EngineRig {
  explicit EngineRig(engine::EngineConfig config = engine::EngineConfig{8, 8})
      : eng(io, clock, {&*ex.module}, *fcfs, llm, tools, sink, config) {}
  const LoadedExample &ex = example("react");
  boost::asio::io_context io;
  engine::EngineClock clock{1000};
  std::vector<std::unique_ptr<behave::JobBehaviour>> behaviours;
  engine::BehaviourLookup lookup = [this](rt::JobId id) -> behave::JobBehaviour & { return *behaviours.at(id - 1); };
  engine::SimLLMExecutor llm{io, clock, {ex.model.get()}, lookup, {{"sim-0", serving::ServingParams::h100(), 8}}};
  engine::SimToolExecutor tools{io, clock, {ex.model.get()}, lookup};
  engine::MemorySink sink;
  std::unique_ptr<sched::Scheduler> fcfs = sched::makeScheduler("fcfs", sched::SchedulerContext{});
  engine::Engine eng;

  /// Submits a job on the example's `input`-th inputs, arriving `delay` engine seconds from now.
  rt::JobId submit(double delay = 0, size_t input = 0) {
    behaviours.push_back(std::make_unique<behave::JobBehaviour>(*ex.behaviour, *ex.module, 3, behaviours.size() + 1));
    return eng.submit(*ex.module, *ex.app, ex.inputs[input % ex.inputs.size()], delay, behaviours.back().get());
  }
};

} // namespace llmflow::simtest
