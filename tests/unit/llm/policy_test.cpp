// Admission queue, backoff delays and routing: the decision parts of the
// client that need no network.
#include "llm/admission.h"
#include "llm/backoff.h"
#include "llm/routing.h"

#include "kind_names.h"

#include <doctest/doctest.h>

using namespace llmflow::llm;
using namespace llmflow::llm::testing;

TEST_CASE("AdmissionQueue: cap, FIFO hand-over, removal") {
  AdmissionQueue q(2);
  CHECK(q.tryAcquire());
  CHECK(q.tryAcquire());
  CHECK_FALSE(q.tryAcquire());
  q.enqueue(10);
  q.enqueue(11);
  q.enqueue(12);
  CHECK(q.queued() == 3);
  CHECK(q.removeQueued(11));
  CHECK_FALSE(q.removeQueued(11));
  CHECK(q.release() == uint64_t(10)); // the slot passes to the first waiter
  CHECK(q.inFlight() == 2);
  CHECK(q.release() == uint64_t(12));
  CHECK(q.release() == std::nullopt);
  CHECK(q.inFlight() == 1);
  CHECK(q.tryAcquire());
  CHECK(q.inFlight() == 2);
}

TEST_CASE("AdmissionQueue: nobody overtakes a waiter") {
  AdmissionQueue q(1);
  CHECK(q.tryAcquire());
  q.enqueue(1);
  CHECK(q.release() == uint64_t(1));
  CHECK_FALSE(q.tryAcquire());
}

TEST_CASE("AdmissionQueue: 0 means unlimited") {
  AdmissionQueue q(0);
  for (int i = 0; i < 1000; ++i)
    CHECK(q.tryAcquire());
  CHECK(q.inFlight() == 1000);
}

TEST_CASE("Backoff: exponential, capped, jittered within bounds, seeded") {
  RetryPolicy p;
  p.backoffSeconds = 0.5;
  p.backoffMaxSeconds = 3;
  p.jitter = 0;
  Backoff b(1);
  CHECK(b.delaySeconds(p, 1, std::nullopt) == doctest::Approx(0.5));
  CHECK(b.delaySeconds(p, 2, std::nullopt) == doctest::Approx(1.0));
  CHECK(b.delaySeconds(p, 3, std::nullopt) == doctest::Approx(2.0));
  CHECK(b.delaySeconds(p, 4, std::nullopt) == doctest::Approx(3.0));
  CHECK(b.delaySeconds(p, 100, std::nullopt) == doctest::Approx(3.0));
  CHECK(b.delaySeconds(p, 1, 5.0) == doctest::Approx(5.0)); // Retry-After wins when longer

  p.jitter = 0.2;
  Backoff x(7), y(7), z(8);
  bool anyDifferent = false;
  for (unsigned i = 1; i < 50; ++i) {
    double a = x.delaySeconds(p, 1, std::nullopt);
    CHECK(a == y.delaySeconds(p, 1, std::nullopt)); // same seed, same sequence
    CHECK(a >= 0.4 - 1e-12);
    CHECK(a <= 0.6 + 1e-12);
    anyDifferent |= a != z.delaySeconds(p, 1, std::nullopt);
  }
  CHECK(anyDifferent);
}

TEST_CASE("resolveRoute: explicit routes, model lists, errors") {
  ClientConfig c;
  c.endpoints = {{"a", "http://a", "", 4, {"m1"}, {}},
                 {"b", "http://b", "", 4, {}, {}},
                 {"c", "http://c", "", 4, {"m2"}, {}}};
  c.routes = {{"m1", {"c", "a"}}, {"bad", {"zzz"}}};
  auto r1 = resolveRoute(c, "m1");
  REQUIRE(r1);
  CHECK(*r1 == std::vector<size_t>{2, 0});
  auto r2 = resolveRoute(c, "m2");
  REQUIRE(r2);
  CHECK(*r2 == std::vector<size_t>{1, 2});
  CHECK(kindName(errorKind(resolveRoute(c, "bad").takeError())) == "no-endpoint");
  c.endpoints.erase(c.endpoints.begin() + 1);
  CHECK(kindName(errorKind(resolveRoute(c, "other").takeError())) == "no-endpoint");
}
