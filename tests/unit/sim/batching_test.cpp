// The continuous-batching model keeps time far into a run: at a clock of
// 1e9 s a request's last fraction of a token takes less time than the
// spacing of doubles there, which once stopped time (the model spun).
#include "serving/batching.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace llmflow::serving;

TEST_CASE("batching model: correct durations from t = 0 to t = 1e9 s") {
  ServingParams p = ServingParams::h100();
  for (double t0 : {0.0, 1e3, 1.05e6, 1e8, 1e9}) {
    CAPTURE(t0);
    BatchingServer s(p);
    // One request alone: prefill, then one step per token at batch size 1.
    REQUIRE(s.add(1, t0, 300, 100).empty());
    double want = p.prefillTime(300) + 100 * p.stepTime(1);
    std::vector<BatchingServer::Done> done = s.advance(t0 + 1000);
    REQUIRE(done.size() == 1);
    CHECK(done[0].finish - t0 == doctest::Approx(want).epsilon(1e-6));
    CHECK(done[0].firstToken - t0 == doctest::Approx(p.prefillTime(300)).epsilon(1e-6));
    // Three at once with different lengths: all finish, in length order,
    // and the model's next event is then "none".
    REQUIRE(s.add(2, t0 + 2000, 50, 10).empty());
    REQUIRE(s.add(3, t0 + 2000, 50, 1000).empty());
    REQUIRE(s.add(4, t0 + 2000, 50, 200).empty());
    done = s.advance(t0 + 1e5);
    REQUIRE(done.size() == 3);
    CHECK(done[0].id == 2);
    CHECK(done[1].id == 4);
    CHECK(done[2].id == 3);
    CHECK(done[2].finish > done[1].finish);
    CHECK(std::isinf(s.nextEvent()));
  }
}
