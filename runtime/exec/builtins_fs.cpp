// fs.read: a UTF-8 text file confined to BuiltinContext::dataDir.
//
// The path (relative to the data directory, or absolute) is first judged on
// its text: absolute paths elsewhere and '..' escaping after normalisation
// are "outside" before anything is looked up, so the answer never reveals
// what exists outside. The file is then opened relative to the directory
// with openat2(RESOLVE_BENEATH): a symlink leading out is refused, with the
// same message whether its target exists or not, and one swapped in at any
// moment cannot lead outside either. Only regular files are read (a FIFO
// would block), up to maxFileBytes.
#include "exec/builtin_args.h"
#include "exec/builtin_impls.h"
#include "exec/exec_error.h"
#include "exec/unique_fd.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"

#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <optional>

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

llvm::Error outside(const std::string &path) {
  return fsError(ExecErrorKind::AccessDenied, "'" + path + "' is outside the data directory");
}

/// The path relative to the data directory after removing '.' and '..'
/// lexically, or nothing when it leaves the directory (or names the
/// directory itself). An absolute path must start with one of `roots` (the
/// directory as configured or as resolved).
std::optional<std::string> lexicallyInside(llvm::StringRef path, std::initializer_list<llvm::StringRef> roots) {
  llvm::SmallString<256> rel;
  if (llvm::sys::path::is_absolute(path, llvm::sys::path::Style::posix)) {
    llvm::SmallString<256> norm(path);
    llvm::sys::path::remove_dots(norm, /*remove_dot_dot=*/true, llvm::sys::path::Style::posix);
    for (llvm::StringRef root : roots) {
      llvm::SmallString<256> r(root);
      llvm::sys::path::remove_dots(r, true, llvm::sys::path::Style::posix);
      llvm::StringRef n(norm), prefix(llvm::StringRef(r).rtrim('/'));
      if (n.consume_front(prefix) && n.consume_front("/")) {
        rel = n;
        break;
      }
    }
    if (rel.empty())
      return std::nullopt;
  } else {
    rel = path;
  }
  llvm::sys::path::remove_dots(rel, /*remove_dot_dot=*/true, llvm::sys::path::Style::posix);
  llvm::StringRef r(rel);
  if (r.empty() || r == "." || r == ".." || r.startswith("../"))
    return std::nullopt;
  return r.str();
}

int openat2Beneath(int dirFd, const std::string &relative) {
  struct open_how how;
  std::memset(&how, 0, sizeof how);
  how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  int fd;
  do
    fd = static_cast<int>(::syscall(SYS_openat2, dirFd, relative.c_str(), &how, sizeof how));
  while (fd < 0 && errno == EINTR);
  return fd;
}

/// Opens `relative` (normalised, no leading '/') beneath `dirFd` (the
/// directory `root`); fails with EXDEV for whatever leads outside.
/// RESOLVE_BENEATH refuses '..' escapes, absolute symlinks and magic links
/// before looking at what they point to, so a symlink leading out fails the
/// same way whether its target exists or not. An absolute symlink is refused
/// even when it points inside: for those the path is resolved and, if it
/// stays inside, opened again beneath the directory (whatever is missing on
/// the way reads as outside too).
int openBeneath(int dirFd, const std::string &relative, const std::string &root) {
  int fd = openat2Beneath(dirFd, relative);
  if (fd < 0 && errno == EXDEV) {
    auto resolved = realPath(root + "/" + relative);
    llvm::StringRef inside = resolved ? llvm::StringRef(*resolved) : "";
    if (!resolved)
      llvm::consumeError(resolved.takeError());
    if (!inside.consume_front(root + "/")) {
      errno = EXDEV;
      return -1;
    }
    return openat2Beneath(dirFd, inside.str());
  }
  if (fd >= 0 || errno != ENOSYS)
    return fd;
  // Kernels before 5.6: resolve with realpath and check containment (a
  // dangling symlink out of the directory then reads as a missing file), and
  // refuse a symlink in the last component.
  std::string absolute = root + "/" + relative;
  auto resolved = realPath(absolute);
  if (!resolved) {
    errno = llvm::errorToErrorCode(resolved.takeError()).value();
    return -1;
  }
  if (!llvm::StringRef(*resolved).startswith(root + "/")) {
    errno = EXDEV;
    return -1;
  }
  do
    fd = ::open(resolved->c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW);
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
  // Judged on the text alone, before anything is looked up: '../x' is
  // outside whether or not x exists.
  auto inside = lexicallyInside(path, {ctx.dataDir, *root});
  if (!inside)
    return outside(path);

  UniqueFd dir(::open(root->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir)
    return fsError(ExecErrorKind::IOError, "cannot open the data directory: " + std::string(std::strerror(errno)));
  UniqueFd file(openBeneath(dir.get(), *inside, *root));
  if (!file) {
    int e = errno;
    if (e == EXDEV || e == ELOOP)
      return outside(path);
    if (e == ENOENT || e == ENOTDIR)
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
