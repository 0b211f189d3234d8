// LLMClient: the request state machine. A request goes through the endpoints
// of its model's route; on each it waits for an admission slot, runs a
// ChatAttempt, and on failure backs off and retries (retryable kinds), moves
// to the next endpoint (retries exhausted, endpoint faults) or fails (request
// faults). See the failure policy in llm_client.h. With hedging, a running
// attempt without a first token after the endpoint's usual time gets a
// second attempt beside it; the first success wins.
#include "llm/admission.h"
#include "llm/backoff.h"
#include "llm/chat_attempt.h"
#include "llm/latency_window.h"
#include "llm/request_json.h"
#include "llm/routing.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cassert>
#include <cstdlib>
#include <unordered_map>

namespace llmflow::llm {

struct LLMClient::Impl : std::enable_shared_from_this<Impl> {
  struct EndpointState {
    Endpoint config;
    std::string url;
    AdmissionQueue admission;
    LatencyWindow firstToken = LatencyWindow(); // recent successful attempts
    unsigned hedgesOverLimit = 0;              // hedges running beyond max_in_flight
  };

  /// One running attempt: where it runs and whether its slot is a hedge's
  /// allowance over max_in_flight.
  struct Running {
    std::unique_ptr<ChatAttempt> attempt;
    uint64_t serial = 0; // 0: none (serials start at 1)
    size_t endpoint = 0;
    std::chrono::steady_clock::time_point startedAt;
    bool overLimit = false;
    std::string body; // what was sent (per endpoint: its model id, format, extras)
  };

  enum class Phase { Queued, Running, BackingOff };

  struct Request {
    uint64_t id = 0;
    ChatRequest req;
    Timeouts timeouts;
    RetryPolicy retry;
    ChatCallback done;
    std::vector<size_t> route; // endpoint indices
    size_t hop = 0;            // position in route
    unsigned triesHere = 0, malformedHere = 0, attempts = 0;
    Phase phase = Phase::Queued;
    Running primary;                    // while Running
    Running hedge;                      // a second attempt beside it, if any
    bool hedged = false;                // at most one hedge per request
    std::unique_ptr<boost::asio::steady_timer> backoffTimer, hedgeTimer;
    std::vector<std::string> history; // one line per endpoint tried
    std::string kindsHere;            // "server-error, timeout" on the current endpoint
    ErrorKind lastKind = ErrorKind::NoEndpoint;
    std::string lastMessage;
    std::optional<double> lastRetryAfter;
  };

  Impl(boost::asio::io_context &io, ClientConfig cfg)
      : io(io), config(std::move(cfg)), multi(io), backoff(config.seed) {
    for (const Endpoint &e : config.endpoints)
      endpoints.push_back(
          EndpointState{e, chatCompletionsUrl(e.baseUrl), AdmissionQueue(e.maxInFlight), LatencyWindow(), 0});
  }

  boost::asio::io_context &io;
  ClientConfig config;
  std::vector<EndpointState> endpoints;
  CurlMulti multi; // declared before requests: outlives attempts
  Backoff backoff;
  std::unordered_map<uint64_t, std::unique_ptr<Request>> requests;
  uint64_t nextId = 1, nextSerial = 1;

  const EndpointState *endpointNamed(llvm::StringRef name) const {
    for (const EndpointState &e : endpoints)
      if (e.config.name == name)
        return &e;
    return nullptr;
  }

  void post(ChatCallback done, llvm::Expected<ChatResult> result) {
    boost::asio::post(
        io, [done = std::move(done), r = std::move(result)]() mutable { done(std::move(r)); });
  }

