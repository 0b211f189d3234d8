// Internal to the parse library: the character stream and the tokens the
// lexer makes, sized for large files. ANTLR's own keep 20 bytes per byte of
// source (ANTLRInputStream) and 128 per token (CommonToken); a 1 MB program
// held 50 MB in them during the whole parse.
#pragma once

#include "LLFlowLexer.h"

#include "antlr4-runtime.h"
#include "llvm/ADT/StringRef.h"

#include <memory>

namespace llmflow::parse {

/// `text` (valid UTF-8: checked before parsing) as ANTLR's character stream,
/// holding exactly one code point per character.
class SourceStream : public antlr4::ANTLRInputStream {
public:
  explicit SourceStream(llvm::StringRef text);
};

/// The generated lexer, emitting CompactTokens. Tokens it makes must not
/// outlive it (they read their text through it).
class CompactLexer : public llmflow_antlr::LLFlowLexer {
public:
  using LLFlowLexer::LLFlowLexer;
  antlr4::Token *emit() override;
};

} // namespace llmflow::parse
