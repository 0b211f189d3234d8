// Hedged requests against the loopback server: a request stuck without a
// first token gets a second attempt after the endpoint's usual time to first
// token; the first success wins and the stuck one is cancelled.
#include "client_harness.h"
#include "kind_names.h"

using namespace llmflow::llm;
using namespace llmflow::llm::testing;

namespace {
/// Six requests give the endpoint its times to first token.
void warmUp(Harness &h) {
  for (int i = 0; i < 6; ++i) {
    Outcome o = h.run(prompt("warm " + std::to_string(i)));
    REQUIRE_MESSAGE(o.ok(), o.message);
  }
}

/// Hedging on, after five samples; with `b`, the route is a then b.
void hedge(Harness &h, std::optional<Endpoint> b = std::nullopt) {
  if (b) {
    h.config.endpoints.push_back(std::move(*b));
    h.config.routes = {{"m", {"a", "b"}}};
  }
  h.config.hedging.enabled = true;
  h.config.hedging.minSamples = 5;
  warmUp(h);
}
} // namespace

TEST_CASE("hedging: a hung attempt is hedged on the next endpoint and the hedge wins") {
  Harness h;
  hedge(h, Harness::endpoint("b", h.server.baseUrl()));
  Timeouts t = quickTimeouts();
  t.firstTokenSeconds = 8;
  // hangx1: the first request with this prompt hangs, the second answers.
  Outcome o = h.run(prompt("stuck [[fault:hangx1]]"), t);
  REQUIRE_MESSAGE(o.ok(), o.message);
  CHECK(o.result->attempts == 2);
  CHECK(o.result->endpoint == "b");
  CHECK(o.seconds < 3); // not the 8 s first-token timeout
  // The hung twin was cancelled: the server sees nothing running.
  h.runUntil([&] { return metric(h.server, "vllm:num_requests_running") == 0; }, 5);
  CHECK(h.client().inFlight("a") == 0);
  CHECK(h.client().inFlight("b") == 0);
}

TEST_CASE("hedging: off by default, a hung attempt waits for the first-token timeout") {
  Harness h;
  warmUp(h);
  Timeouts t = quickTimeouts();
  t.firstTokenSeconds = 1;
  Outcome o = h.run(prompt("stuck too [[fault:hangx1]]"), t);
  REQUIRE_MESSAGE(o.ok(), o.message); // the retry answers
  CHECK(o.result->attempts == 2);
  CHECK(o.seconds >= 1);
}

TEST_CASE("hedging: one endpoint hedges on itself, beyond a full admission limit") {
  Harness h;
  h.config.endpoints[0].maxInFlight = 1;
  hedge(h);
  Outcome o = h.run(prompt("alone [[fault:hangx1]]"));
  REQUIRE_MESSAGE(o.ok(), o.message);
  CHECK(o.result->attempts == 2);
  CHECK(o.result->endpoint == "a");
  CHECK(o.seconds < 3);
  CHECK(h.client().inFlight("a") == 0);
}

TEST_CASE("hedging: a failed hedge leaves the first attempt to finish") {
  Harness h;
  hedge(h, Harness::endpoint("b", "http://127.0.0.1:" + std::to_string(deadPort())));
  // slow: the first token comes after 0.6 s, beyond the warm-up's p95; the
  // hedge on the dead endpoint fails at once.
  Outcome o = h.run(prompt("slow one [[fault:slow:0.6]]"), quickTimeouts(), quickRetry(1));
  REQUIRE_MESSAGE(o.ok(), o.message);
  CHECK(o.result->endpoint == "a");
  CHECK(o.result->attempts == 2);
}

TEST_CASE("hedging: when the first attempt fails, the hedge on the next endpoint carries the request") {
  Harness h;
  Endpoint b = Harness::endpoint("b", h.server.baseUrl());
  b.headers = {{"X-Fault", "slow:1.5"}}; // answers, but only after the first attempt failed
  hedge(h, b);
  // a: the connection is closed after 1 s without an answer. Hedged, b
  // answers 1.5 s after the start; a fallback would take 2.5 s.
  Outcome o = h.run(prompt("stuck [[fault:hang:1]]"), quickTimeouts(), quickRetry(1));
  REQUIRE_MESSAGE(o.ok(), o.message);
  CHECK(o.seconds < 2.3);
  CHECK(o.result->endpoint == "b");
  CHECK(o.result->attempts == 2);
  CHECK(h.client().inFlight("a") == 0);
  CHECK(h.client().inFlight("b") == 0);
}

TEST_CASE("hedging: a failed request's message lists every attempt, hedges included") {
  Harness h;
  Endpoint b = Harness::endpoint("b", h.server.baseUrl());
  b.headers = {{"X-Fault", "500"}};
  hedge(h, b);
  Timeouts t = quickTimeouts();
  t.firstTokenSeconds = 0.5;
  // a hangs (its hedge on b fails at once), times out, falls back to b: 500.
  Outcome o = h.run(prompt("stuck [[fault:hang]]"), t, quickRetry(1));
  REQUIRE(!o.ok());
  CHECK(kindName(o.kind) == "server-error");
  CHECK(llvm::StringRef(o.message).contains("failed after 3 attempts"));
  CHECK(llvm::StringRef(o.message).contains("b: 1 hedged attempt (server-error)"));
  CHECK(llvm::StringRef(o.message).contains("a: 1 attempt (timeout)"));
  CHECK(h.client().inFlight("a") == 0);
  CHECK(h.client().inFlight("b") == 0);
}

TEST_CASE("hedging: a request started before the endpoint had samples is hedged once it has") {
  Harness h;
  h.config.hedging.enabled = true;
  h.config.hedging.minSamples = 5;
  Outcome hung;
  auto start = Clock::now();
  h.client().submit(prompt("early [[fault:hangx1]]"), quickTimeouts(), quickRetry(1),
                    [&](llvm::Expected<ChatResult> r) {
                      hung = flatten(std::move(r));
                      hung.seconds = std::chrono::duration<double>(Clock::now() - start).count();
                    });
  warmUp(h); // the samples arrive while the first request hangs
  h.runUntil([&] { return hung.done; }, 10);
  REQUIRE_MESSAGE(hung.ok(), hung.message); // unhedged: the 5 s first-token timeout, no retry
  CHECK(hung.result->attempts == 2);
  CHECK(hung.seconds < 4);
}

TEST_CASE("hedging: a hedge that finds no room is tried again, not given up") {
  Harness h;
  h.config.endpoints[0].maxInFlight = 2; // room for one hedge beyond the limit
  hedge(h);
  std::vector<Outcome> out(2);
  auto start = Clock::now();
  for (int i = 0; i < 2; ++i)
    h.client().submit(prompt("both hang " + std::to_string(i) + " [[fault:hangx1]]"), quickTimeouts(), quickRetry(1),
                      [&, i](llvm::Expected<ChatResult> r) {
                        out[i] = flatten(std::move(r));
                        out[i].seconds = std::chrono::duration<double>(Clock::now() - start).count();
                      });
  h.runUntil([&] { return out[0].done && out[1].done; }, 10);
  for (const Outcome &o : out) {
    REQUIRE_MESSAGE(o.ok(), o.message); // given up: the 5 s first-token timeout, no retry
    CHECK(o.result->attempts == 2);
    CHECK(o.seconds < 4);
  }
}