  uint64_t submit(ChatRequest req, Timeouts timeouts, RetryPolicy retry, ChatCallback done) {
    uint64_t id = nextId++;
    llvm::Expected<std::vector<size_t>> route = resolveRoute(config, req.model);
    if (!route) {
      post(std::move(done), route.takeError());
      return id;
    }
    auto r = std::make_unique<Request>();
    r->id = id;
    r->req = std::move(req);
    r->timeouts = timeouts;
    r->retry = retry;
    if (r->retry.attempts == 0)
      r->retry.attempts = 1;
    r->done = std::move(done);
    r->route = std::move(*route);
    Request &ref = *r;
    requests.emplace(id, std::move(r));
    admit(ref);
    return id;
  }

  void admit(Request &r) {
    EndpointState &ep = endpoints[r.route[r.hop]];
    if (ep.admission.tryAcquire()) {
      launch(r);
    } else {
      r.phase = Phase::Queued;
      ep.admission.enqueue(r.id);
    }
  }

  /// Header lines for `ep`, or the reason the request cannot be sent there.
  llvm::Expected<std::vector<std::string>> headersFor(const Endpoint &ep) {
    std::vector<std::string> headers;
    if (!ep.apiKeyEnv.empty()) {
      const char *key = std::getenv(ep.apiKeyEnv.c_str());
      if (!key || !*key)
        return llvm::make_error<LLMError>(ErrorKind::Auth,
                                          "API key variable '" + ep.apiKeyEnv + "' is not set");
      headers.push_back(std::string("Authorization: Bearer ") + key);
    }
    for (const auto &[name, value] : ep.headers)
      headers.push_back(name + ": " + value);
    return headers;
  }

  /// Starts an attempt of `r` on endpoint `ep` (its slot already taken).
  Running start(Request &r, size_t ep, bool overLimit) {
    EndpointState &state = endpoints[ep];
    ++r.attempts;
    Running run;
    run.serial = nextSerial++;
    run.endpoint = ep;
    run.overLimit = overLimit;
    run.startedAt = std::chrono::steady_clock::now();
    std::weak_ptr<Impl> weak = weak_from_this();
    uint64_t id = r.id, serial = run.serial;
    auto onDone = [weak, id, serial](llvm::Expected<ChatResult> out) {
      if (auto self = weak.lock())
        self->onAttemptDone(id, serial, std::move(out));
      else
        llvm::consumeError(out.takeError());
    };
    llvm::Expected<std::vector<std::string>> headers = headersFor(state.config);
    if (!headers) {
      // Nothing was sent; report through the normal path (posted, like an attempt).
      boost::asio::post(io,
                        [onDone, err = headers.takeError()]() mutable { onDone(std::move(err)); });
      return run;
    }
    AttemptSpec spec;
    spec.url = state.url;
    run.body = buildRequestBody(r.req, bodyOptions(config, state.config, r.req.model));
    spec.body = run.body;
    spec.caBundle = state.config.caBundle;
    spec.headers = std::move(*headers);
    spec.stream = r.req.stream;
    spec.hasSchema = r.req.responseSchema.has_value();
    spec.timeouts = r.timeouts;
    spec.limits = config.limits;
    run.attempt = std::make_unique<ChatAttempt>(multi, std::move(spec), onDone);
    run.attempt->start();
    return run;
  }

  void launch(Request &r) {
    r.phase = Phase::Running;
    ++r.triesHere;
    r.primary = start(r, r.route[r.hop], false);
    armHedge(r);
  }

