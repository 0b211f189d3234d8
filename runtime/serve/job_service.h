// The service that runs applications over HTTP (`llmflow serve`): the job
// API (POST/GET/DELETE /v1/jobs, /v1/jobs/ID/events), an OpenAI-compatible
// facade (openai_facade.cpp), /metrics, /healthz, and the routing, bearer-token check and request checking in front of them. It
// admits jobs into a running engine on the engine's own loop, each admission
// journaled and committed before it is acknowledged, and stops gracefully
// (stop admitting, let running stages finish within a grace period, then
// stop the engine; unfinished jobs are the journal's to resume). Request
// bodies are JSON read with the bounded reader (size and depth limits).
// Not for: HTTP framing (http_server.h), job bookkeeping (job_board.h),
// loading programs or building the engine (the CLI's serve command).
#pragma once

#include "engine/engine.h"
#include "serve/http_server.h"
#include "serve/job_board.h"
#include "serve/metrics.h"
#include "serve/shared_queue.h"

#include "common/json_reader.h"

#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace llmflow::serve {

struct ServedApp {
  const ir::Module *module = nullptr;
  const ir::App *app = nullptr;
};

struct ServiceOptions {
  /// "" = no authentication. Otherwise every route but /healthz needs
  /// "Authorization: Bearer TOKEN".
  std::string token;
  JSONLimits json;
};

class JobService {
public:
  /// Admits a job into the engine: the app, its checked inputs, the
  /// caller's idempotency key. The caller builds the job (backend state).
  using Submit = std::function<rt::JobId(const ir::App &, llvm::json::Object, const std::string &)>;

  JobService(boost::asio::io_context &io, engine::Engine &engine, JobBoard &board, std::vector<ServedApp> apps,
             Submit submit, ServiceOptions options);
  ~JobService();
  void handle(const Request &req, std::shared_ptr<Exchange> x);

  /// Stops admitting (503), lets running stages finish for up to `grace`
  /// seconds, then interrupts the engine (run() then returns). A second call
  /// stops at once.
  void stop(double grace);
  bool stopping() const { return draining; }
  /// Several processes on one database: jobs are admitted into the shared
  /// queue (which runs them here or elsewhere) and jobs this process does
  /// not run are read from it.
  void share(SharedQueue &queue) { shared = &queue; }

private:
  const ServedApp *findApp(llvm::StringRef name) const;
  Response postJob(const Request &req);
  /// Admits a job with checked inputs (journaled, not yet committed); null
  /// after setting `error`.
  BoardJob *admit(const ServedApp &app, llvm::json::Object inputs, const std::string &key, Response &error);
  /// The job as this process knows it, or (shared) as the database does:
  /// null after setting `error`.
  BoardJob *findJob(rt::JobId id, std::optional<BoardJob> &elsewhere, Response &error);
  /// Answers `r` once the journal has committed what was admitted so far.
  void acknowledge(std::shared_ptr<Exchange> x, Response r);
  // The OpenAI-compatible facade (openai_facade.cpp).
  void chatCompletions(const Request &req, std::shared_ptr<Exchange> x);
  Response models() const;
  void route(const Request &req, std::shared_ptr<Exchange> x);
  /// GET or DELETE of one job. A cancelled job is answered once its end is
  /// reported (journaled first), so a GET after the answer agrees with it.
  void jobAction(const Request &req, BoardJob &j, std::shared_ptr<Exchange> x);
  /// DELETE of a job this process does not run (shared queue): cancelled in
  /// the database if nobody holds it, else a 409 naming its holder.
  Response cancelElsewhere(const BoardJob &j);
  /// The 409 for a job another process runs, naming it.
  Response heldElsewhere(const BoardJob &j) const;
  /// Parses a JSON object body (content type, size, depth): the object, or
  /// the 4xx to answer.
  std::optional<llvm::json::Object> body(const Request &req, Response &error) const;
  bool authorized(const Request &req, Response &error) const;
  void pollDrain();

  boost::asio::io_context &io;
  engine::Engine &engine;
  JobBoard &board;
  std::vector<ServedApp> apps;
  Submit submit;
  ServiceOptions options;
  Metrics metrics;
  std::vector<std::pair<std::shared_ptr<Exchange>, Response>> acks; // waiting for the commit
  std::map<rt::JobId, std::vector<std::shared_ptr<Exchange>>> cancels; // DELETEs waiting for the job's end
  SharedQueue *shared = nullptr;
  bool draining = false;
  std::chrono::steady_clock::time_point drainDeadline;
  boost::asio::steady_timer drainTimer;
};

} // namespace llmflow::serve
