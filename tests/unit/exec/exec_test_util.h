// Helpers shared by the exec unit tests: run a process to completion on a
// private io_context, take an ExecError apart, count open descriptors, and
// make throw-away directories.
#pragma once

#include "exec/builtins.h"
#include "exec/exec_error.h"
#include "exec/process.h"

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <dirent.h>

#include <filesystem>
#include <optional>
#include <string>

namespace llmflow::exec::test {

struct Failure {
  std::string kind; // toString(ExecErrorKind), or "" when not an ExecError
  std::string message;
};

/// Kinds are compared as their names: doctest's stringification would find
/// exec::toString (returning StringRef) by ADL and not compile.
inline std::string kindOf(ExecErrorKind k) { return toString(k).str(); }

inline Failure takeFailure(llvm::Error err) {
  Failure f;
  llvm::handleAllErrors(
      std::move(err),
      [&](const ExecError &e) {
        f.kind = kindOf(e.kind);
        f.message = e.message;
      },
      [&](const llvm::ErrorInfoBase &e) { f.message = e.message(); });
  return f;
}

/// Runs one process on a fresh io_context until everything completes.
inline llvm::Expected<ProcessResult> runSync(ProcessSpec spec) {
  boost::asio::io_context io;
  std::optional<llvm::Expected<ProcessResult>> got;
  runProcess(io, std::move(spec), [&](llvm::Expected<ProcessResult> r) { got.emplace(std::move(r)); });
  io.run();
  if (!got)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "callback never ran");
  return std::move(*got);
}

inline int countOpenFds() {
  int n = 0;
  DIR *d = ::opendir("/proc/self/fd");
  if (!d)
    return -1;
  while (struct dirent *e = ::readdir(d))
    if (e->d_name[0] != '.')
      ++n;
  ::closedir(d);
  return n - 1; // the DIR's own descriptor
}

/// True when `pid` no longer runs (gone, or a zombie waiting for its reaper).
inline bool processGone(int pid) {
  std::string stat = "/proc/" + std::to_string(pid) + "/stat";
  FILE *f = std::fopen(stat.c_str(), "r");
  if (!f)
    return true;
  char buf[512] = {};
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  std::string s(buf, n);
  size_t paren = s.rfind(')');
  return paren != std::string::npos && paren + 2 < s.size() && (s[paren + 2] == 'Z' || s[paren + 2] == 'X');
}

/// Polls processGone for up to `seconds`.
bool waitGone(int pid, double seconds);

class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::filesystem::path &path() const { return dir; }
  std::filesystem::path operator/(const std::string &name) const { return dir / name; }
  void write(const std::string &name, const std::string &content) const;

private:
  std::filesystem::path dir;
};

/// Calls a builtin that must succeed; a failure fails the check and gives null.
inline llvm::json::Value callOk(llvm::StringRef name, std::initializer_list<llvm::json::Object::KV> kvs,
                                const BuiltinContext &ctx = {}) {
  auto r = callBuiltin(name, llvm::json::Object(kvs), ctx);
  if (!r) {
    FAIL_CHECK("unexpected error: " << llvm::toString(r.takeError()));
    return nullptr;
  }
  return std::move(*r);
}

/// Calls a builtin that must fail, returning the failure to inspect.
inline Failure callFails(llvm::StringRef name, std::initializer_list<llvm::json::Object::KV> kvs,
                         const BuiltinContext &ctx = {}) {
  auto r = callBuiltin(name, llvm::json::Object(kvs), ctx);
  if (r) {
    FAIL_CHECK("expected an error from " << name.str());
    return {};
  }
  return takeFailure(r.takeError());
}

} // namespace llmflow::exec::test
