// The engine's calls for a long-lived run (a service: runtime/serve): one
// job cancelled while the others run on, holding back new stages before a
// graceful stop, and forgetting ended jobs. Real engine, simulated backend
// executors on a fast clock (engine_rig.h).

#include "engine_rig.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <doctest/doctest.h>

using namespace llmflow;
using namespace llmflow::simtest;

namespace {

struct Rig : EngineRig {
  unsigned dispatched(rt::JobId id) const {
    unsigned n = 0;
    for (const engine::Event &e : sink.events)
      n += e.job == id && e.type == engine::EventType::TaskDispatched;
    return n;
  }
};

} // namespace

TEST_CASE("engine: cancel ends one job (waiting or running); the others run on; an ended job is not cancelled") {
  Rig r;
  rt::JobId a = r.submit(), b = r.submit(), c = r.submit();
  CHECK(r.eng.cancel(b, "cancelled by the test")); // not arrived yet
  // Cancel c once it has a stage running.
  boost::asio::steady_timer poll(r.io);
  std::function<void()> wait = [&] {
    if (r.dispatched(c) > 0) {
      CHECK(r.eng.cancel(c, "cancelled by the test"));
      return;
    }
    boost::asio::post(r.io, wait);
  };
  boost::asio::post(r.io, wait);
  r.eng.run();
  const auto &recs = r.eng.records();
  CHECK_MESSAGE(recs.at(a).ok, recs.at(a).error);
  for (rt::JobId id : {b, c}) {
    CAPTURE(id);
    CHECK(!recs.at(id).ok);
    CHECK(recs.at(id).cancelled);
    CHECK(recs.at(id).error == "cancelled by the test");
  }
  CHECK(r.dispatched(b) == 0);
  CHECK_FALSE(r.eng.cancel(a, "too late"));
  CHECK_FALSE(r.eng.cancel(99, "unknown"));
  r.eng.forget(a);
  CHECK(r.eng.records().count(a) == 0);
  CHECK(r.eng.records().size() == 2);
}

TEST_CASE("engine: hold starts no stage; the interrupt that follows leaves the jobs unfinished") {
  Rig r;
  rt::JobId a = r.submit(), b = r.submit();
  r.eng.hold();
  boost::asio::steady_timer later(r.io);
  later.expires_after(std::chrono::milliseconds(50));
  later.async_wait([&](const boost::system::error_code &) { r.eng.interrupt("stopped by the test", false); });
  r.eng.run();
  for (rt::JobId id : {a, b}) {
    CAPTURE(id);
    CHECK(r.dispatched(id) == 0);
    CHECK(r.eng.records().at(id).interrupted);
  }
  r.eng.forget(a); // an interrupted job has a finish time: it may be forgotten too
  CHECK(r.eng.records().count(a) == 0);
}
