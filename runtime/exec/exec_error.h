// Typed environmental errors of the exec layer (tool processes and
// synchronous builtins). Callers switch on `kind`; the message is complete
// and names the program, builtin, argument or path involved.
//
// Not for: mistakes in the user's program (compiler diagnostics) or broken
// invariants (asserts).
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace llmflow::exec {

enum class ExecErrorKind {
  // Tool processes.
  ProgramNotFound,    // argv[0] not found / not executable
  BadWorkingDirectory,
  SpawnFailed,        // any other spawn-time failure (pipes, fork, limits)
  WaitFailed,         // the child could not be reaped (someone else reaped it)
  // Builtins.
  UnknownBuiltin,     // not a synchronous builtin
  BadArgument,        // missing or mistyped argument, out-of-range value
  PathNotFound,       // json.get: a path segment is missing
  BadRegex,           // the pattern does not compile, or matching gave up
  MalformedJSON,      // json.parse
  AccessDenied,       // fs.read outside the data directory, or disabled
  FileNotFound,       // fs.read
  FileTooLarge,       // fs.read beyond BuiltinContext::maxFileBytes
  IOError,            // fs.read: other I/O failure, not text
};

llvm::StringRef toString(ExecErrorKind kind);

class ExecError : public llvm::ErrorInfo<ExecError> {
public:
  static char ID;
  ExecError(ExecErrorKind kind, std::string message) : kind(kind), message(std::move(message)) {}
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override { return llvm::inconvertibleErrorCode(); }
  ExecErrorKind kind;
  std::string message;
};

/// Shorthand: llvm::make_error<ExecError>(kind, message).
[[nodiscard]] llvm::Error makeExecError(ExecErrorKind kind, std::string message);

} // namespace llmflow::exec
