// The layout rules. Tokens are printed in order, each preceded by either a
// space, nothing, or line breaks and an indentation, decided from the pair
// of tokens, their roles and the bracket they are in:
// - statements, properties and declarations each start a line; blocks
//   indent by two spaces; a statement continued on another line indents by
//   four more;
// - elsewhere a line break is kept where the author wrote one, and none is
//   added: long lines are the author's to break;
// - inside ( [ { that are not blocks, a bracket followed by a line break
//   indents its contents by two and closes on a line of its own; otherwise
//   continuation lines align just after the bracket;
// - blank lines are kept, at most one in a row, none just inside brackets;
// - a comment keeps its line: on a line of its own it is indented like the
//   code that follows; after code it keeps the spaces written before it
//   (so trailing comments aligned in a block stay aligned when the block
//   is re-indented).
#include "format/format_internal.h"

#include "LLFlowLexer.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>

namespace llmflow::format {

namespace {

enum class Break { Join, Soft, Hard };

bool isOpen(const Token &t) { return t.text == "(" || t.text == "[" || t.text == "{"; }
bool isClose(const Token &t) { return t.text == ")" || t.text == "]" || t.text == "}"; }
bool closesTight(const std::string &t) { return t == "," || t == ";" || t == ")" || t == "]"; }

/// Whether the gap before `t` holds a line break.
bool breaksBefore(const Token &t) {
  for (const Comment &c : t.comments)
    if (c.newlinesBefore || c.line)
      return true;
  return t.newlinesAfterComments > 0;
}

class Printer {
public:
  explicit Printer(const std::vector<Token> &toks) : toks(toks) {}

  std::string run() {
    frames.push_back({Kind::Block, 0, 0});
    for (size_t i = 0; i < toks.size(); ++i) {
      emitComments(i);
      emitToken(i);
    }
    return std::move(out);
  }

private:
  enum class Kind { Block, Visual, Indented };
  struct Frame {
    Kind kind;
    unsigned content; // indentation of lines inside
    unsigned close;   // indentation of the closing bracket on its own line
  };

  const std::vector<Token> &toks;
  std::vector<Frame> frames;
  std::string out;
  unsigned col = 0, lineIndent = 0;
  bool stmtStart = true;   // the next token starts a statement or declaration
  bool justOpened = false; // nothing printed since an opening bracket
  bool needNewline = false; // a line comment was just printed
  bool afterComment = false;
  bool commentsOnly = false; // the current line holds only comments so far

  unsigned blockIndent() const {
    for (auto f = frames.rbegin(); f != frames.rend(); ++f)
      if (f->kind == Kind::Block)
        return f->content;
    return 0;
  }

  /// Indentation of a line that starts with token i (or with a comment
  /// before it).
  unsigned indentFor(size_t i, bool comment) const {
    const Token &t = toks[i];
    const Frame &f = frames.back();
    if (!comment && isClose(t))
      return f.close;
    bool continues = t.type == llmflow_antlr::LLFlowLexer::ELSE || t.type == llmflow_antlr::LLFlowLexer::UNTIL;
    if (f.kind == Kind::Block && !stmtStart && !continues && t.type != antlr4::Token::EOF)
      return f.content + 4;
    return f.content;
  }

  /// Whether token i is the '(' of a call or declaration: `f(x)`, `app a(`.
  bool callParen(size_t i) const {
    return toks[i].text == "(" && !(toks[i].roles & kSpacedParen) &&
           toks[i - 1].type == llmflow_antlr::LLFlowLexer::IDENT;
  }

  Break breakBefore(size_t i) const {
    const Token &a = toks[i - 1], &b = toks[i];
    if (a.roles & kEndsItem)
      return Break::Hard;
    if (a.roles & kBlockOpen)
      return a.partner == i && b.comments.empty() ? Break::Join : Break::Hard;
    if (b.roles & kBlockClose)
      return Break::Hard;
    if (isOpen(a) && frames.back().kind == Kind::Indented)
      return Break::Hard;
    if (isClose(b))
      return frames.back().kind == Kind::Indented ? Break::Hard : Break::Join;
    if (b.text == "," || b.text == ";" || b.text == "." || b.text == "{" || callParen(i) ||
        (b.roles & (kIndexOpen | kTypeSuffix | kTypeAngle)) || b.type == llmflow_antlr::LLFlowLexer::ELSE ||
        b.type == llmflow_antlr::LLFlowLexer::UNTIL)
      return Break::Join;
    if (a.text == "." || (a.roles & kUnary) || ((a.roles & kTypeAngle) && a.text == "<"))
      return Break::Join;
    return Break::Soft;
  }

