// RunningProcess: the life of one spawned tool process on an io_context.
// Feeds stdin, collects stdout/stderr up to the cap (draining beyond it),
// watches the exit through a pidfd, enforces the timeout (TERM to the group,
// grace, KILL), waits a short drain window for pipes held open by
// grandchildren, kills what is left of the group, reaps the child and runs
// the callback once.
//
// Not for: spawning (spawn.h) or handle bookkeeping (process_registry.h).
#pragma once

#include "exec/process.h"
#include "exec/spawn.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <vector>

namespace llmflow::exec {

class ProcessRegistry;

/// How the exit is noticed: a pidfd on the reactor, or (where pidfd_open is
/// unavailable, and in tests) polling waitid(WNOWAIT) every few ms.
enum class ExitWatch { Pidfd, Poll };

class RunningProcess : public std::enable_shared_from_this<RunningProcess> {
public:
  RunningProcess(boost::asio::io_context &io, ProcessSpec spec, SpawnedChild child, ProcessCallback done,
                 ProcessRegistry &registry, uint64_t handle, std::chrono::steady_clock::time_point started,
                 ExitWatch exitWatch = ExitWatch::Pidfd);
  ~RunningProcess();
  RunningProcess(const RunningProcess &) = delete;
  RunningProcess &operator=(const RunningProcess &) = delete;

  /// Starts the asynchronous work; call once, right after construction,
  /// with the object owned by a shared_ptr.
  void start();
  /// TERM -> grace -> KILL unless the child has already exited.
  void cancel();
  /// The io_context is shutting down: SIGKILL the group, reap, drop the
  /// callback.
  void abandon();

private:
  enum class Stream { Out, Err };
  struct Output {
    boost::asio::posix::stream_descriptor pipe;
    std::vector<char> buffer;
    std::string *text;
    bool eof = false;
  };

  Output &output(Stream s) { return s == Stream::Out ? out : err; }
  void writeStdin();
  void closeStdin();
  void startRead(Stream s);
  void onRead(Stream s, const boost::system::error_code &ec, size_t n);
  void append(Output &o, const char *data, size_t n);
  void drainNow(Output &o);
  void watchExit();
  void pollExit();
  void onExit();
  void onTimeout();
  void terminate();
  void finishIfDone();
  void finish();
  void failEarly(llvm::Error err);

  boost::asio::io_context &io;
  ProcessSpec spec;
  ProcessCallback done;
  ProcessRegistry &registry;
  uint64_t handle;
  std::chrono::steady_clock::time_point started;
  pid_t pid;
  ExitWatch exitWatch;

  boost::asio::posix::stream_descriptor stdinPipe;
  size_t stdinOffset = 0;
  Output out, err;
  boost::asio::posix::stream_descriptor pidfd;
  boost::asio::steady_timer timeoutTimer, graceTimer, drainTimer, pollTimer;

  bool exited = false;       // the leader is a zombie (not yet reaped)
  bool terminating = false;  // TERM sent
  bool finished = false;     // reaped (or abandoned); callback delivered
  ProcessResult result;
};

} // namespace llmflow::exec