  /// Hedging: once per request, streaming only (the first token is what
  /// tells a slow attempt from a stuck one). The timer fires when the
  /// primary attempt has waited the endpoint's quantile; while the endpoint
  /// has too few samples, it looks again every second, so that requests
  /// started before the first answers are hedged too. `notBefore`: a later
  /// look (the endpoint had no room for a hedge).
  void armHedge(Request &r, std::optional<std::chrono::steady_clock::time_point> notBefore = std::nullopt) {
    const HedgePolicy &policy = config.hedging;
    if (!policy.enabled || r.hedged || !r.req.stream)
      return;
    using Clock = std::chrono::steady_clock;
    std::optional<double> after =
        endpoints[r.primary.endpoint].firstToken.quantile(policy.quantile, policy.minSamples);
    Clock::time_point due = notBefore ? *notBefore
                            : after   ? r.primary.startedAt + std::chrono::duration_cast<Clock::duration>(
                                                                std::chrono::duration<double>(*after))
                                      : Clock::now() + std::chrono::seconds(1);
    if (!r.hedgeTimer)
      r.hedgeTimer = std::make_unique<boost::asio::steady_timer>(io);
    r.hedgeTimer->expires_at(due);
    std::weak_ptr<Impl> weak = weak_from_this();
    uint64_t id = r.id, serial = r.primary.serial;
    r.hedgeTimer->async_wait([weak, id, serial](const boost::system::error_code &ec) {
      auto self = weak.lock();
      if (ec || !self)
        return;
      auto it = self->requests.find(id);
      if (it != self->requests.end())
        self->startHedge(*it->second, serial);
    });
  }

  void startHedge(Request &r, uint64_t primarySerial) {
    if (r.phase != Phase::Running || r.primary.serial != primarySerial || r.hedged || !r.primary.attempt ||
        r.primary.attempt->started())
      return;
    const HedgePolicy &policy = config.hedging;
    std::optional<double> after =
        endpoints[r.primary.endpoint].firstToken.quantile(policy.quantile, policy.minSamples);
    if (!after || std::chrono::steady_clock::now() - r.primary.startedAt < std::chrono::duration<double>(*after))
      return armHedge(r); // no samples yet, or the quantile grew: not due yet
    size_t ep = r.hop + 1 < r.route.size() ? r.route[r.hop + 1] : r.route[r.hop];
    EndpointState &state = endpoints[ep];
    bool overLimit = false;
    if (!state.admission.tryAcquire()) {
      unsigned allowance = std::max(1u, unsigned(state.admission.maxInFlight() * config.hedging.maxFraction));
      if (state.hedgesOverLimit >= allowance) // the endpoint is saturated with hedges: look again later
        return armHedge(r, std::chrono::steady_clock::now() + std::chrono::seconds(1));
      ++state.hedgesOverLimit;
      overLimit = true;
    }
    r.hedged = true;
    r.hedge = start(r, ep, overLimit);
  }

  /// Gives back the slot an attempt held (a waiter may inherit it and start).
  void release(Running &run) {
    run.attempt.reset(); // aborts a transfer still running; its callback never runs
    if (run.overLimit)
      --endpoints[run.endpoint].hedgesOverLimit;
    else
      releaseSlot(run.endpoint);
    run = Running();
  }

  /// Gives the slot of endpoint `ep` back; a waiter inherits it and starts.
  void releaseSlot(size_t ep) {
    if (std::optional<uint64_t> next = endpoints[ep].admission.release()) {
      auto it = requests.find(*next);
      assert(it != requests.end() && "queued request vanished");
      launch(*it->second);
    }
  }

