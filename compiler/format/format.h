// llmflow fmt as a library: a program's source in, the same program laid out
// canonically out. The formatter works on the token stream, not the AST: it
// only ever changes the whitespace between tokens, and the comments found
// there are carried along as they are (strings, triple-quoted prompts
// included, are tokens, so they are copied byte for byte). The parse tree
// is consulted for what a token is (a block's brace, a statement's end, a
// unary minus), never to rebuild the text. Before returning, the result is
// lexed again and compared with the input token by token and comment by
// comment, so a layout bug can never drop or change a token: it is reported
// instead. A file with syntax errors is not formatted; its diagnostics are
// reported as `check` would report them.
#pragma once

#include "parse/parser.h"
#include "support/diagnostics.h"

#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace llmflow::format {

/// Formats buffer `bufferId` of the engine's SourceMgr. None (after
/// reporting diagnostics) when the buffer has syntax errors; an Error when
/// the formatter would change the program's tokens or comments (a bug).
llvm::Expected<std::optional<std::string>> formatBuffer(unsigned bufferId, support::DiagnosticEngine &diags,
                                                        const parse::ParseOptions &opts = {});

/// Formats text that is known to parse; an Error when it does not, or on a
/// formatter bug as above.
llvm::Expected<std::string> formatText(llvm::StringRef text);

} // namespace llmflow::format
