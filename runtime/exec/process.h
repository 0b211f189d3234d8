// External tool processes: spawned with an argv (posix_spawn, never a shell)
// in their own process group, stdin fed, stdout/stderr collected (bounded),
// exit watched with pidfd on the io_context; on timeout TERM to the group, a
// grace period, then KILL. No zombies: every child is reaped.
//
// Lifetime rules:
//  - A call is complete when the child has exited and both output pipes are
//    at EOF, or `drainSeconds` after the exit if something else (a background
//    grandchild) still holds a pipe open. At completion whatever is left of
//    the process group is sent SIGKILL: a tool's processes never outlive the
//    call. (Processes that left the group with setsid/setpgid escape this.)
//  - The io_context must be run by one thread. `done` runs on it.
//  - Destroying the io_context with calls in flight SIGKILLs their groups,
//    reaps them, and drops their callbacks without running them.
//  - The library installs no signal handlers. Writes to a child's stdin
//    never raise SIGPIPE (see pipe_write.h). If the application sets SIGCHLD
//    to SIG_IGN, children are reaped by the kernel and results are lost: do
//    not. Children start with default signal dispositions and an empty mask.
//  - PATH lookup for argv[0] uses the parent's PATH, not extraEnv's.
#pragma once

#include "llvm/Support/Error.h"

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace llmflow::exec {

struct ProcessSpec {
  std::vector<std::string> argv;           // argv[0] looked up in PATH if it has no '/'
  std::string cwd;                         // "" = inherit
  std::vector<std::string> extraEnv;       // "NAME=value" added to (or replacing in) the environment
  bool inheritEnvironment = true;          // false: extraEnv is the whole environment
  std::string stdinData;                   // "" = the child's stdin is /dev/null
  double timeoutSeconds = 60;              // <= 0: no timeout
  double graceSeconds = 2;                 // between TERM and KILL
  double drainSeconds = 0.2;               // after exit, wait this long for pipe EOF
  size_t maxOutputBytes = 16 << 20;        // per stream; beyond it the output is truncated
};

struct ProcessResult {
  int exitCode = -1;                       // valid when signal == 0
  int signal = 0;                          // terminating signal, 0 if exited
  bool timedOut = false;                   // the timeout expired: TERM (then maybe KILL) sent
  bool cancelled = false;                  // cancelProcess stopped it
  bool outputTruncated = false;            // out or err hit maxOutputBytes
  std::string out, err;
  double seconds = 0;                      // from spawn to completion
  int pid = 0;                             // for logs; already reaped
};

using ProcessCallback = std::function<void(llvm::Expected<ProcessResult>)>;

/// Starts the process; `done` runs once on the io_context thread (also for
/// spawn failures, which arrive as an ExecError: ProgramNotFound,
/// BadWorkingDirectory, SpawnFailed). A non-zero exit status, a signal or a
/// timeout is a ProcessResult, not an error.
/// Returns a handle for cancelProcess (0 if the spawn failed). Call from the
/// io_context's thread (or before it runs).
uint64_t runProcess(boost::asio::io_context &io, ProcessSpec spec, ProcessCallback done);

/// TERM -> grace -> KILL for a running process; its callback still runs,
/// with `cancelled` set. Unknown or finished handles are ignored. Safe to
/// call from any thread (the work is posted to the io_context).
void cancelProcess(boost::asio::io_context &io, uint64_t handle);

/// SIGKILL to every running process group of `io` at once, each child
/// reaped; their callbacks are dropped (for a process that must stop now,
/// e.g. on a second Ctrl-C). Call from the io_context's thread.
void killAllProcesses(boost::asio::io_context &io);

} // namespace llmflow::exec
