#include "serve/job_service.h"

#include "core/job.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <boost/asio/post.hpp>

namespace llmflow::serve {

JobService::JobService(boost::asio::io_context &io, engine::Engine &engine, JobBoard &board,
                       std::vector<ServedApp> apps, Submit submit, ServiceOptions options)
    : io(io), engine(engine), board(board), apps(std::move(apps)), submit(std::move(submit)),
      options(std::move(options)), drainTimer(io) {
  board.onEnded = [this](const BoardJob &j) {
    metrics.jobEnded(j);
    auto waiting = cancels.find(j.id);
    if (waiting == cancels.end())
      return;
    for (std::shared_ptr<Exchange> &x : waiting->second)
      x->reply(jsonResponse(200, toJSON(j)));
    cancels.erase(waiting);
  };
}

JobService::~JobService() = default;

const ServedApp *JobService::findApp(llvm::StringRef name) const {
  for (const ServedApp &a : apps)
    if (a.app->name == name)
      return &a;
  return nullptr;
}

/// Compares in time independent of where the strings differ (a token must
/// not be guessable byte by byte from response times).
static bool sameSecret(llvm::StringRef a, llvm::StringRef b) {
  unsigned char diff = a.size() != b.size();
  for (size_t i = 0, n = std::max(a.size(), b.size()); i < n; ++i)
    diff |= (unsigned char)(i < a.size() ? a[i] : 0) ^ (unsigned char)(i < b.size() ? b[i] : 0);
  return diff == 0;
}

bool JobService::authorized(const Request &req, Response &error) const {
  if (options.token.empty())
    return true;
  llvm::StringRef auth(req.authorization);
  if (auth.empty()) {
    error = jsonError(401, "missing bearer token (Authorization: Bearer TOKEN)");
  } else if (!auth.startswith_insensitive("bearer ")) {
    error = jsonError(401, "the Authorization header must be 'Bearer TOKEN'");
  } else if (!sameSecret(auth.drop_front(7).trim(), options.token)) {
    error = jsonError(401, "wrong bearer token");
  } else {
    return true;
  }
  error.headers.push_back({"WWW-Authenticate", "Bearer"});
  return false;
}

std::optional<llvm::json::Object> JobService::body(const Request &req, Response &error) const {
  if (req.contentType != "application/json") {
    error = jsonError(415, "the request body must be JSON (Content-Type: application/json)");
    return std::nullopt;
  }
  auto v = parseJSON(req.body, options.json);
  if (!v) {
    error = jsonError(400, "the request body is not valid JSON: " + llvm::toString(v.takeError()));
    return std::nullopt;
  }
  if (!v->getAsObject()) {
    error = jsonError(400, "the request body must be a JSON object");
    return std::nullopt;
  }
  return std::move(*v->getAsObject());
}

Response JobService::postJob(const Request &req) {
  if (draining)
    return jsonError(503, "the service is stopping: not admitting jobs");
  Response error;
  std::optional<llvm::json::Object> b = body(req, error);
  if (!b)
    return error;
  auto appName = b->getString("app");
  if (!appName)
    return jsonError(400, "field 'app' (a string, the application's name) is required");
  const ServedApp *app = findApp(*appName);
  if (!app)
    return jsonError(404, "unknown app '" + appName->str() + "' (GET /v1/models lists them)");
  llvm::json::Object inputs;
  if (const llvm::json::Value *in = b->get("inputs")) {
    if (!in->getAsObject())
      return jsonError(400, "field 'inputs' must be a JSON object of the app's inputs");
    inputs = *in->getAsObject();
  }
  std::string key;
  if (const llvm::json::Value *k = b->get("idempotency_key")) {
    if (!k->getAsString() || k->getAsString()->empty() || k->getAsString()->size() > 256)
      return jsonError(400, "field 'idempotency_key' must be a non-empty string of at most 256 bytes");
    key = k->getAsString()->str();
    if (BoardJob *seen = board.findKey(key)) {
      if (seen->app != app->app->name)
        return jsonError(409, "idempotency key '" + key + "' was used for another app");
      return jsonResponse(200, llvm::json::Object{{"id", int64_t(seen->id)}, {"status", toString(seen->status)}});
    }
  }
  for (const auto &kv : *b)
    if (kv.first != "app" && kv.first != "inputs" && kv.first != "idempotency_key")
      return jsonError(400, "unknown field '" + kv.first.str() + "' (fields: app, inputs, idempotency_key)");
  rt::JobId id = 0;
  JobStatus status = JobStatus::Queued;
  if (shared) {
    // Into the shared queue; whichever process has room runs it.
    if (llvm::Error e = rt::checkInputs(*app->module, *app->app, inputs))
      return jsonError(422, llvm::toString(std::move(e)));
    auto q = shared->admit(app->app->name, inputs, key, /*runHere=*/false);
    if (!q)
      return jsonError(503, "the journal failed: " + llvm::toString(q.takeError()));
    if (q->existed) {
      if (q->app != app->app->name)
        return jsonError(409, "idempotency key '" + key + "' was used for another app");
      std::optional<BoardJob> elsewhere;
      BoardJob *seen = findJob(q->job, elsewhere, error);
      if (!seen)
        return error;
      return jsonResponse(200, llvm::json::Object{{"id", int64_t(seen->id)}, {"status", toString(seen->status)}});
    }
    id = q->job;
  } else {
    BoardJob *j = admit(*app, std::move(inputs), key, error);
    if (!j)
      return error;
    id = j->id;
    status = j->status;
  }
  Response r = jsonResponse(201, llvm::json::Object{{"id", int64_t(id)}, {"status", toString(status)}});
  r.headers.push_back({"Location", llvm::formatv("/v1/jobs/{0}", id).str()});
  return r;
}

BoardJob *JobService::findJob(rt::JobId id, std::optional<BoardJob> &elsewhere, Response &error) {
  if (BoardJob *j = board.find(id))
    return j;
  if (shared) {
    auto v = shared->lookup(id);
    if (!v) {
      error = jsonError(503, "the journal failed: " + llvm::toString(v.takeError()));
      return nullptr;
    }
    if (*v) {
      elsewhere = std::move(**v);
      return &*elsewhere;
    }
  }
  error = jsonError(404, llvm::formatv("no job {0} (unknown, or ended long ago and forgotten)", id).str());
  return nullptr;
}

BoardJob *JobService::admit(const ServedApp &app, llvm::json::Object inputs, const std::string &key,
                            Response &error) {
  if (llvm::Error e = rt::checkInputs(*app.module, *app.app, inputs)) {
    error = jsonError(422, llvm::toString(std::move(e)));
    return nullptr;
  }
  if (shared) { // run here: the caller waits for its end on this board
    if (shared->full()) {
      // OpenAI's clients retry a 503 (after Retry-After), here or, through
      // a load balancer, on another process.
      error = jsonError(503, "this process is at its --max-claimed limit (" + std::to_string(shared->running()) +
                                 " jobs running here): retry later or on another process, or use POST /v1/jobs "
                                 "(queued for any process)");
      error.headers.push_back({"Retry-After", "1"});
      return nullptr;
    }
    auto q = shared->admit(app.app->name, inputs, key, /*runHere=*/true);
    if (!q) {
      error = jsonError(503, "the journal failed: " + llvm::toString(q.takeError()));
      return nullptr;
    }
    return board.find(q->job);
  }
  rt::JobId id = submit(*app.app, std::move(inputs), key);
  return &board.admitted(id, app.app->name, key);
}

void JobService::acknowledge(std::shared_ptr<Exchange> x, Response r) {
  acks.emplace_back(std::move(x), std::move(r));
  if (acks.size() > 1)
    return; // the commit is on its way
  // Group commit: the admissions read in this turn of the loop become
  // durable together, then each is acknowledged.
  boost::asio::post(io, [this] {
    engine.afterCommit([this, group = std::exchange(acks, {})](bool ok) mutable {
      for (auto &[x, r] : group)
        x->reply(ok ? std::move(r) : jsonError(503, "the journal failed: " + engine.journalError()));
    });
  });
}

void JobService::jobAction(const Request &req, BoardJob &j, std::shared_ptr<Exchange> x) {
  if (req.method == "GET")
    return x->reply(jsonResponse(200, toJSON(j)));
  if (j.ended())
    return x->reply(
        jsonError(409, llvm::formatv("job {0} has already ended ({1})", j.id, toString(j.status)).str()));
  if (draining || !engine.cancel(j.id, "cancelled by the client (DELETE /v1/jobs/ID)"))
    return x->reply(jsonError(503, "the service is stopping: the job will be resumed on the next start"));
  if (j.ended())
    return x->reply(jsonResponse(200, toJSON(j)));
  cancels[j.id].push_back(std::move(x));
}

Response JobService::heldElsewhere(const BoardJob &j) const {
  if (j.heldBy.empty()) // being claimed this moment
    return jsonError(409, llvm::formatv("job {0} is being claimed by a process sharing the queue: retry", j.id).str());
  return jsonError(409, llvm::formatv("job {0} is running on process {1}, which shares the queue: its events and "
                                      "DELETE are there (ask {1}, or wait for its end; GET works here)",
                                      j.id, j.heldBy)
                            .str());
}

Response JobService::cancelElsewhere(const BoardJob &j) {
  if (!j.heldBy.empty())
    return heldElsewhere(j);
  auto c = shared->cancel(j.id, "cancelled by the client (DELETE /v1/jobs/ID) while it waited in the shared queue");
  if (!c)
    return jsonError(503, "the journal failed: " + llvm::toString(c.takeError()));
  if (!c->job) // the database forgot it meanwhile: only by hand
    return jsonError(404, llvm::formatv("no job {0}", j.id).str());
  if (c->now)
    return jsonResponse(200, toJSON(*c->job));
  if (c->job->ended())
    return jsonError(409, llvm::formatv("job {0} has already ended ({1})", j.id, toString(c->job->status)).str());
  return heldElsewhere(*c->job); // claimed meanwhile
}

/// The route a path belongs to, for the metrics (ids folded).
static std::string routeOf(llvm::StringRef path) {
  for (llvm::StringRef fixed : {"/healthz", "/metrics", "/v1/jobs", "/v1/models", "/v1/chat/completions"})
    if (path == fixed)
      return fixed.str();
  if (path.startswith("/v1/jobs/"))
    return path.endswith("/events") ? "/v1/jobs/ID/events" : "/v1/jobs/ID";
  return "other";
}

void JobService::handle(const Request &req, std::shared_ptr<Exchange> x) {
  route(req, metrics.track(routeOf(req.path), std::move(x)));
}

void JobService::route(const Request &req, std::shared_ptr<Exchange> x) {
  llvm::StringRef path(req.path);
  auto methodNotAllowed = [&](llvm::StringRef allow) {
    Response r = jsonError(405, "method " + req.method + " is not allowed on " + req.path + " (allowed: " +
                                    allow.str() + ")");
    r.headers.push_back({"Allow", allow.str()});
    x->reply(std::move(r));
  };
  if (path == "/healthz") {
    if (req.method != "GET")
      return methodNotAllowed("GET");
    x->reply(jsonResponse(draining ? 503 : 200, llvm::json::Object{{"status", draining ? "stopping" : "ok"}}));
    return;
  }
  Response error;
  if (!authorized(req, error))
    return x->reply(std::move(error));
  if (path == "/metrics") {
    if (req.method != "GET")
      return methodNotAllowed("GET");
    Response r;
    r.contentType = "text/plain; version=0.0.4";
    std::optional<QueueCounts> queue;
    if (shared)
      queue = shared->counts();
    r.body = metrics.text(board, engine, queue ? &*queue : nullptr);
    return x->reply(std::move(r));
  }
  if (path == "/v1/models") {
    if (req.method != "GET")
      return methodNotAllowed("GET");
    return x->reply(models());
  }
  if (path == "/v1/chat/completions") {
    if (req.method != "POST")
      return methodNotAllowed("POST");
    return chatCompletions(req, std::move(x));
  }
  if (path == "/v1/jobs") {
    if (req.method != "POST")
      return methodNotAllowed("POST");
    Response r = postJob(req);
    if (r.status >= 300)
      return x->reply(std::move(r));
    return acknowledge(std::move(x), std::move(r)); // once the admission is durable
  }
  if (path.consume_front("/v1/jobs/")) {
    bool events = path.consume_back("/events");
    rt::JobId id = 0;
    if (path.empty() || !llvm::all_of(path, llvm::isDigit) || path.getAsInteger(10, id))
      return x->reply(jsonError(404, "no route " + req.path));
    if (events ? req.method != "GET" : req.method != "GET" && req.method != "DELETE")
      return methodNotAllowed(events ? "GET" : "GET, DELETE");
    std::optional<BoardJob> elsewhere;
    BoardJob *j = findJob(id, elsewhere, error);
    if (!j)
      return x->reply(std::move(error));
    if (elsewhere && !elsewhere->ended()) {
      if (!events && req.method == "DELETE")
        return x->reply(cancelElsewhere(*elsewhere));
      if (events)
        return x->reply(heldElsewhere(*elsewhere));
    }
    if (events)
      return board.listen(*j, std::move(x));
    return jobAction(req, *j, std::move(x));
  }
  x->reply(jsonError(404, "no route " + req.path));
}

void JobService::stop(double grace) {
  if (draining) { // the second signal
    engine.interrupt("the service was stopped", /*force=*/true);
    return;
  }
  draining = true;
  if (shared)
    shared->pause();
  engine.hold();
  drainDeadline = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(grace));
  pollDrain();
}

void JobService::pollDrain() {
  if (engine.tasksInFlight() == 0 || std::chrono::steady_clock::now() >= drainDeadline) {
    // Running stages that did not finish in time are cancelled and run again
    // on the next start; the jobs stay unfinished in the journal.
    engine.interrupt("the service stopped", /*force=*/false);
    return;
  }
  drainTimer.expires_after(std::chrono::milliseconds(10));
  drainTimer.async_wait([this](const boost::system::error_code &ec) {
    if (!ec)
      pollDrain();
  });
}

} // namespace llmflow::serve
