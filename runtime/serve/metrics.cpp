#include "serve/metrics.h"

#include "llvm/Support/FormatVariadic.h"

#include <cstdio>

namespace llmflow::serve {

// Seconds: from a simulated second to ten minutes of a real compound job.
const std::vector<double> Metrics::kBounds = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};

namespace {
/// A sample value or bound as Prometheus writes it (no fixed precision).
std::string num(double v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

class Tracked : public Exchange {
public:
  Tracked(std::shared_ptr<Exchange> inner, std::shared_ptr<Metrics::Route> route)
      : inner(std::move(inner)), route(std::move(route)) {
    ++this->route->requests;
    ++this->route->inFlight;
  }
  ~Tracked() override { done(0); } // dropped unanswered (the client left)
  void reply(Response r) override {
    done(r.status);
    inner->reply(std::move(r));
  }
  void openStream() override {
    done(200);
    inner->openStream();
  }
  void send(std::string frame) override { inner->send(std::move(frame)); }
  void end() override { inner->end(); }
  bool gone() const override { return inner->gone(); }

private:
  void done(unsigned status) {
    if (answered)
      return;
    answered = true;
    --route->inFlight;
    route->errors += status >= 400;
  }
  std::shared_ptr<Exchange> inner;
  std::shared_ptr<Metrics::Route> route;
  bool answered = false;
};
} // namespace

std::shared_ptr<Exchange> Metrics::track(const std::string &route, std::shared_ptr<Exchange> x) {
  std::shared_ptr<Route> &r = routes[route];
  if (!r)
    r = std::make_shared<Route>();
  return std::make_shared<Tracked>(std::move(x), r);
}

void Metrics::jobEnded(const BoardJob &j) {
  tokensIn += j.tokensIn;
  tokensOut += j.tokensOut;
  if (j.arrival < 0 || j.finish < 0 || j.fromJournal)
    return;
  double jct = j.finish - j.arrival;
  ++jctCount;
  jctSum += jct;
  for (size_t i = 0; i < kBounds.size(); ++i)
    if (jct <= kBounds[i])
      ++jctBuckets[i];
}

std::string Metrics::text(const JobBoard &board, const engine::Engine &engine, const QueueCounts *queue) const {
  std::string s;
  auto add = [&](llvm::StringRef name, llvm::StringRef type, llvm::StringRef help) {
    s += llvm::formatv("# HELP {0} {1}\n# TYPE {0} {2}\n", name, help, type).str();
  };
  add("llmflow_jobs", "gauge", "Jobs the service knows of, by state (ended jobs until they are forgotten).");
  for (JobStatus st : {JobStatus::Queued, JobStatus::Running, JobStatus::Succeeded, JobStatus::Failed,
                       JobStatus::Cancelled})
    s += llvm::formatv("llmflow_jobs{{state=\"{0}\"} {1}\n", toString(st), board.count(st)).str();
  add("llmflow_queue_length", "gauge", "Jobs admitted whose first stage has not started.");
  s += llvm::formatv("llmflow_queue_length {0}\n", board.count(JobStatus::Queued)).str();
  add("llmflow_tasks_in_flight", "gauge", "Stages running now (model requests and tool processes).");
  s += llvm::formatv("llmflow_tasks_in_flight {0}\n", engine.tasksInFlight()).str();
  add("llmflow_job_completion_seconds", "histogram",
      "Job completion time (arrival to end, engine seconds) of the jobs ended in this process.");
  for (size_t i = 0; i < kBounds.size(); ++i)
    s += llvm::formatv("llmflow_job_completion_seconds_bucket{{le=\"{0}\"} {1}\n", num(kBounds[i]), jctBuckets[i]).str();
  s += llvm::formatv("llmflow_job_completion_seconds_bucket{{le=\"+Inf\"} {0}\n", jctCount).str();
  s += llvm::formatv("llmflow_job_completion_seconds_sum {0}\nllmflow_job_completion_seconds_count {1}\n", num(jctSum),
                     jctCount)
           .str();
  add("llmflow_tokens_total", "counter", "Model tokens of the jobs ended in this process, by direction.");
  s += llvm::formatv("llmflow_tokens_total{{direction=\"in\"} {0}\nllmflow_tokens_total{{direction=\"out\"} {1}\n",
                     tokensIn, tokensOut)
           .str();
  add("llmflow_scheduler_decisions_total", "counter", "Scheduling rounds.");
  s += llvm::formatv("llmflow_scheduler_decisions_total {0}\n", engine.decisions()).str();
  add("llmflow_scheduler_decision_seconds_total", "counter", "Time spent deciding placements.");
  s += llvm::formatv("llmflow_scheduler_decision_seconds_total {0}\n", num(engine.decisionSeconds())).str();
  add("llmflow_http_requests_in_flight", "gauge", "HTTP requests not yet answered, by route.");
  for (const auto &[route, r] : routes)
    s += llvm::formatv("llmflow_http_requests_in_flight{{route=\"{0}\"} {1}\n", route, r->inFlight).str();
  add("llmflow_http_requests_total", "counter", "HTTP requests, by route.");
  for (const auto &[route, r] : routes)
    s += llvm::formatv("llmflow_http_requests_total{{route=\"{0}\"} {1}\n", route, r->requests).str();
  add("llmflow_http_errors_total", "counter", "HTTP requests answered with a status of 400 or more, by route.");
  for (const auto &[route, r] : routes)
    s += llvm::formatv("llmflow_http_errors_total{{route=\"{0}\"} {1}\n", route, r->errors).str();
  if (!queue)
    return s;
  auto sample = [&](llvm::StringRef name, llvm::StringRef type, llvm::StringRef help, uint64_t value) {
    add(name, type, help);
    s += llvm::formatv("{0} {1}\n", name, value).str();
  };
  sample("llmflow_queue_claims_total", "counter",
         "Jobs this process claimed from the shared queue (chat-completion jobs run here included).", queue->claims);
  sample("llmflow_queue_takeovers_total", "counter",
         "Of the jobs claimed, those claimed before: taken over from another process (or given back).",
         queue->takeovers);
  sample("llmflow_queue_leases_lost_total", "counter",
         "Renewals that found a job this process runs taken over by another process.", queue->leasesLost);
  sample("llmflow_queue_errors_total", "counter", "Failed database calls of the shared queue.", queue->errors);
  sample("llmflow_queue_claimed", "gauge", "Jobs this process holds now (at most --max-claimed).", queue->claimed);
  return s;
}

} // namespace llmflow::serve
