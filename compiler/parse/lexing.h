// Internal to the parse library: the lexer the parser reads from. It makes
// exactly the tokens of the grammar's lexer rules (grammar/LLFlow.g4; a
// test compares the two on the test programs and on random text), but
// straight from the UTF-8 source: ANTLR's generated lexer simulates its
// automaton character by character behind a lock and spent a third of
// `llmflow check`'s time, and its character stream held 4 bytes per
// character. Tokens are 64 bytes (ANTLR's CommonToken: 128) and read their
// text from the source.
#pragma once

#include "antlr4-runtime.h"
#include "llvm/ADT/StringRef.h"

#include <memory>

namespace llmflow::parse {

/// Tokens of `text` (valid UTF-8: checked before parsing), as ANTLR's
/// generated lexer would make them: the same types, code point indices,
/// lines and columns, with comments and white space skipped. Tokens it
/// makes must not outlive it or `text`.
class SourceLexer : public antlr4::TokenSource {
public:
  explicit SourceLexer(llvm::StringRef text);

  std::unique_ptr<antlr4::Token> nextToken() override;
  size_t getLine() const override { return line; }
  size_t getCharPositionInLine() override { return col; }
  /// None: the text is read from the source directly.
  antlr4::CharStream *getInputStream() override { return nullptr; }
  std::string getSourceName() override { return ""; }
  antlr4::TokenFactory<antlr4::CommonToken> *getTokenFactory() override;

  llvm::StringRef source() const { return text; }

private:
  /// The token type and length in bytes of the longest match at `pos`
  /// (ties go to the rule the grammar lists first).
  std::pair<size_t, size_t> match(size_t pos) const;
  /// Moves past `bytes` bytes, counting code points, lines and columns.
  void advance(size_t bytes);

  llvm::StringRef text;
  size_t pos = 0;        // byte offset
  size_t index = 0;      // code point index
  size_t line = 1, col = 0;
};

} // namespace llmflow::parse
