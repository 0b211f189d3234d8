// The parser's hand-written lexer (compiler/parse/lexing.h) against the
// lexer ANTLR generates from the grammar: the same tokens (type, text,
// code point indices, line, column, and the EOF token) on every program in
// the repository and on random text built from the characters where the
// rules meet (numbers and units, quotes and escapes, comments, operators,
// non-ASCII, line breaks).
#include "LLFlowLexer.h"
#include "parse/lexing.h"

#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

namespace {

std::vector<std::string> tokensOf(antlr4::TokenSource &lexer) {
  std::vector<std::string> out;
  for (;;) {
    std::unique_ptr<antlr4::Token> t = lexer.nextToken();
    out.push_back(std::to_string(t->getType()) + " " + std::to_string(t->getStartIndex()) + ":" +
                  std::to_string(t->getStopIndex()) + " " + std::to_string(t->getLine()) + ":" +
                  std::to_string(t->getCharPositionInLine()) + " '" + t->getText() + "'");
    if (t->getType() == antlr4::Token::EOF)
      return out;
  }
}

/// The first difference between the two lexers on `text`, or "".
std::string compare(const std::string &text) {
  antlr4::ANTLRInputStream input(text);
  llmflow_antlr::LLFlowLexer generated(&input);
  generated.removeErrorListeners();
  llmflow::parse::SourceLexer ours(text);
  std::vector<std::string> want = tokensOf(generated), got = tokensOf(ours);
  for (size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
    std::string w = i < want.size() ? want[i] : "(none)", g = i < got.size() ? got[i] : "(none)";
    if (w != g)
      return "token " + std::to_string(i) + ": generated " + w + ", ours " + g;
  }
  return "";
}

} // namespace

TEST_CASE("lexer: the same tokens as the generated lexer on every program in the repository") {
  std::error_code ec;
  unsigned files = 0;
  for (const char *dir : {"examples", "stdlib", "tests"}) {
    for (llvm::sys::fs::recursive_directory_iterator it(std::string(LLMFLOW_SOURCE_DIR) + "/" + dir, ec), end;
         it != end && !ec; it.increment(ec)) {
      if (!llvm::StringRef(it->path()).endswith(".llmflow") || it->type() != llvm::sys::fs::file_type::regular_file)
        continue; // a diagnostics test's directory named like a program
      auto buf = llvm::MemoryBuffer::getFile(it->path());
      REQUIRE(buf);
      llvm::StringRef text = (*buf)->getBuffer();
      const auto *begin = reinterpret_cast<const llvm::UTF8 *>(text.begin());
      if (!llvm::isLegalUTF8String(&begin, reinterpret_cast<const llvm::UTF8 *>(text.end())))
        continue; // never lexed: the parser stops at the UTF-8 check
      ++files;
      INFO(it->path());
      CHECK(compare(text.str()) == "");
    }
  }
  CHECK(files > 50);
}

TEST_CASE("lexer: the same tokens as the generated lexer on random text") {
  // Pieces rather than single characters, so that multi-character tokens
  // and their near misses come up often.
  const std::vector<std::string> pieces = {
      "0", "7", "12", ".", "e", "E", "+", "-", "ms", "m", "s", "h", "x", "_a", "in", "input", "if", "iff",
      "\"", "\"\"\"", "\\", "\\\"", "'", "/", "*", "//", "/*", "*/", "#", " ", "\t", "\n", "\r", "\f",
      "->", "=", "==", "=>", "<", "<=", "!", "!=", "?", "??", "|", "||", "&", "&&", "(", ")", "{", "}",
      "[", "]", ";", ",", ":", "%", "@", "$", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "{{", "}}"};
  std::mt19937 rng(20261207);
  std::uniform_int_distribution<size_t> piece(0, pieces.size() - 1), length(0, 24);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    for (size_t n = length(rng); n > 0; --n)
      text += pieces[piece(rng)];
    INFO("text: " << text);
    std::string diff = compare(text);
    CHECK(diff == "");
    if (!diff.empty())
      break;
  }
}
