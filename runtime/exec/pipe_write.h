// Writing to a pipe whose reader may have gone away, without SIGPIPE and
// without touching process-wide signal state: SIGPIPE is blocked in the
// calling thread for the duration of the write, and a SIGPIPE that the
// write itself raised is consumed before the mask is restored. The caller
// sees EPIPE instead.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace llmflow::exec {

/// Like write(2) (returns -1 and sets errno on failure; EINTR is retried),
/// but a closed reader yields EPIPE instead of a signal.
ssize_t writeNoSigpipe(int fd, const void *data, size_t size);

} // namespace llmflow::exec
