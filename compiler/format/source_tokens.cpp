// The token stream with its gaps. The lexer skips whitespace and comments,
// so the text between two tokens holds nothing else: the gap is scanned
// here, exactly as the lexer's skip rules would, to recover the comments
// and the line breaks the author wrote.
#include "format/format_internal.h"

#include "LLFlowLexer.h"

#include "antlr4-runtime.h"

namespace llmflow::format {

namespace {

/// Scans the gap that starts at `pos` (whitespace and comments, as the
/// lexer's skip rules take them) into `tok`; returns where it ends.
size_t scanGap(llvm::StringRef text, size_t pos, Token &tok) {
  unsigned newlines = 0, blanks = 0;
  while (pos < text.size()) {
    char c = text[pos];
    llvm::StringRef rest = text.substr(pos);
    if (c == '\n') {
      ++newlines;
      ++pos;
      blanks = 0;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
      ++pos;
      blanks += c != '\r';
    } else if (rest.startswith("//") || c == '#' || rest.startswith("/*")) {
      Comment cm;
      cm.line = !rest.startswith("/*");
      cm.newlinesBefore = newlines;
      cm.blanksBefore = blanks;
      blanks = 0;
      size_t len = cm.line ? rest.find_first_of("\r\n") : rest.find("*/", 2);
      len = len == llvm::StringRef::npos ? rest.size() : cm.line ? len : len + 2;
      cm.text = rest.take_front(len).str();
      if (cm.line)
        cm.text = llvm::StringRef(cm.text).rtrim(" \t\f").str();
      tok.comments.push_back(std::move(cm));
      newlines = 0;
      pos += len;
    } else {
      break;
    }
  }
  tok.newlinesAfterComments = newlines;
  return pos;
}

} // namespace

bool lexSource(llvm::StringRef text, std::vector<Token> &out) {
  antlr4::ANTLRInputStream input(text.data(), text.size());
  llmflow_antlr::LLFlowLexer lexer(&input);
  lexer.removeErrorListeners();
  out.clear();
  size_t pos = 0;
  for (;;) {
    std::unique_ptr<antlr4::Token> t = lexer.nextToken();
    Token tok;
    tok.type = t->getType();
    bool eof = tok.type == antlr4::Token::EOF;
    if (!eof)
      tok.text = t->getText();
    // Positions are found by scanning the bytes (the lexer counts code
    // points): each token's text must start where its gap ends.
    size_t at = scanGap(text, pos, tok);
    if (eof ? at != text.size() : !text.substr(at).startswith(tok.text))
      return false;
    pos = at + tok.text.size();
    out.push_back(std::move(tok));
    if (eof)
      return true;
  }
}

} // namespace llmflow::format
