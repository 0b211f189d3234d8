#include "parse/lexing.h"

#include "LLFlowLexer.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <vector>

namespace llmflow::parse {
using Lexer = llmflow_antlr::LLFlowLexer;

namespace {

/// A token in 64 bytes of heap instead of CommonToken's 128: positions in
/// 32 bits (ANTLR's markers such as EOF, size_t(-1), come back by sign
/// extension) and its text read from the source unless set.
class CompactToken final : public antlr4::WritableToken {
public:
  CompactToken(SourceLexer *lexer, size_t type, size_t start, size_t stop, size_t line, size_t col, size_t byte,
               size_t bytes)
      : lexer(lexer), type(narrow(type)), start(narrow(start)), stop(narrow(stop)), line(narrow(line)),
        col(narrow(col)), byte(uint32_t(byte)), bytes(uint32_t(bytes)) {}

  std::string getText() const override {
    if (text)
      return *text;
    if (type == -1)
      return "<EOF>"; // as CommonToken
    return lexer->source().substr(byte, bytes).str();
  }
  size_t getType() const override { return widen(type); }
  size_t getLine() const override { return widen(line); }
  size_t getCharPositionInLine() const override { return widen(col); }
  size_t getChannel() const override { return widen(channel); }
  size_t getTokenIndex() const override { return widen(index); }
  size_t getStartIndex() const override { return widen(start); }
  size_t getStopIndex() const override { return widen(stop); }
  antlr4::TokenSource *getTokenSource() const override { return lexer; }
  antlr4::CharStream *getInputStream() const override { return nullptr; }
  std::string toString() const override {
    return "[@" + std::to_string(index) + "," + std::to_string(start) + ":" + std::to_string(stop) + "='" +
           getText() + "',<" + std::to_string(type) + ">," + std::to_string(line) + ":" + std::to_string(col) +
           "]";
  }

  void setText(const std::string &t) override { text = std::make_unique<std::string>(t); }
  void setType(size_t t) override { type = narrow(t); }
  void setLine(size_t l) override { line = narrow(l); }
  void setCharPositionInLine(size_t c) override { col = narrow(c); }
  void setChannel(size_t c) override { channel = narrow(c); }
  void setTokenIndex(size_t i) override { index = narrow(i); }

private:
  static int32_t narrow(size_t v) { return int32_t(int64_t(v)); }
  static size_t widen(int32_t v) { return size_t(int64_t(v)); }

  SourceLexer *lexer;
  std::unique_ptr<std::string> text; // set by error recovery only
  int32_t type, channel = 0, start, stop, line, col, index = -1;
  uint32_t byte, bytes;
};

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }
bool isContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

/// The grammar's literal tokens (keywords and punctuation, from the
/// generated vocabulary, so that a token added to the grammar is lexed
/// without a change here).
struct Literals {
  llvm::StringMap<size_t> words;                                     // identifier-shaped: keywords
  std::array<std::vector<std::pair<std::string, size_t>>, 128> punct; // by first character, longest first

  Literals() {
    antlr4::ANTLRInputStream none("");
    Lexer lexer(&none);
    const antlr4::dfa::Vocabulary &v = lexer.getVocabulary();
    for (size_t t = 1; t <= v.getMaxTokenType(); ++t) {
      std::string lit = v.getLiteralName(t);
      if (lit.size() < 3)
        continue; // a named token
      lit = lit.substr(1, lit.size() - 2);
      if (llvm::all_of(lit, isIdentChar)) {
        assert(isIdentStart(lit[0]) && "a word literal starts like a name");
        words[lit] = t;
      } else {
        assert(!isIdentChar(lit[0]) && static_cast<unsigned char>(lit[0]) < 128 &&
               "a punctuation literal starts with ASCII punctuation");
        auto &list = punct[size_t(lit[0])];
        list.emplace_back(lit, t);
        llvm::sort(list, [](const auto &a, const auto &b) { return a.first.size() > b.first.size(); });
      }
    }
  }
};

const Literals &literals() {
  static const Literals table;
  return table;
}

/// Length in bytes of the code point starting with `c`.
size_t codePointBytes(char c) {
  auto b = static_cast<unsigned char>(c);
  return b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
}

} // namespace

SourceLexer::SourceLexer(llvm::StringRef text) : text(text) {
  // Token positions are kept in 32 bits (CompactToken).
  assert(text.size() < (size_t(1) << 31) && "source too large");
}

antlr4::TokenFactory<antlr4::CommonToken> *SourceLexer::getTokenFactory() {
  return antlr4::CommonTokenFactory::DEFAULT.get();
}