  void onAttemptDone(uint64_t id, uint64_t serial, llvm::Expected<ChatResult> out) {
    auto it = requests.find(id);
    if (it == requests.end() || it->second->phase != Phase::Running ||
        (it->second->primary.serial != serial && it->second->hedge.serial != serial)) {
      llvm::consumeError(out.takeError());
      return;
    }
    Request &r = *it->second;
    // Whichever attempt ended, this is its Running; the other may go on.
    bool isHedge = r.hedge.serial == serial;
    Running &ended = isHedge ? r.hedge : r.primary;
    Running &other = isHedge ? r.primary : r.hedge;
    size_t ep = ended.endpoint;
    std::string sentBody = std::move(ended.body);
    release(ended); // safe: the attempt posted this call and is not on the stack
    if (out) {
      out->attempts = r.attempts;
      out->requestBody = std::move(sentBody);
      if (r.req.stream)
        endpoints[ep].firstToken.add(out->firstTokenSeconds);
      if (other.serial)
        release(other); // the slower twin is cancelled
      if (r.hedgeTimer)
        r.hedgeTimer->cancel();
      out->endpoint = endpoints[ep].config.name;
      finish(id, std::move(*out));
      return;
    }
    if (other.serial) {
      onTwinFailed(r, isHedge, ep, out.takeError());
      return;
    }
    ErrorKind kind = note(r, out.takeError());

    bool retryHere = isRetryable(kind) && r.triesHere < r.retry.attempts &&
                     !(kind == ErrorKind::Malformed && r.malformedHere > 1) &&
                     !(r.lastRetryAfter && *r.lastRetryAfter > r.retry.backoffMaxSeconds);
    if (retryHere) {
      double delay = backoff.delaySeconds(r.retry, r.triesHere, r.lastRetryAfter);
      scheduleRetry(r, delay);
      return;
    }
    closeEndpointHistory(r);
    bool mayFallBack = isRetryable(kind) || isEndpointFault(kind);
    if (mayFallBack && r.hop + 1 < r.route.size()) {
      ++r.hop;
      r.triesHere = r.malformedHere = 0;
      admit(r);
      return;
    }
    fail(id);
  }

  /// Records a failed attempt on the current endpoint (for the retry rules
  /// and the final message); returns its kind.
  ErrorKind note(Request &r, llvm::Error err) {
    ErrorKind kind = ErrorKind::Malformed;
    llvm::handleAllErrors(std::move(err), [&](const LLMError &e) {
      kind = e.kind;
      r.lastMessage = e.message;
      r.lastRetryAfter = e.retryAfterSeconds;
    });
    r.lastKind = kind;
    if (!r.kindsHere.empty())
      r.kindsHere += ", ";
    r.kindsHere += toString(kind).str();
    if (kind == ErrorKind::Malformed)
      ++r.malformedHere;
    return kind;
  }

  /// One of a request's two attempts failed on endpoint `ep`; the other goes
  /// on as the request's attempt. Every attempt stays in the request's
  /// history, so that its count and its final message agree.
  void onTwinFailed(Request &r, bool isHedge, size_t ep, llvm::Error err) {
    size_t here = r.route[r.hop];
    if (isHedge && ep != here) {
      // A hedge on the next endpoint: a history line of its own.
      std::string message;
      ErrorKind kind = ErrorKind::Malformed;
      llvm::handleAllErrors(std::move(err), [&](const LLMError &e) {
        kind = e.kind;
        message = e.message;
      });
      r.history.push_back(endpoints[ep].config.name + ": 1 hedged attempt (" + toString(kind).str() +
                          "), last: " + message);
      return;
    }
    note(r, std::move(err));
    if (isHedge) {
      ++r.triesHere; // a hedge on the same endpoint is one more try there
      return;
    }
    std::swap(r.primary, r.hedge);
    if (r.primary.endpoint == here) {
      ++r.triesHere;
      return;
    }
    // The hedge ran on the next endpoint: the request moves there, as a
    // fallback would, with the hedge as its first try.
    closeEndpointHistory(r);
    ++r.hop;
    r.triesHere = 1;
    r.malformedHere = 0;
  }

