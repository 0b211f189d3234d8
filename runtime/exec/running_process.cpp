// RunningProcess: the asynchronous state machine of one tool process.
//
// Completion needs (1) the leader's exit, seen through its pidfd while it is
// still an unreaped zombie, and (2) EOF on stdout and stderr, or the drain
// window after the exit. Then the group is SIGKILLed (the zombie leader
// keeps the process group id from being reused until we reap it), the
// leader is reaped and the callback runs.
#include "exec/running_process.h"

#include "exec/exec_error.h"
#include "exec/pipe_write.h"
#include "exec/process_registry.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace llmflow::exec {
namespace {

constexpr size_t kReadChunk = 16 * 1024; // per stream and process: 32 KiB per running process
constexpr size_t kWriteChunk = 64 * 1024;
constexpr auto kExitPollInterval = std::chrono::milliseconds(5);

std::chrono::steady_clock::duration toDuration(double seconds) {
  // Clamp: negative means now, absurdly large means "a year".
  seconds = std::clamp(seconds, 0.0, 365.0 * 24 * 3600);
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(seconds));
}

/// Blocking reap with EINTR retries. Returns false (errno set) on failure.
bool reap(pid_t pid, int &status) {
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      return false;
  }
  return true;
}

} // namespace

RunningProcess::RunningProcess(boost::asio::io_context &io, ProcessSpec specIn, SpawnedChild child,
                               ProcessCallback doneIn, ProcessRegistry &registry, uint64_t handle,
                               std::chrono::steady_clock::time_point started, ExitWatch exitWatch)
    : io(io), spec(std::move(specIn)), done(std::move(doneIn)), registry(registry), handle(handle),
      started(started), pid(child.pid), exitWatch(exitWatch), stdinPipe(io),
      out{boost::asio::posix::stream_descriptor(io), std::vector<char>(kReadChunk), &result.out},
      err{boost::asio::posix::stream_descriptor(io), std::vector<char>(kReadChunk), &result.err},
      pidfd(io), timeoutTimer(io), graceTimer(io), drainTimer(io), pollTimer(io) {
  result.pid = pid;
  // Ownership of the fds moves into the descriptors (which close them).
  // assign() registers with the reactor; a failure leaves the fd with us.
  boost::system::error_code ec;
  if (child.stdinWrite) {
    stdinPipe.assign(child.stdinWrite.get(), ec);
    if (!ec)
      child.stdinWrite.release();
  }
  out.pipe.assign(child.stdoutRead.get(), ec);
  if (!ec)
    child.stdoutRead.release();
  err.pipe.assign(child.stderrRead.get(), ec);
  if (!ec)
    child.stderrRead.release();
  // Any fd still owned by `child` (assign failed) closes here; start()
  // notices the unopened descriptor.
}

RunningProcess::~RunningProcess() = default;

void RunningProcess::start() {
  if (!out.pipe.is_open() || !err.pipe.is_open() || (!spec.stdinData.empty() && !stdinPipe.is_open()))
    return failEarly(makeExecError(ExecErrorKind::SpawnFailed,
                                   "cannot watch the pipes of '" + spec.argv[0] + "'"));
  if (stdinPipe.is_open())
    writeStdin();
  startRead(Stream::Out);
  startRead(Stream::Err);
  watchExit();
  if (spec.timeoutSeconds > 0) {
    timeoutTimer.expires_after(toDuration(spec.timeoutSeconds));
    timeoutTimer.async_wait([self = shared_from_this()](const boost::system::error_code &ec) {
      if (!ec)
        self->onTimeout();
    });
  }
}

// --- stdin -----------------------------------------------------------------

void RunningProcess::writeStdin() {
  const std::string &data = spec.stdinData;
  while (stdinOffset < data.size()) {
    size_t chunk = std::min(data.size() - stdinOffset, kWriteChunk);
    ssize_t n = writeNoSigpipe(stdinPipe.native_handle(), data.data() + stdinOffset, chunk);
    if (n > 0) {
      stdinOffset += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      stdinPipe.async_wait(boost::asio::posix::descriptor_base::wait_write,
                           [self = shared_from_this()](const boost::system::error_code &ec) {
                             if (ec || self->finished)
                               return self->closeStdin();
                             self->writeStdin();
                           });
      return;
    }
    break; // EPIPE (the child closed its stdin or exited) or another error: drop the rest.
  }
  closeStdin();
}

void RunningProcess::closeStdin() {
  boost::system::error_code ignored;
  stdinPipe.close(ignored);
}

// --- stdout / stderr ---------------------------------------------------------

void RunningProcess::startRead(Stream s) {
  Output &o = output(s);
  o.pipe.async_read_some(boost::asio::buffer(o.buffer),
                         [self = shared_from_this(), s](const boost::system::error_code &ec, size_t n) {
                           self->onRead(s, ec, n);
                         });
}

void RunningProcess::onRead(Stream s, const boost::system::error_code &ec, size_t n) {
  Output &o = output(s);
  if (finished || o.eof)
    return;
  append(o, o.buffer.data(), n);
  if (!ec)
    return startRead(s);
  // EOF, or an error we cannot do anything about: this stream is done.
  o.eof = true;
  boost::system::error_code ignored;
  o.pipe.close(ignored);
  finishIfDone();
}

void RunningProcess::append(Output &o, const char *data, size_t n) {
  size_t room = o.text->size() < spec.maxOutputBytes ? spec.maxOutputBytes - o.text->size() : 0;
  if (n > room)
    result.outputTruncated = true;
  o.text->append(data, std::min(n, room));
}

