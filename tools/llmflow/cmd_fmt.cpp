// llmflow fmt FILE...: format programs in place (or check that they are
// formatted, or print them). The layout rules are the format library's.
#include "commands.h"
#include "format/format.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace llmflow::cli {

namespace {

/// Replaces `file` by `text` atomically: a temporary file beside it, with
/// its permissions, renamed over it. An error message, or "".
std::string replaceFile(const std::string &file, llvm::StringRef text) {
  llvm::SmallString<256> tmp;
  int fd;
  llvm::SmallString<256> model(file);
  model += ".fmt-%%%%%%";
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(model, fd, tmp))
    return ec.message();
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << text;
    os.close();
    if (os.has_error()) {
      std::string why = os.error().message();
      os.clear_error();
      llvm::sys::fs::remove(tmp);
      return why;
    }
  }
  if (auto perms = llvm::sys::fs::getPermissions(file))
    (void)llvm::sys::fs::setPermissions(tmp, *perms);
  if (std::error_code ec = llvm::sys::fs::rename(tmp, file)) {
    llvm::sys::fs::remove(tmp);
    return ec.message();
  }
  return "";
}

enum class Outcome { Unchanged, Changed, Errors, Unreadable, Failed };

/// Formats one file (or standard input, for "-") as the flags say.
Outcome formatOne(const std::string &path, const Args &args, support::DiagnosticConsumer &consumer) {
  bool fromStdin = path == "-";
  std::string file = fromStdin ? "<stdin>" : programFile(path);
  llvm::SourceMgr sm;
  support::DiagnosticEngine diags(sm, consumer);
  std::string why = fromStdin ? "" : unreadableReason(file);
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buf = std::make_error_code(std::errc::io_error);
  if (why.empty()) {
    buf = fromStdin ? llvm::MemoryBuffer::getSTDIN() : llvm::MemoryBuffer::getFile(file, /*IsText=*/true);
    if (!buf)
      why = buf.getError().message();
  }
  if (!why.empty()) {
    diags.report(support::DiagID::ErrFileNotReadable, support::FileLoc{file, 1, 1}) << file << why;
    return Outcome::Unreadable;
  }
  std::string before = (*buf)->getBuffer().str();
  if (fromStdin)
    *buf = llvm::MemoryBuffer::getMemBufferCopy(before, file);
  unsigned id = sm.AddNewSourceBuffer(std::move(*buf), llvm::SMLoc());
  auto formatted = format::formatBuffer(id, diags);
  if (!formatted) {
    llvm::errs() << "llmflow fmt: " << file << ": " << llvm::toString(formatted.takeError()) << "\n";
    return Outcome::Failed;
  }
  if (!*formatted)
    return Outcome::Errors;
  const std::string &after = **formatted;
  if (fromStdin || args.has("stdout")) {
    llvm::outs() << after;
    return after == before ? Outcome::Unchanged : Outcome::Changed;
  }
  if (after == before)
    return Outcome::Unchanged;
  if (args.has("check")) {
    llvm::outs() << file << "\n";
    return Outcome::Changed;
  }
  if (std::string err = replaceFile(file, after); !err.empty()) {
    llvm::errs() << "llmflow fmt: cannot write " << file << ": " << err << "\n";
    return Outcome::Failed;
  }
  return Outcome::Changed;
}

int runFmt(const Args &args) {
  if (args.positionals.empty()) {
    llvm::errs() << "llmflow fmt: no input files\ntry 'llmflow fmt --help'\n";
    return kUsage;
  }
  if (args.has("check") && args.has("stdout")) {
    llvm::errs() << "llmflow fmt: --check and --stdout cannot be combined\n";
    return kUsage;
  }
  bool ok = true;
  auto consumer = makeConsumer(args, &ok);
  if (!ok)
    return kUsage;
  bool errors = false, wouldChange = false, environment = false;
  for (const std::string &path : args.positionals) {
    switch (formatOne(path, args, *consumer)) {
    case Outcome::Unchanged: break;
    case Outcome::Changed: wouldChange = true; break;
    case Outcome::Errors: errors = true; break;
    case Outcome::Unreadable:
    case Outcome::Failed: environment = true; break;
    }
  }
  consumer->finish(llvm::SourceMgr());
  if (environment)
    return kEnvironment;
  return errors || (args.has("check") && wouldChange) ? kErrors : kOk;
}

} // namespace

Command fmtCommand() {
  Command c;
  c.name = "fmt";
  c.summary = "Format .llmflow programs in place.\n"
              "Only the whitespace between tokens changes: comments and strings stay as\n"
              "written, line breaks inside expressions are kept, statements get a line each\n"
              "and blocks two spaces of indentation (docs/fmt.md). A file with syntax errors\n"
              "is reported as 'check' reports it and left untouched. A FILE may be an example\n"
              "folder; '-' reads standard input and prints the result.\n"
              "Exit status: 0 done (with --check: every file is formatted already), 1 syntax\n"
              "errors or, with --check, a file that would change, 2 usage, 3 a file cannot be\n"
              "read or written.";
  c.usage = "[options] FILE|FOLDER|-...";
  c.options = {
      {"check", false, "change nothing; print the files that formatting would change and exit 1 if any"},
      {"stdout", false, "print the formatted programs to standard output instead of rewriting them"},
  };
  // Of the compiling commands' options, only those about how diagnostics look.
  for (const OptionSpec &o : diagnosticOptions())
    if (o.name == "diagnostics-format" || o.name == "color")
      c.options.push_back(o);
  c.run = runFmt;
  return c;
}

} // namespace llmflow::cli
