// ExecError: names of the kinds and the log format.
#include "exec/exec_error.h"

#include "llvm/Support/raw_ostream.h"

namespace llmflow::exec {

char ExecError::ID = 0;

llvm::StringRef toString(ExecErrorKind kind) {
  switch (kind) {
  case ExecErrorKind::ProgramNotFound: return "program-not-found";
  case ExecErrorKind::BadWorkingDirectory: return "bad-working-directory";
  case ExecErrorKind::SpawnFailed: return "spawn-failed";
  case ExecErrorKind::WaitFailed: return "wait-failed";
  case ExecErrorKind::UnknownBuiltin: return "unknown-builtin";
  case ExecErrorKind::BadArgument: return "bad-argument";
  case ExecErrorKind::PathNotFound: return "path-not-found";
  case ExecErrorKind::BadRegex: return "bad-regex";
  case ExecErrorKind::MalformedJSON: return "malformed-json";
  case ExecErrorKind::AccessDenied: return "access-denied";
  case ExecErrorKind::FileNotFound: return "file-not-found";
  case ExecErrorKind::FileTooLarge: return "file-too-large";
  case ExecErrorKind::IOError: return "io-error";
  }
  llvm_unreachable("unknown ExecErrorKind");
}

void ExecError::log(llvm::raw_ostream &os) const { os << message; }

llvm::Error makeExecError(ExecErrorKind kind, std::string message) {
  return llvm::make_error<ExecError>(kind, std::move(message));
}

} // namespace llmflow::exec