void RunningProcess::drainNow(Output &o) {
  // Whatever is already in the pipe is kept; nothing more is waited for.
  if (o.eof)
    return;
  if (o.pipe.is_open()) {
    for (;;) {
      ssize_t n = ::read(o.pipe.native_handle(), o.buffer.data(), o.buffer.size());
      if (n > 0) {
        append(o, o.buffer.data(), static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR)
        continue;
      break;
    }
  }
  o.eof = true;
  boost::system::error_code ignored;
  o.pipe.close(ignored); // cancels the pending read
}

// --- exit --------------------------------------------------------------------

void RunningProcess::watchExit() {
  // glibc 2.36's <sys/pidfd.h> lacks extern "C" (fixed in 2.37): call the
  // system call directly.
  int fd = exitWatch == ExitWatch::Pidfd ? static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)) : -1;
  if (fd >= 0) {
    boost::system::error_code ec;
    pidfd.assign(fd, ec);
    if (!ec) {
      pidfd.async_wait(boost::asio::posix::descriptor_base::wait_read,
                       [self = shared_from_this()](const boost::system::error_code &ec) {
                         if (self->finished || ec == boost::asio::error::operation_aborted)
                           return;
                         if (ec)
                           return self->pollExit(); // the reactor gave up on the pidfd
                         self->onExit();
                       });
      return;
    }
    ::close(fd);
  }
  // No pidfd (old kernel, seccomp): poll without reaping.
  pollExit();
}

void RunningProcess::pollExit() {
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  int r;
  do
    r = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
  while (r < 0 && errno == EINTR);
  if (r < 0 || info.si_pid != 0)
    return onExit(); // exited (or not ours to wait for: finish reports it)
  pollTimer.expires_after(kExitPollInterval);
  pollTimer.async_wait([self = shared_from_this()](const boost::system::error_code &ec) {
    if (!ec && !self->finished)
      self->pollExit();
  });
}

void RunningProcess::onExit() {
  if (exited || finished)
    return;
  exited = true;
  timeoutTimer.cancel();
  graceTimer.cancel();
  if (out.eof && err.eof)
    return finish();
  // Something (a background grandchild) may still hold the pipes open.
  drainTimer.expires_after(toDuration(spec.drainSeconds));
  drainTimer.async_wait([self = shared_from_this()](const boost::system::error_code &ec) {
    if (ec || self->finished)
      return;
    self->drainNow(self->out);
    self->drainNow(self->err);
    self->finish();
  });
}

// --- timeout and cancellation --------------------------------------------------

void RunningProcess::onTimeout() {
  if (exited || finished)
    return;
  result.timedOut = true;
  terminate();
}

void RunningProcess::cancel() {
  if (exited || finished)
    return; // already over (or draining): nothing left to stop
  result.cancelled = true;
  terminate();
}

void RunningProcess::terminate() {
  if (terminating)
    return;
  terminating = true;
  timeoutTimer.cancel();
  // The leader has not been reaped, so the group id is still ours.
  ::killpg(pid, SIGTERM);
  graceTimer.expires_after(toDuration(spec.graceSeconds));
  graceTimer.async_wait([self = shared_from_this()](const boost::system::error_code &ec) {
    if (!ec && !self->exited && !self->finished)
      ::killpg(self->pid, SIGKILL);
  });
}

// --- completion ----------------------------------------------------------------

void RunningProcess::finishIfDone() {
  if (exited && out.eof && err.eof && !finished)
    finish();
}

void RunningProcess::finish() {
  finished = true;
  // Stragglers of the group die with the call (the zombie leader pins the
  // group id, so this cannot hit an unrelated group).
  ::killpg(pid, SIGKILL);
  int status = 0;
  bool reaped = reap(pid, status);
  int waitErrno = errno;

  boost::system::error_code ignored;
  closeStdin();
  out.pipe.close(ignored);
  err.pipe.close(ignored);
  pidfd.close(ignored);
  timeoutTimer.cancel();
  graceTimer.cancel();
  drainTimer.cancel();
  pollTimer.cancel();

  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (reaped) {
    if (WIFEXITED(status)) {
      result.exitCode = WEXITSTATUS(status);
      result.signal = 0;
    } else if (WIFSIGNALED(status)) {
      result.exitCode = -1;
      result.signal = WTERMSIG(status);
    }
  }

  auto self = shared_from_this(); // keep alive while the registry lets go
  registry.remove(handle);
  ProcessCallback cb = std::move(done);
  done = nullptr;
  if (!cb)
    return;
  if (!reaped)
    return cb(makeExecError(ExecErrorKind::WaitFailed, "cannot reap '" + spec.argv[0] + "' (pid " +
                                                           std::to_string(pid) +
                                                           "): " + std::strerror(waitErrno)));
  cb(std::move(result));
}

void RunningProcess::failEarly(llvm::Error error) {
  // Called from start(): the callback must not run inside runProcess.
  finished = true;
  ::killpg(pid, SIGKILL);
  int status;
  reap(pid, status);
  registry.remove(handle);
  std::string message = llvm::toString(std::move(error));
  boost::asio::post(io, [cb = std::move(done), message = std::move(message)]() {
    if (cb)
      cb(makeExecError(ExecErrorKind::SpawnFailed, message));
  });
  done = nullptr;
}

void RunningProcess::abandon() {
  if (finished)
    return;
  finished = true;
  done = nullptr;
  ::killpg(pid, SIGKILL);
  int status;
  reap(pid, status);
}

} // namespace llmflow::exec
