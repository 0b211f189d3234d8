// Loading a program: the main file and, transitively, its imports (stdlib
// modules and relative files), with import cycles reported as diagnostics.
#pragma once

#include "ast/program.h"
#include "parse/parser.h"
#include "support/diagnostics.h"

#include <optional>

namespace llmflow::driver {

struct LoadOptions {
  std::string stdlibDir;        // holds std/NAME.llmflow
  parse::ParseOptions parse;
  unsigned maxModules = 256;
};

/// Null on errors (reported). File-level read failures are diagnostics too,
/// located at the import that asked for the file; `unreadable` tells
/// whether the main file itself could not be read.
std::optional<ast::Program> loadProgram(llvm::StringRef path, ast::ASTContext &ctx,
                                        support::DiagnosticEngine &diags, const LoadOptions &opts,
                                        bool *unreadable = nullptr);
/// The same, with the main module's text given (named `path` in diagnostics;
/// relative imports resolve against its directory).
std::optional<ast::Program> loadProgramFromText(llvm::StringRef path, llvm::StringRef text, ast::ASTContext &ctx,
                                                support::DiagnosticEngine &diags, const LoadOptions &opts);

} // namespace llmflow::driver
