// The service's metrics in the Prometheus text exposition format (GET
// /metrics): jobs by state, queue length, job completion times (a
// histogram), tokens, scheduler decision time, and per HTTP route the
// requests in flight and the errors answered; with a shared queue, its
// claims, takeovers, lost leases and errors. Counters live as long as the
// process (a restart starts them at zero, as Prometheus expects). Not for:
// the event log or traces (engine/events.h, engine/trace.h).
#pragma once

#include "engine/engine.h"
#include "serve/http_server.h"
#include "serve/job_board.h"
#include "serve/shared_queue.h"

#include <map>
#include <memory>
#include <string>

namespace llmflow::serve {

class Metrics {
public:
  /// Wraps the exchange of a request to `route` so that its answer is
  /// counted (in flight until answered; an error when the status is >= 400).
  std::shared_ptr<Exchange> track(const std::string &route, std::shared_ptr<Exchange> x);
  void jobEnded(const BoardJob &j);
  /// The exposition; `queue`'s lines only with a shared queue (null: none).
  std::string text(const JobBoard &board, const engine::Engine &engine, const QueueCounts *queue) const;

  struct Route {
    int64_t inFlight = 0;
    uint64_t requests = 0, errors = 0;
  };

private:
  std::map<std::string, std::shared_ptr<Route>> routes; // shared: an answer may outlive the service
  std::vector<uint64_t> jctBuckets = std::vector<uint64_t>(kBounds.size(), 0);
  uint64_t jctCount = 0;
  double jctSum = 0;
  uint64_t tokensIn = 0, tokensOut = 0;
  static const std::vector<double> kBounds;
};

} // namespace llmflow::serve
