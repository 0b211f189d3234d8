// writeNoSigpipe: the thread-local "block, write, consume" idiom for SIGPIPE.
#include "exec/pipe_write.h"

#include <cerrno>
#include <csignal>
#include <ctime>
#include <pthread.h>
#include <unistd.h>

namespace llmflow::exec {

ssize_t writeNoSigpipe(int fd, const void *data, size_t size) {
  sigset_t pipeSet, oldMask, pending;
  sigemptyset(&pipeSet);
  sigaddset(&pipeSet, SIGPIPE);
  // A SIGPIPE already pending for this thread is not ours to consume.
  sigpending(&pending);
  bool wasPending = sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &pipeSet, &oldMask);

  ssize_t n;
  do
    n = ::write(fd, data, size);
  while (n < 0 && errno == EINTR);
  int savedErrno = errno;

  if (n < 0 && savedErrno == EPIPE && !wasPending) {
    // The SIGPIPE was directed at this thread and is pending now (unless
    // SIGPIPE is ignored process-wide, in which case there is nothing).
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipeSet, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &oldMask, nullptr);
  errno = savedErrno;
  return n;
}

} // namespace llmflow::exec