  void scheduleRetry(Request &r, double delaySeconds) {
    r.phase = Phase::BackingOff;
    if (!r.backoffTimer)
      r.backoffTimer = std::make_unique<boost::asio::steady_timer>(io);
    r.backoffTimer->expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(delaySeconds)));
    std::weak_ptr<Impl> weak = weak_from_this();
    uint64_t id = r.id;
    r.backoffTimer->async_wait([weak, id](const boost::system::error_code &ec) {
      auto self = weak.lock();
      if (ec || !self)
        return;
      auto it = self->requests.find(id);
      if (it != self->requests.end() && it->second->phase == Phase::BackingOff)
        self->admit(*it->second);
    });
  }

  void closeEndpointHistory(Request &r) {
    const EndpointState &ep = endpoints[r.route[r.hop]];
    r.history.push_back(ep.config.name + ": " + std::to_string(r.triesHere) +
                        (r.triesHere == 1 ? " attempt (" : " attempts (") + r.kindsHere +
                        "), last: " + r.lastMessage);
    r.kindsHere.clear();
  }

  void finish(uint64_t id, llvm::Expected<ChatResult> result) {
    auto it = requests.find(id);
    std::unique_ptr<Request> r = std::move(it->second);
    requests.erase(it);
    // We run in a posted handler (never inside libcurl) and touch nothing
    // after the call: the callback may submit, cancel or destroy the client.
    r->done(std::move(result));
  }

  void fail(uint64_t id) {
    Request &r = *requests.at(id);
    std::string message = "request to model '" + r.req.model + "' failed after " +
                          std::to_string(r.attempts) +
                          (r.attempts == 1 ? " attempt: " : " attempts: ");
    for (size_t i = 0; i < r.history.size(); ++i)
      message += (i ? "; " : "") + r.history[i];
    std::string endpoint = endpoints[r.route[r.hop]].config.name;
    finish(id, llvm::make_error<LLMError>(r.lastKind, std::move(message), std::move(endpoint),
                                          r.lastRetryAfter, r.attempts));
  }

  /// Stops `r` wherever it is and returns its callback (not yet called).
  ChatCallback detach(std::unique_ptr<Request> &r, bool releaseSlots) {
    size_t ep = r->route[r->hop];
    switch (r->phase) {
    case Phase::Queued:
      endpoints[ep].admission.removeQueued(r->id);
      break;
    case Phase::Running:
      for (Running *run : {&r->primary, &r->hedge})
        if (run->serial) {
          if (releaseSlots)
            release(*run);
          else
            run->attempt.reset(); // aborts the transfer; its callback never runs
        }
      if (r->hedgeTimer)
        r->hedgeTimer->cancel();
      break;
    case Phase::BackingOff:
      if (r->backoffTimer)
        r->backoffTimer->cancel();
      break;
    }
    return std::move(r->done);
  }

  void cancel(uint64_t id) {
    auto it = requests.find(id);
    if (it == requests.end())
      return;
    std::unique_ptr<Request> r = std::move(it->second);
    requests.erase(it);
    std::string endpoint = endpoints[r->route[r->hop]].config.name;
    unsigned attempts = r->attempts;
    ChatCallback done = detach(r, /*releaseSlots=*/true);
    post(std::move(done), llvm::make_error<LLMError>(ErrorKind::Cancelled, "request cancelled",
                                                     std::move(endpoint), std::nullopt, attempts));
  }

  void shutdown() {
    auto all = std::move(requests);
    requests.clear();
    for (auto &[id, r] : all)
      post(detach(r, /*releaseSlots=*/false),
           llvm::make_error<LLMError>(ErrorKind::Cancelled, "client destroyed"));
  }
};

LLMClient::LLMClient(boost::asio::io_context &io, ClientConfig config)
    : impl(std::make_shared<Impl>(io, std::move(config))) {}

LLMClient::~LLMClient() {
  if (impl)
    impl->shutdown();
}

uint64_t LLMClient::submit(ChatRequest req, Timeouts timeouts, RetryPolicy retry,
                           ChatCallback done) {
  return impl->submit(std::move(req), timeouts, retry, std::move(done));
}

void LLMClient::cancel(uint64_t handle) { impl->cancel(handle); }

unsigned LLMClient::inFlight(llvm::StringRef endpoint) const {
  const auto *e = impl->endpointNamed(endpoint);
  return e ? e->admission.inFlight() : 0;
}

unsigned LLMClient::queued(llvm::StringRef endpoint) const {
  const auto *e = impl->endpointNamed(endpoint);
  return e ? e->admission.queued() : 0;
}

unsigned LLMClient::pending() const { return static_cast<unsigned>(impl->requests.size()); }

} // namespace llmflow::llm
