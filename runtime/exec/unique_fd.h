// UniqueFd: owns one file descriptor and closes it exactly once. Used by the
// spawn code to hand pipe ends around without leaking on error paths.
#pragma once

#include <unistd.h>

#include <utility>

namespace llmflow::exec {

class UniqueFd {
public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd(fd) {}
  UniqueFd(UniqueFd &&other) noexcept : fd(other.release()) {}
  UniqueFd &operator=(UniqueFd &&other) noexcept {
    if (this != &other)
      reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd &) = delete;
  UniqueFd &operator=(const UniqueFd &) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd; }
  explicit operator bool() const { return fd >= 0; }
  /// Gives up ownership without closing.
  int release() { return std::exchange(fd, -1); }
  void reset(int newFd = -1) {
    if (fd >= 0)
      ::close(fd); // close() is not retried on EINTR: on Linux the fd is gone.
    fd = newFd;
  }

private:
  int fd = -1;
};

} // namespace llmflow::exec
