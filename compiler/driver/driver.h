// The compiler pipeline as a library: load (parse + imports) -> check ->
// lower -> verify. The CLI and tests drive it; it never prints by itself
// (diagnostics go to the consumer given).
#pragma once

#include "ast/program.h"
#include "driver/loader.h"
#include "ir/ir.h"
#include "sema/sema.h"
#include "support/diagnostics.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <optional>

namespace llmflow::driver {

struct Options {
  std::string stdlibDir;
  unsigned errorLimit = 20;
  bool warningsAsErrors = false;
  bool noWarnings = false;
  parse::ParseOptions parse;
  sema::SemaOptions sema;
  LoadOptions loadOptions() const;
};

/// The stdlib directory: $LLMFLOW_STDLIB, else PREFIX/share/llmflow/stdlib
/// for the executable PREFIX/bin/llmflow (whether or not it exists: an
/// import error names it).
std::string defaultStdlibDir(const char *argv0);

class Session {
public:
  Session(support::DiagnosticConsumer &consumer, Options opts);

  const ast::Program *load(llvm::StringRef path);
  /// Loads a main module held in memory (tests, fuzzing, editors).
  const ast::Program *loadSource(llvm::StringRef name, llvm::StringRef text);
  /// Requires a successful load(). Null if the program has errors.
  const sema::CheckedProgram *check();
  /// Requires a successful check(). Lowers and verifies; a verifier failure
  /// is a compiler bug reported as an llvm::Error.
  llvm::Expected<ir::Module> lower();

  /// After load(): the main file could not be read (exit status 3, not 1).
  bool inputUnreadable() const { return unreadable; }
  support::DiagnosticEngine &diags() { return engine; }
  llvm::SourceMgr &sourceMgr() { return sm; }
  const ast::Program *program() const { return prog ? &*prog : nullptr; }

private:
  Options opts;
  llvm::SourceMgr sm;
  support::DiagnosticEngine engine;
  ast::ASTContext ctx;
  std::optional<ast::Program> prog;
  std::unique_ptr<sema::CheckedProgram> checked;
  bool unreadable = false;
};

} // namespace llmflow::driver
