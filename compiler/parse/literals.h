// Decoding of literal tokens: string escapes, {{template}} holes, durations,
// numbers. Reports malformed literals as diagnostics at their exact place.
#pragma once

#include "ast/ast.h"
#include "support/diagnostics.h"

#include <functional>
#include <optional>

namespace llmflow::parse {

/// Parses the expression inside a template's {{...}} (the text as it is in
/// the source buffer); null after reporting a syntax error.
using HoleParser = std::function<const ast::Expr *(llvm::StringRef holeText)>;

/// Decodes the token text of a string literal (quotes included) into
/// `e.text` and `e.pieces`. `raw` is triple-quoted: no escapes. A hole that
/// is a plain reference (`name.field`) is read here; any other expression
/// goes to `parseHole`. Returns false after reporting a malformed escape or
/// template.
bool decodeString(llvm::StringRef tokenText, const char *tokenStart, bool raw, ast::Expr &e,
                  ast::ASTContext &ctx, support::DiagnosticEngine &diags, const HoleParser &parseHole);

/// "250ms" -> 0.25 (seconds). The lexer guarantees the shape.
double parseDurationSeconds(llvm::StringRef text);

} // namespace llmflow::parse
