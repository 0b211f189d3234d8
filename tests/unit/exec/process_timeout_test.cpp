// Timeouts (TERM, grace, KILL), cancellation, and grandchildren that hold
// the output pipes open.
#include "exec_test_util.h"

#include "exec/process.h"

#include <boost/asio/steady_timer.hpp>

#include <doctest/doctest.h>

#include <csignal>
#include <pthread.h>
#include <thread>

using namespace llmflow::exec;
using namespace llmflow::exec::test;

TEST_CASE("a timeout sends TERM and says so") {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "echo partial; exec sleep 10"};
  spec.timeoutSeconds = 0.2;
  spec.graceSeconds = 0.1;
  auto r = runSync(spec);
  REQUIRE(r);
  CHECK(r->timedOut);
  CHECK_FALSE(r->cancelled);
  CHECK(r->signal == SIGTERM);
  CHECK(r->out == "partial\n"); // what came before the timeout is kept
  CHECK(r->seconds >= 0.2);
  CHECK(r->seconds < 1.5);
}

TEST_CASE("a child that ignores TERM is killed after the grace period") {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "trap '' TERM; sleep 10; echo survived"};
  spec.timeoutSeconds = 0.2;
  spec.graceSeconds = 0.1;
  auto r = runSync(spec);
  REQUIRE(r);
  CHECK(r->timedOut);
  CHECK(r->signal == SIGKILL);
  CHECK(r->out.find("survived") == std::string::npos);
  CHECK(r->seconds >= 0.3);
  CHECK(r->seconds < 1.5);
}

TEST_CASE("the child does not inherit the spawning thread's blocked signals") {
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &term, &old);
  ProcessSpec spec;
  spec.argv = {"sleep", "10"};
  spec.timeoutSeconds = 0.2;
  spec.graceSeconds = 2; // a blocked TERM would end in KILL only after this
  auto r = runSync(spec);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  REQUIRE(r);
  CHECK(r->signal == SIGTERM);
  CHECK(r->seconds < 1.5);
}

TEST_CASE("an ignored SIGPIPE in the parent does not leak into tools") {
  struct sigaction ign = {}, old = {};
  ign.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ign, &old);
  ProcessSpec spec;
  // With SIGPIPE ignored, `yes` would complain "Broken pipe" on stderr
  // instead of dying quietly.
  spec.argv = {"sh", "-c", "yes | head -c 4"};
  spec.timeoutSeconds = 5;
  auto r = runSync(spec);
  sigaction(SIGPIPE, &old, nullptr);
  REQUIRE(r);
  CHECK(r->out == "y\ny\n");
  CHECK(r->err.empty());
}

TEST_CASE("a background grandchild holding stdout does not hang completion and dies with the group") {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "echo before; sleep 100 & echo $!"};
  spec.timeoutSeconds = 5;
  spec.drainSeconds = 0.1;
  auto r = runSync(spec);
  REQUIRE(r);
  CHECK_FALSE(r->timedOut);
  CHECK(r->exitCode == 0);
  CHECK(r->seconds < 1.5);
  REQUIRE(r->out.rfind("before\n", 0) == 0);
  int grandchild = std::stoi(r->out.substr(7));
  CHECK(grandchild > 0);
  CHECK(waitGone(grandchild, 2));
}

TEST_CASE("on timeout the whole process group is killed, grandchildren included") {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "sleep 100 & echo $!; wait"};
  spec.timeoutSeconds = 0.2;
  spec.graceSeconds = 0.1;
  auto r = runSync(spec);
  REQUIRE(r);
  CHECK(r->timedOut);
  CHECK(r->seconds < 1.5);
  int grandchild = std::stoi(r->out);
  CHECK(grandchild > 0);
  CHECK(waitGone(grandchild, 2));
}

TEST_CASE("cancelProcess terminates a running process and its callback still runs") {
  boost::asio::io_context io;
  std::optional<llvm::Expected<ProcessResult>> got;
  ProcessSpec spec;
  spec.argv = {"sleep", "10"};
  spec.timeoutSeconds = 5;
  spec.graceSeconds = 0.1;
  uint64_t handle = runProcess(io, spec, [&](llvm::Expected<ProcessResult> r) { got.emplace(std::move(r)); });
  REQUIRE(handle != 0);
  boost::asio::steady_timer timer(io, std::chrono::milliseconds(100));
  timer.async_wait([&](const boost::system::error_code &) { cancelProcess(io, handle); });
  io.run();
  REQUIRE(got);
  REQUIRE(*got);
  ProcessResult &r = **got;
  CHECK(r.cancelled);
  CHECK_FALSE(r.timedOut);
  CHECK(r.signal == SIGTERM);
  CHECK(r.seconds < 1.5);
}

TEST_CASE("cancelProcess escalates to KILL and works from another thread") {
  boost::asio::io_context io;
  std::optional<llvm::Expected<ProcessResult>> got;
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "trap '' TERM; sleep 10"};
  spec.timeoutSeconds = 5;
  spec.graceSeconds = 0.1;
  uint64_t handle = runProcess(io, spec, [&](llvm::Expected<ProcessResult> r) { got.emplace(std::move(r)); });
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cancelProcess(io, handle);
  });
  io.run();
  canceller.join();
  REQUIRE(got);
  REQUIRE(*got);
  CHECK((*got)->cancelled);
  CHECK((*got)->signal == SIGKILL);
  CHECK((*got)->seconds < 1.5);
}

TEST_CASE("cancelling unknown or finished handles does nothing") {
  boost::asio::io_context io;
  int calls = 0;
  ProcessSpec spec;
  spec.argv = {"true"};
  uint64_t handle = runProcess(io, spec, [&](llvm::Expected<ProcessResult> r) {
    ++calls;
    CHECK(r);
    if (r)
      CHECK_FALSE(r->cancelled);
  });
  io.run();
  cancelProcess(io, handle);
  cancelProcess(io, 0);
  cancelProcess(io, 987654);
  io.restart();
  io.run();
  CHECK(calls == 1);
}
