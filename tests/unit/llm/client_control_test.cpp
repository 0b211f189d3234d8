// LLMClient control: fallback across endpoints, admission control,
// cancellation in every phase, routing errors, client destruction.
#include "client_harness.h"
#include "kind_names.h"

using namespace llmflow::llm;
using namespace llmflow::llm::testing;

namespace {

/// Endpoint "a" answers every request with `fault` (X-Fault header), "b" is
/// healthy; both on the same server. Route for "m": a then b.
void twoEndpoints(Harness &h, const std::string &fault) {
  h.config.endpoints[0].headers = {{"X-Fault", fault}};
  h.config.endpoints.push_back(Harness::endpoint("b", h.server.baseUrl()));
  h.config.routes = {{"m", {"a", "b"}}};
}

} // namespace

TEST_CASE("fallback: a dead first endpoint falls back to the second") {
  Harness h;
  h.config.endpoints[0].baseUrl = "http://127.0.0.1:" + std::to_string(deadPort());
  h.config.endpoints.push_back(Harness::endpoint("b", h.server.baseUrl()));
  h.config.routes = {{"m", {"a", "b"}}};
  Outcome o = h.run(prompt("fall back"), quickTimeouts(), quickRetry(2));
  REQUIRE_MESSAGE(o.ok(), o.message);
  CHECK(o.result->endpoint == "b");
  CHECK(o.result->attempts == 3); // 2 on a, 1 on b
}

TEST_CASE("fallback: retries exhausted on the primary, then the fallback answers") {
  Harness h;
  twoEndpoints(h, "503");
  Outcome o = h.run(prompt("fall back"), quickTimeouts(), quickRetry(3));
  REQUIRE_MESSAGE(o.ok(), o.message);
  CHECK(o.result->endpoint == "b");
  CHECK(o.result->attempts == 4);
  CHECK(h.requestsTotal() == 4);
}

TEST_CASE("fallback: endpoint faults skip to the next endpoint without retrying") {
  for (const char *fault : {"401", "404", "quota"}) {
    CAPTURE(fault);
    Harness h;
    twoEndpoints(h, fault);
    Outcome o = h.run(prompt("who serves me"), quickTimeouts(), quickRetry(3));
    REQUIRE_MESSAGE(o.ok(), o.message);
    CHECK(o.result->endpoint == "b");
    CHECK(o.result->attempts == 2);
  }
}

TEST_CASE("fallback: request faults do not try other endpoints") {
  Harness h;
  twoEndpoints(h, "ctx");
  Outcome o = h.run(prompt("too long"), quickTimeouts(), quickRetry(3));
  CHECK(kindName(o.kind) == "context-overflow");
  CHECK(h.requestsTotal() == 1);
}

TEST_CASE("fallback: when every endpoint fails the error lists each one") {
  Harness h;
  h.config.endpoints[0].baseUrl = "http://127.0.0.1:" + std::to_string(deadPort());
  h.config.endpoints.push_back(Harness::endpoint("b", h.server.baseUrl()));
  h.config.endpoints[1].headers = {{"X-Fault", "500"}};
  h.config.routes = {{"m", {"a", "b"}}};
  Outcome o = h.run(prompt("doomed"), quickTimeouts(), quickRetry(2));
  CHECK(kindName(o.kind) == "server-error"); // the last kind
  llvm::StringRef m = o.message;
  CHECK(m.contains("4 attempts"));
  CHECK(m.contains("a: 2 attempts (connect, connect)"));
  CHECK(m.contains("b: 2 attempts (server-error, server-error)"));
  CHECK(m.contains("HTTP 500"));
}

TEST_CASE("admission: maxInFlight=2 with 10 requests never runs more than 2") {
  Harness h({"--ttft", "0.05"});
  h.config.endpoints[0].maxInFlight = 2;
  LLMClient &c = h.client();
  int finished = 0;
  unsigned peak = 0, peakQueued = 0;
  for (int i = 0; i < 10; ++i)
    c.submit(prompt("queue " + std::to_string(i)), quickTimeouts(), quickRetry(1),
             [&](llvm::Expected<ChatResult> r) {
               REQUIRE(r);
               ++finished;
             });
  CHECK(c.inFlight("a") == 2);
  CHECK(c.queued("a") == 8);
  h.runUntil([&] {
    peak = std::max(peak, c.inFlight("a"));
    peakQueued = std::max(peakQueued, c.queued("a"));
    return finished == 10;
  });
  CHECK(peak == 2);
  CHECK(peakQueued == 8);
  CHECK(c.inFlight("a") == 0);
  CHECK(c.queued("a") == 0);
  CHECK(metric(h.server, "fake_openai:max_running") == 2); // the server saw at most 2 at once
  CHECK(h.requestsTotal() == 10);
}

