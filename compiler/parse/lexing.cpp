#include "parse/lexing.h"

#include "llvm/Support/ConvertUTF.h"

#include <cassert>
#include <cstdint>

namespace llmflow::parse {

SourceStream::SourceStream(llvm::StringRef text) {
  // Token positions are kept in 32 bits (CompactToken).
  assert(text.size() < (size_t(1) << 31) && "source too large");
  _data.resize(text.size());
  const auto *src = reinterpret_cast<const llvm::UTF8 *>(text.begin());
  auto *dst = reinterpret_cast<llvm::UTF32 *>(_data.data());
  llvm::ConvertUTF8toUTF32(&src, reinterpret_cast<const llvm::UTF8 *>(text.end()), &dst, dst + _data.size(),
                           llvm::lenientConversion);
  _data.resize(size_t(reinterpret_cast<char32_t *>(dst) - _data.data()));
  _data.shrink_to_fit();
}

namespace {

/// A token in 64 bytes of heap instead of CommonToken's 128: positions in
/// 32 bits (ANTLR's markers such as EOF, size_t(-1), come back by sign
/// extension) and its text read from the stream unless set.
class CompactToken final : public antlr4::WritableToken {
public:
  CompactToken(antlr4::Lexer *lexer, size_t type, size_t channel, size_t start, size_t stop, size_t line,
               size_t col)
      : lexer(lexer), type(narrow(type)), channel(narrow(channel)), start(narrow(start)), stop(narrow(stop)),
        line(narrow(line)), col(narrow(col)) {}

  std::string getText() const override {
    if (text)
      return *text;
    // As CommonToken::getText.
    antlr4::CharStream *in = getInputStream();
    if (!in)
      return "";
    size_t n = in->size();
    if (getStartIndex() < n && getStopIndex() < n)
      return in->getText(antlr4::misc::Interval(getStartIndex(), getStopIndex()));
    return "<EOF>";
  }
  size_t getType() const override { return widen(type); }
  size_t getLine() const override { return widen(line); }
  size_t getCharPositionInLine() const override { return widen(col); }
  size_t getChannel() const override { return widen(channel); }
  size_t getTokenIndex() const override { return widen(index); }
  size_t getStartIndex() const override { return widen(start); }
  size_t getStopIndex() const override { return widen(stop); }
  antlr4::TokenSource *getTokenSource() const override { return lexer; }
  antlr4::CharStream *getInputStream() const override { return lexer->getInputStream(); }
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

  antlr4::Lexer *lexer;
  std::unique_ptr<std::string> text; // set by error recovery only
  int32_t type, channel, start, stop, line, col, index = -1;
};

} // namespace

antlr4::Token *CompactLexer::emit() {
  auto t = std::make_unique<CompactToken>(this, type, channel, tokenStartCharIndex, getCharIndex() - 1,
                                          tokenStartLine, tokenStartCharPositionInLine);
  if (!_text.empty())
    t->setText(_text);
  antlr4::Token *raw = t.get();
  Lexer::emit(std::move(t));
  return raw;
}

} // namespace llmflow::parse