void SourceLexer::advance(size_t bytes) {
  for (size_t end = pos + bytes; pos < end; ++pos) {
    char c = text[pos];
    if (isContinuation(c))
      continue;
    ++index;
    if (c == '\n') {
      ++line;
      col = 0;
    } else {
      ++col;
    }
  }
}

std::pair<size_t, size_t> SourceLexer::match(size_t p) const {
  const char *s = text.data();
  size_t n = text.size();
  auto at = [&](size_t i) { return i < n ? s[i] : '\0'; };
  char c = s[p];
  // Rules the grammar lists earlier win ties, so each candidate replaces the
  // best only when strictly longer, tried in the grammar's order: literals
  // (implicit ones and keywords), DURATION, FLOAT, INT, IDENT, TSTRING,
  // STRING, the comments, WS, ERROR_CHAR.
  size_t type = Lexer::ERROR_CHAR, len = 0;
  auto consider = [&](size_t t, size_t l) {
    if (l > len) {
      type = t;
      len = l;
    }
  };
  if (static_cast<unsigned char>(c) < 128)
    for (const auto &[lit, t] : literals().punct[size_t(c)])
      if (text.substr(p).startswith(lit)) {
        consider(t, lit.size());
        break;
      }
  if (isDigit(c)) {
    size_t i = p;
    while (isDigit(at(i)))
      ++i;
    size_t j = i; // after an optional fraction
    if (at(i) == '.' && isDigit(at(i + 1)))
      for (j = i + 1; isDigit(at(j));)
        ++j;
    size_t unit = at(j) == 'm' && at(j + 1) == 's' ? 2 : (at(j) == 's' || at(j) == 'm' || at(j) == 'h') ? 1 : 0;
    if (unit)
      consider(Lexer::DURATION, j + unit - p);
    if (j > i) {
      size_t f = j, k = j + 1;
      if (at(j) == 'e' || at(j) == 'E') {
        if (at(k) == '+' || at(k) == '-')
          ++k;
        if (isDigit(at(k)))
          for (f = k; isDigit(at(f));)
            ++f;
      }
      consider(Lexer::FLOAT, f - p);
    }
    consider(Lexer::INT, i - p);
  } else if (isIdentStart(c)) {
    size_t i = p + 1;
    while (isIdentChar(at(i)))
      ++i;
    auto word = literals().words.find(text.substr(p, i - p));
    if (word != literals().words.end())
      consider(word->second, i - p);
    consider(Lexer::IDENT, i - p);
  } else if (c == '"') {
    if (text.substr(p).startswith("\"\"\"")) {
      size_t close = text.find("\"\"\"", p + 3);
      if (close != llvm::StringRef::npos)
        consider(Lexer::TSTRING, close + 3 - p);
    }
    for (size_t i = p + 1; i < n;) {
      char d = s[i];
      if (d == '"') {
        consider(Lexer::STRING, i + 1 - p);
        break;
      }
      if (d == '\r' || d == '\n')
        break;
      if (d == '\\') {
        if (i + 1 >= n)
          break;
        i += 1 + codePointBytes(s[i + 1]); // '\\' then any character
        continue;
      }
      i += codePointBytes(d);
    }
  } else if ((c == '/' && at(p + 1) == '/') || c == '#') {
    size_t end = text.find_first_of("\r\n", p);
    consider(c == '#' ? Lexer::HASH_COMMENT : Lexer::LINE_COMMENT, (end == llvm::StringRef::npos ? n : end) - p);
  } else if (c == '/' && at(p + 1) == '*') {
    size_t close = text.find("*/", p + 2);
    if (close != llvm::StringRef::npos)
      consider(Lexer::BLOCK_COMMENT, close + 2 - p);
  } else if (isSpace(c)) {
    size_t i = p;
    while (i < n && isSpace(s[i]))
      ++i;
    consider(Lexer::WS, i - p);
  }
  consider(Lexer::ERROR_CHAR, std::min(codePointBytes(c), n - p)); // any one character
  return {type, len};
}

std::unique_ptr<antlr4::Token> SourceLexer::nextToken() {
  while (pos < text.size()) {
    auto [type, bytes] = match(pos);
    if (type == Lexer::WS || type == Lexer::LINE_COMMENT || type == Lexer::HASH_COMMENT ||
        type == Lexer::BLOCK_COMMENT) {
      advance(bytes);
      continue;
    }
    size_t startIndex = index, startLine = line, startCol = col, startByte = pos;
    advance(bytes);
    return std::make_unique<CompactToken>(this, type, startIndex, index - 1, startLine, startCol, startByte, bytes);
  }
  return std::make_unique<CompactToken>(this, antlr4::Token::EOF, index, index - 1, line, col, pos, 0);
}

} // namespace llmflow::parse