TEST_CASE("cancel: a running request, a queued one, one backing off") {
  Harness h;
  h.config.endpoints[0].maxInFlight = 1;
  LLMClient &c = h.client();
  std::optional<ErrorKind> running, queued, other;
  Timeouts t = quickTimeouts();
  uint64_t r1 = c.submit(prompt("forever [[fault:hang]]"), t, quickRetry(1),
                         [&](llvm::Expected<ChatResult> r) { running = errorKind(r.takeError()); });
  uint64_t r2 = c.submit(prompt("waiting"), t, quickRetry(1),
                         [&](llvm::Expected<ChatResult> r) { queued = errorKind(r.takeError()); });
  CHECK(c.queued("a") == 1);
  h.runUntil([&] { return metric(h.server, "vllm:num_requests_running") == 1; });
  c.cancel(r2);
  CHECK(c.queued("a") == 0);
  CHECK_FALSE(queued.has_value()); // never called from inside cancel()
  c.cancel(r1);
  CHECK(c.inFlight("a") == 0);
  h.runUntil([&] { return running && queued; }, 2);
  CHECK(kindName(*running) == "cancelled");
  CHECK(kindName(*queued) == "cancelled");
  h.runUntil([&] { return metric(h.server, "vllm:num_requests_running") == 0; }, 5);
  c.cancel(r1); // finished handles are ignored

  RetryPolicy slow = quickRetry(3);
  slow.backoffSeconds = 30;
  slow.backoffMaxSeconds = 30;
  auto start = Clock::now();
  uint64_t r3 = c.submit(prompt("again [[fault:500]]"), t, slow,
                         [&](llvm::Expected<ChatResult> r) { other = errorKind(r.takeError()); });
  h.runUntil([&] { return h.requestsTotal() >= 2 && c.inFlight("a") == 0; }, 5);
  c.cancel(r3);
  h.runUntil([&] { return other.has_value(); }, 2);
  CHECK(kindName(*other) == "cancelled");
  CHECK(std::chrono::duration<double>(Clock::now() - start).count() < 5);
}

TEST_CASE("routing: an unserved model fails with NoEndpoint, asynchronously") {
  Harness h;
  h.config.endpoints[0].models = {"only-this"};
  bool called = false;
  std::optional<ErrorKind> kind;
  h.client().submit(prompt("x"), quickTimeouts(), quickRetry(), [&](llvm::Expected<ChatResult> r) {
    called = true;
    kind = errorKind(r.takeError());
  });
  CHECK_FALSE(called);
  h.runUntil([&] { return called; }, 2);
  CHECK(kindName(kind) == "no-endpoint");
}

TEST_CASE("client: destroying it cancels pending requests and posts their callbacks") {
  Harness h;
  std::optional<ErrorKind> kind;
  h.client().submit(prompt("forever [[fault:hang]]"), quickTimeouts(), quickRetry(1),
                    [&](llvm::Expected<ChatResult> r) { kind = errorKind(r.takeError()); });
  h.runUntil([&] { return metric(h.server, "vllm:num_requests_running") == 1; });
  CHECK(h.client().pending() == 1);
  h.clientPtr.reset();
  CHECK_FALSE(kind.has_value());
  h.runUntil([&] { return kind.has_value(); }, 2);
  CHECK(kindName(*kind) == "cancelled");
  h.runUntil([&] { return metric(h.server, "vllm:num_requests_running") == 0; }, 5);
}

TEST_CASE("client: a callback may submit the next request and destroy the client") {
  Harness h;
  int done = 0;
  LLMClient &c = h.client();
  c.submit(prompt("first"), quickTimeouts(), quickRetry(), [&](llvm::Expected<ChatResult> r) {
    REQUIRE(r);
    ++done;
    c.submit(prompt("second"), quickTimeouts(), quickRetry(), [&](llvm::Expected<ChatResult> r2) {
      REQUIRE(r2);
      ++done;
      h.clientPtr.reset(); // from inside its own callback
    });
  });
  h.runUntil([&] { return done == 2; });
  CHECK_FALSE(h.clientPtr);
  h.io.poll(); // leftover handlers must be harmless
}
