// Internal to the format library: a program as the formatter sees it, a
// sequence of tokens, each with the whitespace and comments before it (the
// "gap") and the syntactic roles that the parse tree gives it. Includes
// generated headers; never installed.
#pragma once

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace llmflow::format {

/// A comment found between two tokens.
struct Comment {
  std::string text;          // line comments without trailing blanks
  bool line = false;         // `//` or `#` (runs to the end of the line)
  unsigned newlinesBefore = 0; // since the previous token or comment
  unsigned blanksBefore = 0; // spaces and tabs just before it on its line
};

/// What the parse tree says about a token, as far as layout cares.
enum Role : uint32_t {
  kBlockOpen = 1u << 0,    // '{' of a statement block or property block
  kBlockClose = 1u << 1,   // its '}'
  kEndsItem = 1u << 2,     // last token of a statement, property or declaration
  kSpacedParen = 1u << 3,  // '(' of if/loop/map/until: `if x (...)`
  kUnary = 1u << 4,        // prefix '!' or '-'
  kTypeAngle = 1u << 5,    // '<' or '>' of `list<T>`
  kTypeSuffix = 1u << 6,   // '?' or '??' of an optional type
  kIndexOpen = 1u << 7,    // '[' of `xs[i]`
  kSliceColon = 1u << 8,   // ':' of `xs[a:b]`
  kTightBrace = 1u << 9,   // '{' or '}' of a record literal: `{a: 1}`
};

struct Token {
  size_t type = 0;         // the lexer's token type (EOF for the end)
  std::string text;
  uint32_t roles = 0;
  size_t partner = 0;      // the matching bracket's index, for brackets
  std::vector<Comment> comments; // in the gap before this token
  unsigned newlinesAfterComments = 0; // in the gap, after the last comment
};

/// Splits `text` into tokens (the last is EOF) with their gaps. False when
/// the lexer's tokens and the text disagree (only for text that does not
/// lex cleanly, which the parser has already rejected).
bool lexSource(llvm::StringRef text, std::vector<Token> &out);

/// Parses `text` and sets the roles and bracket partners of `tokens`
/// (lexed from the same text). False when the text does not parse.
bool assignRoles(llvm::StringRef text, std::vector<Token> &tokens);

/// Lays the tokens out: the formatted program.
std::string print(const std::vector<Token> &tokens);

} // namespace llmflow::format
