// Many processes on one io_context; no zombies, no descriptor leaks; the
// io_context going away with processes in flight; the SIGPIPE-free write.
#include "exec_test_util.h"

#include "exec/pipe_write.h"
#include "exec/process.h"

#include <doctest/doctest.h>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace llmflow::exec;
using namespace llmflow::exec::test;

namespace {

/// No child of ours is left, running or zombie.
bool noChildren() {
  errno = 0;
  return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

} // namespace

TEST_CASE("50 concurrent processes on one io_context all complete") {
  boost::asio::io_context io;
  constexpr int n = 50;
  std::vector<std::optional<llvm::Expected<ProcessResult>>> results(n);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    ProcessSpec spec;
    spec.argv = {"sh", "-c", "read x; echo \"$x-$1\"; sleep 0.05", "sh", std::to_string(i)};
    spec.stdinData = "in" + std::to_string(i) + "\n";
    spec.timeoutSeconds = 10;
    runProcess(io, spec, [&, i](llvm::Expected<ProcessResult> r) { results[i].emplace(std::move(r)); });
  }
  io.run();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (int i = 0; i < n; ++i) {
    REQUIRE(results[i]);
    REQUIRE(*results[i]);
    CHECK((*results[i])->out == "in" + std::to_string(i) + "-" + std::to_string(i) + "\n");
    CHECK((*results[i])->exitCode == 0);
  }
  CHECK(seconds < 5); // concurrently: well below 50 * 0.05 s of sleeping plus startup
  CHECK(noChildren());
}

TEST_CASE("no zombies and no descriptor leaks across every way a call can end") {
  int fdsBefore = countOpenFds();
  REQUIRE(fdsBefore > 0);
  int completions = 0;
  {
  boost::asio::io_context io;
  auto count = [&](llvm::Expected<ProcessResult> r) {
    ++completions;
    if (!r)
      llvm::consumeError(r.takeError());
  };
  auto spec = [](std::vector<std::string> argv, double timeout = 5) {
    ProcessSpec s;
    s.argv = std::move(argv);
    s.timeoutSeconds = timeout;
    s.graceSeconds = 0.1;
    s.drainSeconds = 0.1;
    return s;
  };
  runProcess(io, spec({"echo", "ok"}), count);
  runProcess(io, spec({"llmflow-no-such-program-xyz"}), count);
  runProcess(io, spec({"sleep", "10"}, 0.2), count);
  runProcess(io, spec({"sh", "-c", "trap '' TERM; sleep 10"}, 0.2), count);
  runProcess(io, spec({"sh", "-c", "sleep 100 &"}), count);
  ProcessSpec withInput = spec({"true"});
  withInput.stdinData = std::string(1 << 20, 'q');
  runProcess(io, withInput, count);
  uint64_t cancelled = runProcess(io, spec({"sleep", "10"}), count);
  cancelProcess(io, cancelled);
  io.run();
  } // the io_context's own descriptors (epoll, eventfd, timerfd) go here
  CHECK(completions == 7);
  CHECK(countOpenFds() == fdsBefore);
  CHECK(noChildren());
}

TEST_CASE("destroying the io_context kills and reaps what is still running") {
  int fdsBefore = countOpenFds();
  bool called = false;
  {
    boost::asio::io_context io;
    ProcessSpec spec;
    spec.argv = {"sh", "-c", "sleep 100 & sleep 100"};
    spec.stdinData = "unread input";
    runProcess(io, spec, [&](llvm::Expected<ProcessResult> r) {
      called = true;
      if (!r)
        llvm::consumeError(r.takeError());
    });
    io.run_for(std::chrono::milliseconds(50));
    ProcessSpec never;
    never.argv = {"sleep", "100"};
    runProcess(io, never, [&](llvm::Expected<ProcessResult> r) { called = true; (void)!r; });
  }
  CHECK_FALSE(called);
  CHECK(noChildren());
  CHECK(countOpenFds() == fdsBefore);
}

TEST_CASE("children see no descriptor of ours beyond stdin, stdout and stderr") {
  TempDir dir;
  dir.write("leak-canary", "x");
  int fd = ::open((dir / "leak-canary").c_str(), O_RDONLY); // deliberately not O_CLOEXEC
  REQUIRE(fd > 2);
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "ls -l /proc/$$/fd"};
  auto r = runSync(spec);
  ::close(fd);
  REQUIRE(r);
  CHECK(r->out.find(" 1 -> ") != std::string::npos); // the listing worked
  CHECK(r->out.find("leak-canary") == std::string::npos);
}

TEST_CASE("writeNoSigpipe reports EPIPE instead of raising SIGPIPE") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ::close(fds[0]);
  errno = 0;
  ssize_t n = writeNoSigpipe(fds[1], "x", 1);
  int err = errno;
  ::close(fds[1]);
  CHECK(n == -1);
  CHECK(err == EPIPE);
  sigset_t pending;
  sigpending(&pending);
  CHECK_FALSE(sigismember(&pending, SIGPIPE)); // consumed, not left pending
  sigset_t mask;
  pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  CHECK_FALSE(sigismember(&mask, SIGPIPE)); // mask restored
}
