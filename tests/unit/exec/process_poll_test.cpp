// The exit-watching fallback for systems without pidfd_open: the same state
// machine, noticing the exit by polling waitid(WNOWAIT).
#include "exec_test_util.h"

#include "exec/process_registry.h"
#include "exec/running_process.h"
#include "exec/spawn.h"

#include <doctest/doctest.h>

#include <csignal>
#include <sys/wait.h>

using namespace llmflow::exec;
using namespace llmflow::exec::test;

namespace {

llvm::Expected<ProcessResult> runPolling(ProcessSpec spec) {
  boost::asio::io_context io;
  std::optional<llvm::Expected<ProcessResult>> got;
  auto child = spawnChild(spec);
  if (!child)
    return child.takeError();
  ProcessRegistry &registry = ProcessRegistry::of(io);
  uint64_t handle = registry.nextHandle();
  auto process = std::make_shared<RunningProcess>(
      io, spec, std::move(*child), [&](llvm::Expected<ProcessResult> r) { got.emplace(std::move(r)); }, registry,
      handle, std::chrono::steady_clock::now(), ExitWatch::Poll);
  registry.add(handle, process);
  process->start();
  process.reset();
  io.run();
  if (!got)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "callback never ran");
  return std::move(*got);
}

} // namespace

TEST_CASE("without a pidfd the exit is still seen: status, output, timeout") {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "read x; echo \"got $x\"; exit 7"};
  spec.stdinData = "input\n";
  auto r = runPolling(spec);
  REQUIRE(r);
  CHECK(r->exitCode == 7);
  CHECK(r->out == "got input\n");

  spec = {};
  spec.argv = {"sleep", "10"};
  spec.timeoutSeconds = 0.2;
  spec.graceSeconds = 0.1;
  r = runPolling(spec);
  REQUIRE(r);
  CHECK(r->timedOut);
  CHECK(r->signal == SIGTERM);
  CHECK(r->seconds < 1.5);

  errno = 0;
  CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);
  CHECK(errno == ECHILD);
}
