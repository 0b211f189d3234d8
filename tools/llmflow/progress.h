// The progress display of `batch`: on a terminal, one status line redrawn
// every quarter second (jobs done and failed of the total, tasks in flight,
// elapsed time and an estimate of the time left); elsewhere a plain line at
// every tenth of the jobs. Failed jobs are reported as they fail. It runs on
// the engine's event loop and stops re-arming its timer when nothing is
// running or due, so a stalled run still ends (the engine reports it).
#pragma once

#include "engine/engine.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

namespace llmflow::cli {

class Progress {
public:
  Progress(boost::asio::io_context &io, const engine::Engine &eng, unsigned jobs, bool tty);
  /// Starts the redraw timer (terminal only).
  void start();
  /// Call from Engine::onJobDone.
  void jobDone(const engine::JobRecord &r);
  /// The status line (exposed for tests of its format).
  std::string line() const;

private:
  void arm();
  void draw();

  boost::asio::steady_timer timer;
  const engine::Engine &eng;
  unsigned jobs, finished = 0, failed = 0;
  bool tty, armed = false;
  std::chrono::steady_clock::time_point began = std::chrono::steady_clock::now();
};

} // namespace llmflow::cli