  /// Whether tokens i-1 and i, on one line, are separated by a space.
  bool spaced(size_t i) const {
    const Token &a = toks[i - 1], &b = toks[i];
    if (closesTight(b.text))
      return false;
    if (afterComment)
      return true;
    if (b.text == "." || a.text == "." || a.text == "(" || a.text == "[")
      return false;
    if (a.roles & kUnary)
      return false;
    if (b.text == "(")
      return !callParen(i);
    // `T??` is one token: two `?` suffixes must stay apart.
    if ((a.roles & b.roles & kTypeSuffix) && a.text == "?")
      return true;
    if ((b.roles & (kIndexOpen | kTypeSuffix | kTypeAngle)) ||
        ((a.roles & kTypeAngle) && a.text == "<") || ((a.roles | b.roles) & kSliceColon) || b.text == ":")
      return false;
    if (a.text == "{" && (a.partner == i || (a.roles & kTightBrace)))
      return false;
    if (b.text == "}" && (b.roles & kTightBrace))
      return false;
    return true;
  }

  void newlines(unsigned n, unsigned indent) {
    out.append(n, '\n');
    out.append(indent, ' ');
    col = lineIndent = indent;
  }

  void append(llvm::StringRef text) {
    out += text;
    size_t nl = text.rfind('\n');
    llvm::StringRef last = nl == llvm::StringRef::npos ? text : text.substr(nl + 1);
    unsigned n = unsigned(llvm::count_if(last, [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
    col = nl == llvm::StringRef::npos ? col + n : n;
  }

  void emitComments(size_t i) {
    for (const Comment &c : toks[i].comments) {
      if (!out.empty() && c.newlinesBefore == 0 && !needNewline) {
        unsigned pad = c.line ? std::max(1u, c.blanksBefore) : 1;
        out.append(pad, ' ');
        col += pad;
      } else {
        if (!out.empty())
          newlines(std::clamp(c.newlinesBefore, 1u, justOpened ? 1u : 2u), indentFor(i, true));
        commentsOnly = true;
        // (A trailing comment leaves justOpened alone: no blank line
        // follows `{ // note` either.)
        justOpened = false;
      }
      append(c.text);
      needNewline = c.line;
      afterComment = true;
    }
  }

  void emitToken(size_t i) {
    const Token &b = toks[i];
    if (b.type == antlr4::Token::EOF) {
      if (!out.empty())
        out += '\n';
      return;
    }
    if (!out.empty()) {
      Break k = i > 0 ? breakBefore(i) : Break::Soft;
      // A line of comments before a statement already starts it on a line
      // of its own: `/* note */ enum E {...}` stays as it is.
      unsigned n = k == Break::Hard ? std::max(commentsOnly && !isClose(b) ? 0u : 1u, b.newlinesAfterComments)
                   : k == Break::Soft ? b.newlinesAfterComments : 0;
      if (needNewline)
        n = std::max(n, 1u);
      n = std::min(n, justOpened || isClose(b) ? 1u : 2u);
      if (n)
        newlines(n, indentFor(i, false));
      else if (i > 0 ? spaced(i) : afterComment)
        append(" ");
    }
    append(b.text);
    if (isOpen(b)) {
      if (b.roles & kBlockOpen)
        frames.push_back({Kind::Block, blockIndent() + 2, blockIndent()});
      else if (breaksBefore(toks[i + 1]))
        frames.push_back({Kind::Indented, lineIndent + 2, lineIndent});
      else
        frames.push_back({Kind::Visual, col, lineIndent});
    } else if (isClose(b) && frames.size() > 1) {
      frames.pop_back();
    }
    stmtStart = b.roles & (kEndsItem | kBlockOpen);
    justOpened = isOpen(b);
    needNewline = afterComment = commentsOnly = false;
  }
};

} // namespace

std::string print(const std::vector<Token> &tokens) { return Printer(tokens).run(); }

} // namespace llmflow::format
