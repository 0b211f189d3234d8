// spawnChild: pipes, posix_spawn file actions and attributes, error mapping.
#include "exec/spawn.h"

#include "exec/exec_error.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace llmflow::exec {
namespace {

std::string errnoText(int err) { return std::strerror(err); }

/// Moves fd to a number >= 3 so that the child's dup2 onto 0/1/2 never
/// becomes a no-op dup2(fd, fd) that would keep close-on-exec set (possible
/// when the parent runs with 0, 1 or 2 closed).
llvm::Error raiseAboveStdio(UniqueFd &fd) {
  if (fd.get() > 2)
    return llvm::Error::success();
  int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (moved < 0)
    return makeExecError(ExecErrorKind::SpawnFailed, "cannot duplicate a pipe: " + errnoText(errno));
  fd.reset(moved);
  return llvm::Error::success();
}

struct Pipe {
  UniqueFd read, write;
};

llvm::Expected<Pipe> makePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0)
    return makeExecError(ExecErrorKind::SpawnFailed, "cannot create a pipe: " + errnoText(errno));
  Pipe p{UniqueFd(fds[0]), UniqueFd(fds[1])};
  if (auto e = raiseAboveStdio(p.read))
    return e;
  if (auto e = raiseAboveStdio(p.write))
    return e;
  return p;
}

llvm::Error setNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
    return makeExecError(ExecErrorKind::SpawnFailed, "cannot make a pipe non-blocking: " + errnoText(errno));
  return llvm::Error::success();
}

llvm::Error checkWorkingDirectory(const std::string &cwd) {
  if (cwd.empty())
    return llvm::Error::success();
  struct stat st;
  if (::stat(cwd.c_str(), &st) < 0)
    return makeExecError(ExecErrorKind::BadWorkingDirectory,
                         "working directory '" + cwd + "': " + errnoText(errno));
  if (!S_ISDIR(st.st_mode))
    return makeExecError(ExecErrorKind::BadWorkingDirectory,
                         "working directory '" + cwd + "' is not a directory");
  if (::access(cwd.c_str(), X_OK) < 0)
    return makeExecError(ExecErrorKind::BadWorkingDirectory,
                         "working directory '" + cwd + "': " + errnoText(errno));
  return llvm::Error::success();
}

llvm::Error checkNoNul(const std::vector<std::string> &strings, llvm::StringRef what) {
  for (size_t i = 0; i < strings.size(); ++i)
    if (strings[i].find('\0') != std::string::npos)
      return makeExecError(ExecErrorKind::SpawnFailed,
                           what.str() + " " + std::to_string(i) + " contains a NUL byte");
  return llvm::Error::success();
}

llvm::Error spawnError(int err, const ProcessSpec &spec) {
  const std::string &prog = spec.argv[0];
  // chdir failures are reported with the same errno values as exec
  // failures; the directory may have vanished since the check.
  if (!spec.cwd.empty())
    if (auto e = checkWorkingDirectory(spec.cwd))
      return e;
  bool hasSlash = prog.find('/') != std::string::npos;
  switch (err) {
  case ENOENT:
    return makeExecError(ExecErrorKind::ProgramNotFound,
                         hasSlash ? "program '" + prog + "' does not exist"
                                  : "program '" + prog + "' not found in PATH");
  case EACCES:
  case ENOEXEC:
  case ENOTDIR:
  case EISDIR:
    return makeExecError(ExecErrorKind::ProgramNotFound,
                         "program '" + prog + "' cannot be executed: " + errnoText(err));
  default:
    return makeExecError(ExecErrorKind::SpawnFailed, "cannot spawn '" + prog + "': " + errnoText(err));
  }
}

/// posix_spawn's C objects with RAII destruction.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup &) = delete;
  SpawnSetup &operator=(const SpawnSetup &) = delete;
};

} // namespace

std::vector<std::string> mergeEnvironment(char *const *base, const std::vector<std::string> &overrides) {
  llvm::StringSet<> overridden;
  for (const std::string &kv : overrides)
    overridden.insert(llvm::StringRef(kv).split('=').first);
  std::vector<std::string> env;
  for (char *const *p = base; p && *p; ++p) {
    llvm::StringRef kv(*p);
    if (!overridden.contains(kv.split('=').first))
      env.push_back(kv.str());
  }
  env.insert(env.end(), overrides.begin(), overrides.end());
  return env;
}

