// Parsing: one source buffer in, an AST out. The ANTLR parse tree and tokens
// never leave this library (the generated code is linked privately).
#pragma once

#include "ast/ast.h"
#include "support/diagnostics.h"

namespace llmflow::parse {

struct ParseOptions {
  /// Deepest bracket / prefix-operator nesting accepted; deeper input is
  /// rejected before the recursive-descent parser could exhaust the stack.
  unsigned maxNesting = 256;
  /// Largest source file, in bytes: token positions are kept in 31 bits.
  size_t maxBytes = (size_t(1) << 31) - 1;
};

/// Parses buffer `bufferId` of the engine's SourceMgr. Returns null when the
/// file has syntax errors (all of them, up to the error limit, are reported).
const ast::Module *parseModule(unsigned bufferId, ast::ASTContext &ctx,
                               support::DiagnosticEngine &diags,
                               const ParseOptions &opts = {});

} // namespace llmflow::parse
