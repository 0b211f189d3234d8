// runProcess / cancelProcess: spawn, register, start; spawn errors are
// delivered through the io_context like every other completion.
#include "exec/process.h"

#include "exec/exec_error.h"
#include "exec/process_registry.h"
#include "exec/running_process.h"
#include "exec/spawn.h"

#include <boost/asio/post.hpp>

namespace llmflow::exec {

uint64_t runProcess(boost::asio::io_context &io, ProcessSpec spec, ProcessCallback done) {
  ProcessRegistry &registry = ProcessRegistry::of(io);
  auto started = std::chrono::steady_clock::now();
  auto child = spawnChild(spec);
  if (!child) {
    // llvm::Error is not copyable and must not die unchecked in a dropped
    // handler: carry its contents instead.
    ExecErrorKind kind = ExecErrorKind::SpawnFailed;
    std::string message;
    llvm::handleAllErrors(
        child.takeError(), [&](const ExecError &e) { kind = e.kind, message = e.message; },
        [&](const llvm::ErrorInfoBase &e) { message = e.message(); });
    boost::asio::post(io, [done = std::move(done), kind, message = std::move(message)]() {
      if (done)
        done(makeExecError(kind, message));
    });
    return 0;
  }
  uint64_t handle = registry.nextHandle();
  auto process = std::make_shared<RunningProcess>(io, std::move(spec), std::move(*child), std::move(done),
                                                  registry, handle, started);
  registry.add(handle, process);
  process->start();
  return handle;
}

void cancelProcess(boost::asio::io_context &io, uint64_t handle) {
  if (handle == 0)
    return;
  boost::asio::post(io, [&io, handle]() {
    if (auto process = ProcessRegistry::of(io).find(handle))
      process->cancel();
  });
}

void killAllProcesses(boost::asio::io_context &io) { ProcessRegistry::of(io).abandonAll(); }

} // namespace llmflow::exec