std::vector<std::string> pickEnvironment(char *const *base, const std::vector<std::string> &names) {
  std::vector<std::string> env;
  for (const std::string &name : names)
    for (char *const *p = base; p && *p; ++p)
      if (llvm::StringRef(*p).split('=').first == name) {
        env.push_back(*p);
        break;
      }
  return env;
}

llvm::Expected<SpawnedChild> spawnChild(const ProcessSpec &spec) {
  if (spec.argv.empty() || spec.argv[0].empty())
    return makeExecError(ExecErrorKind::SpawnFailed, "cannot spawn a process with an empty argv");
  if (auto e = checkNoNul(spec.argv, "argument"))
    return e;
  if (auto e = checkNoNul(spec.extraEnv, "environment entry"))
    return e;
  for (const std::string &kv : spec.extraEnv)
    if (kv.find('=') == std::string::npos || kv.front() == '=')
      return makeExecError(ExecErrorKind::SpawnFailed, "environment entry '" + kv + "' is not NAME=value");
  if (auto e = checkWorkingDirectory(spec.cwd))
    return e;

  bool feedStdin = !spec.stdinData.empty();
  Pipe in, out, err;
  if (feedStdin) {
    auto p = makePipe();
    if (!p)
      return p.takeError();
    in = std::move(*p);
  }
  for (Pipe *p : {&out, &err}) {
    auto made = makePipe();
    if (!made)
      return made.takeError();
    *p = std::move(*made);
  }

  SpawnSetup setup;
  int rc = 0;
  auto check = [&](int r) { if (rc == 0) rc = r; };
  if (feedStdin)
    check(posix_spawn_file_actions_adddup2(&setup.actions, in.read.get(), 0));
  else
    check(posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0));
  check(posix_spawn_file_actions_adddup2(&setup.actions, out.write.get(), 1));
  check(posix_spawn_file_actions_adddup2(&setup.actions, err.write.get(), 2));
  if (!spec.cwd.empty())
    check(posix_spawn_file_actions_addchdir_np(&setup.actions, spec.cwd.c_str()));
  // Whatever the parent has open without O_CLOEXEC stays out of the child.
  check(posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3));

  // Own process group (pgid = pid); default dispositions for every signal
  // (an ignored SIGPIPE in the parent must not leak into tools) and an
  // empty mask (the spawning thread may block some).
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  check(posix_spawnattr_setflags(&setup.attr,
                                 POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK));
  check(posix_spawnattr_setpgroup(&setup.attr, 0));
  check(posix_spawnattr_setsigdefault(&setup.attr, &all));
  check(posix_spawnattr_setsigmask(&setup.attr, &none));
  if (rc != 0)
    return makeExecError(ExecErrorKind::SpawnFailed,
                         "cannot prepare to spawn '" + spec.argv[0] + "': " + errnoText(rc));

  std::vector<char *> argv;
  for (const std::string &a : spec.argv)
    argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> envStrings =
      spec.inheritEnvironment ? mergeEnvironment(environ, spec.extraEnv) : spec.extraEnv;
  std::vector<char *> envp;
  for (std::string &kv : envStrings)
    envp.push_back(kv.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  // glibc's posix_spawn reports exec and file-action failures (including
  // chdir) through its return value.
  rc = posix_spawnp(&pid, argv[0], &setup.actions, &setup.attr, argv.data(), envp.data());
  if (rc != 0)
    return spawnError(rc, spec);

  SpawnedChild child;
  child.pid = pid;
  child.stdinWrite = std::move(in.write);
  child.stdoutRead = std::move(out.read);
  child.stderrRead = std::move(err.read);
  // The child's ends close here (they live on only in the child).
  for (UniqueFd *fd : {&child.stdinWrite, &child.stdoutRead, &child.stderrRead})
    if (*fd)
      if (auto e = setNonBlocking(fd->get())) {
        // The child runs already: do not leave it behind.
        ::killpg(pid, SIGKILL);
        int status;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        return e;
      }
  return child;
}

} // namespace llmflow::exec
