// Starting and stopping tests/servers/fake_openai.py from C++ tests and
// benchmarks: finds python3 on PATH, spawns the server with posix_spawn in its
// own process group (stdin a pipe, so the server exits if we die), reads the
// "PORT <n>" line, and on destruction sends SIGTERM, waits briefly, then
// SIGKILL. Header-only; test support, not part of any library.
#pragma once

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace llmflow::testing {

inline std::optional<std::string> findOnPath(const std::string &program) {
  const char *path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos)
      end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

class FakeOpenAIServer {
public:
  /// `args` go after the script path (e.g. {"--ttft", "0.05"}). Throws
  /// std::runtime_error when python3 is missing or the server does not start.
  explicit FakeOpenAIServer(std::vector<std::string> args = {},
                            std::string sourceDir = LLMFLOW_SOURCE_DIR) {
    std::optional<std::string> python = findOnPath("python3");
    if (!python)
      throw std::runtime_error("python3 not found on PATH");
    std::vector<std::string> argv = {*python,
                                     sourceDir + "/tests/servers/fake_openai.py",
                                     "--port",
                                     "0",
                                     "--watch-stdin",
                                     "--max-seconds",
                                     "300"};
    argv.insert(argv.end(), args.begin(), args.end());
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0)
      throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    std::vector<char *> cargv;
    for (std::string &a : argv)
      cargv.push_back(a.data());
    cargv.push_back(nullptr);
    int rc = ::posix_spawn(&pid, argv[0].c_str(), &actions, &attr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(in[0]);
    ::close(out[1]);
    stdinFd = in[1];
    stdoutFd = out[0];
    if (rc != 0) {
      pid = -1;
      closeFds();
      throw std::runtime_error(std::string("posix_spawn: ") + std::strerror(rc));
    }
    readPort();
  }

  ~FakeOpenAIServer() { stop(); }
  FakeOpenAIServer(const FakeOpenAIServer &) = delete;
  FakeOpenAIServer &operator=(const FakeOpenAIServer &) = delete;

  unsigned port() const { return portNumber; }
  std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(portNumber); }

  /// If the server has exited on its own (it should not while in use), a
  /// description of how; reaps it. Empty while it runs.
  std::string diedHow() {
    if (pid <= 0)
      return exitStatus == -1 ? "" : "stopped";
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) != pid)
      return "";
    pid = -1;
    closeFds();
    exitStatus = status;
    if (WIFSIGNALED(status))
      return "killed by signal " + std::to_string(WTERMSIG(status));
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  }

  /// SIGTERM, up to 2 s grace, then SIGKILL; returns the exit status (or -1).
  int stop() {
    if (pid <= 0)
      return exitStatus;
    ::kill(-pid, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    int status = 0;
    for (;;) {
      pid_t r = ::waitpid(pid, &status, WNOHANG);
      if (r == pid)
        break;
      if (r < 0 && errno != EINTR) {
        status = -1;
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    pid = -1;
    closeFds();
    exitStatus = status;
    return status;
  }

private:
  void readPort() {
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (line.find('\n') == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        break;
      pollfd p{stdoutFd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        continue;
      char buf[256];
      ssize_t n = ::read(stdoutFd, buf, sizeof buf);
      if (n <= 0)
        break;
      line.append(buf, static_cast<size_t>(n));
    }
    if (line.rfind("PORT ", 0) != 0) {
      stop();
      throw std::runtime_error("fake_openai.py did not report its port: '" + line + "'");
    }
    portNumber = static_cast<unsigned>(std::stoul(line.substr(5)));
  }

  void closeFds() {
    if (stdinFd >= 0)
      ::close(stdinFd);
    if (stdoutFd >= 0)
      ::close(stdoutFd);
    stdinFd = stdoutFd = -1;
  }

  pid_t pid = -1;
  int stdinFd = -1, stdoutFd = -1;
  unsigned portNumber = 0;
  int exitStatus = -1;
};

} // namespace llmflow::testing
