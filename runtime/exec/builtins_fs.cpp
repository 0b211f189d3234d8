// fs.read: a UTF-8 text file confined to BuiltinContext::dataDir.
//
// The path (relative to the data directory, or absolute) is resolved with
// realpath and must land inside the resolved data directory; the file is
// then opened relative to the directory with openat2(RESOLVE_BENEATH), so a
// symlink swapped in after the check cannot lead outside either. Only
// regular files are read (a FIFO would block), up to maxFileBytes.
#include "exec/builtin_args.h"
#include "exec/builtin_impls.h"
#include "exec/exec_error.h"
#include "exec/unique_fd.h"

#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>

namespace llmflow::exec::impl {
namespace {

constexpr llvm::StringLiteral kName = "fs.read";

llvm::Error fsError(ExecErrorKind kind, const std::string &message) {
  return makeExecError(kind, std::string(kName) + ": " + message);
}

llvm::Expected<std::string> realPath(const std::string &path) {
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf))
    return llvm::errorCodeToError(std::error_code(errno, std::generic_category()));
  return std::string(buf);
}

/// Opens `relative` (no leading '/') beneath `dirFd`; RESOLVE_BENEATH
/// refuses '..' escapes, absolute symlinks and magic links.
int openBeneath(int dirFd, const std::string &relative, const std::string &absolute) {
  struct open_how how;
  std::memset(&how, 0, sizeof how);
  how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  int fd;
  do
    fd = static_cast<int>(::syscall(SYS_openat2, dirFd, relative.c_str(), &how, sizeof how));
  while (fd < 0 && errno == EINTR);
  if (fd >= 0 || errno != ENOSYS)
    return fd;
  // Kernels before 5.6: the realpath check above is all we have; at least
  // refuse a symlink in the last component.
  do
    fd = ::open(absolute.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW);
  while (fd < 0 && errno == EINTR);
  return fd;
}

} // namespace

Result fsRead(const Args &args, const BuiltinContext &ctx) {
  auto pathArg = stringArg(args, kName, "path");
  if (!pathArg)
    return pathArg.takeError();
  std::string path = pathArg->str();
  if (ctx.dataDir.empty())
    return fsError(ExecErrorKind::AccessDenied, "file access is disabled (no data directory is configured)");
  if (path.empty())
    return fsError(ExecErrorKind::BadArgument, "the path is empty");
  if (path.find('\0') != std::string::npos)
    return fsError(ExecErrorKind::BadArgument, "the path contains a NUL byte");

  auto root = realPath(ctx.dataDir);
  if (!root)
    return fsError(ExecErrorKind::IOError, "data directory '" + ctx.dataDir +
                                               "' is not accessible: " + llvm::toString(root.takeError()));
  std::string candidate = path.front() == '/' ? path : *root + "/" + path;
  auto resolved = realPath(candidate);
  if (!resolved) {
    std::error_code ec = llvm::errorToErrorCode(resolved.takeError());
    // Do not reveal what exists outside: check containment lexically first.
    llvm::StringRef p(path);
    if (p.front() == '/' && !p.startswith(*root + "/") && !p.startswith(llvm::StringRef(ctx.dataDir).rtrim('/').str() + "/"))
      return fsError(ExecErrorKind::AccessDenied, "'" + path + "' is outside the data directory");
    if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory)
      return fsError(ExecErrorKind::FileNotFound, "no such file '" + path + "'");
    return fsError(ExecErrorKind::IOError, "cannot resolve '" + path + "': " + ec.message());
  }
  llvm::StringRef inside(*resolved);
  if (inside == *root || !inside.consume_front(*root + "/"))
    return fsError(ExecErrorKind::AccessDenied, "'" + path + "' is outside the data directory");

  UniqueFd dir(::open(root->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir)
    return fsError(ExecErrorKind::IOError, "cannot open the data directory: " + std::string(std::strerror(errno)));
  UniqueFd file(openBeneath(dir.get(), inside.str(), *resolved));
  if (!file) {
    int e = errno;
    if (e == EXDEV || e == ELOOP)
      return fsError(ExecErrorKind::AccessDenied, "'" + path + "' is outside the data directory");
    if (e == ENOENT)
      return fsError(ExecErrorKind::FileNotFound, "no such file '" + path + "'");
    return fsError(ExecErrorKind::IOError, "cannot open '" + path + "': " + std::strerror(e));
  }
  struct stat st;
  if (::fstat(file.get(), &st) < 0)
    return fsError(ExecErrorKind::IOError, "cannot stat '" + path + "': " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return fsError(ExecErrorKind::IOError, "'" + path + "' is not a regular file");
  if (static_cast<uint64_t>(st.st_size) > ctx.maxFileBytes)
    return fsError(ExecErrorKind::FileTooLarge, "'" + path + "' is " + std::to_string(st.st_size) +
                                                    " bytes, over the limit of " +
                                                    std::to_string(ctx.maxFileBytes));

  std::string content;
  content.resize(static_cast<size_t>(st.st_size) + 1); // +1 notices growth
  size_t got = 0;
  for (;;) {
    if (got == content.size()) {
      if (content.size() > ctx.maxFileBytes)
        return fsError(ExecErrorKind::FileTooLarge,
                       "'" + path + "' grew over the limit of " + std::to_string(ctx.maxFileBytes) + " bytes");
      content.resize(std::min(content.size() * 2, ctx.maxFileBytes + 1));
    }
    ssize_t n = ::read(file.get(), content.data() + got, content.size() - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return fsError(ExecErrorKind::IOError, "cannot read '" + path + "': " + std::strerror(errno));
    if (n == 0)
      break;
    got += static_cast<size_t>(n);
  }
  content.resize(got);
  size_t badAt = 0;
  if (!llvm::json::isUTF8(content, &badAt))
    return fsError(ExecErrorKind::IOError,
                   "'" + path + "' is not UTF-8 text (invalid byte at offset " + std::to_string(badAt) + ")");
  return llvm::json::Value(std::move(content));
}

} // namespace llmflow::exec::impl
