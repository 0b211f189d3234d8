// Lexing, a nesting pre-scan, and two-stage ANTLR parsing (fast SLL first,
// full LL with error recovery only when SLL fails), with ANTLR's errors
// turned into our diagnostics.
#include "parse/parser.h"

#include "LLFlowLexer.h"
#include "LLFlowParser.h"
#include "parse/ast_builder.h"

#include "antlr4-runtime.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/ConvertUTF.h"

#include <cstdio>

namespace llmflow::parse {
using support::DiagID;
using Lexer = llmflow_antlr::LLFlowLexer;
using Parser = llmflow_antlr::LLFlowParser;

namespace {

struct StopParsing {};

// Makes ANTLR's token names readable in messages.
std::string humanise(std::string msg) {
  static const std::pair<const char *, const char *> names[] = {
      {"<EOF>", "end of file"}, {"TSTRING", "string"},   {"STRING", "string"},
      {"IDENT", "identifier"},  {"DURATION", "duration"}, {"FLOAT", "number"},
      {"INT", "integer"},       {"ERROR_CHAR", "character"}};
  for (auto [from, to] : names) {
    size_t pos = 0;
    while ((pos = msg.find(from, pos)) != std::string::npos) {
      bool left = pos == 0 || !std::isalnum(static_cast<unsigned char>(msg[pos - 1]));
      size_t end = pos + std::strlen(from);
      bool right = end >= msg.size() || !std::isalnum(static_cast<unsigned char>(msg[end]));
      if (left && right && (from[0] == '<' || msg[pos - 1] != '\'')) {
        msg.replace(pos, std::strlen(from), to);
        pos += std::strlen(to);
      } else {
        pos = end;
      }
    }
  }
  return msg;
}

// "expecting {string, string, ...}" after humanising: drop repeats.
std::string dedupeExpected(std::string msg) {
  size_t open = msg.find("expecting {");
  if (open == std::string::npos)
    return msg;
  size_t start = open + 11, close = msg.find('}', start);
  if (close == std::string::npos)
    return msg;
  llvm::SmallVector<llvm::StringRef, 16> items;
  llvm::StringRef(msg).slice(start, close).split(items, ", ");
  std::vector<std::string> uniq;
  for (llvm::StringRef it : items)
    if (std::find(uniq.begin(), uniq.end(), it.str()) == uniq.end())
      uniq.push_back(it.str());
  std::string joined;
  for (const std::string &u : uniq)
    joined += (joined.empty() ? "" : ", ") + u;
  return msg.substr(0, start) + joined + msg.substr(close);
}

class ErrorListener : public antlr4::BaseErrorListener {
public:
  ErrorListener(const LocMap &locs, support::DiagnosticEngine &diags) : locs(locs), diags(diags) {}
  unsigned count = 0;

  void syntaxError(antlr4::Recognizer *, antlr4::Token *offending, size_t, size_t,
                   const std::string &msg, std::exception_ptr) override {
    ++count;
    llvm::SMRange r;
    if (offending) {
      r = locs.range(offending, offending);
      if (offending->getType() == antlr4::Token::EOF)
        r = {r.Start, r.Start};
    }
    // Past the limit the engine drops the error and says it stopped; then
    // parsing stops too, so recovery work stays bounded.
    bool stop = diags.errorLimitReached();
    std::string text = dedupeExpected(humanise(msg));
    if (offending && offending->getType() == antlr4::Token::EOF) {
      size_t exp = text.find("expecting");
      text = "unexpected end of file" + (exp == std::string::npos ? std::string() : "; " + text.substr(exp));
    }
    diags.report(DiagID::ErrSyntax, r) << text;
    if (stop)
      throw StopParsing{};
  }

private:
  const LocMap &locs;
  support::DiagnosticEngine &diags;
};


} // namespace

const ast::Module *parseModule(unsigned bufferId, ast::ASTContext &ctx,
                               support::DiagnosticEngine &diags, const ParseOptions &opts) {
  llvm::SourceMgr &sm = diags.sourceMgr();
  const llvm::MemoryBuffer *buf = sm.getMemoryBuffer(bufferId);
  llvm::StringRef text = buf->getBuffer();
  const auto *begin = reinterpret_cast<const llvm::UTF8 *>(text.begin());
  if (!llvm::isLegalUTF8String(&begin, reinterpret_cast<const llvm::UTF8 *>(text.end()))) {
    const char *bad = reinterpret_cast<const char *>(begin);
    unsigned line = 1, col = 1;
    for (const char *p = text.begin(); p < bad; ++p) {
      if (*p == '\n') {
        ++line;
        col = 1;
      } else if ((static_cast<unsigned char>(*p) & 0xC0) != 0x80) {
        ++col;
      }
    }
    // Located by line and column only: printing the line would echo the
    // invalid bytes.
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02X", unsigned(static_cast<unsigned char>(*bad)));
    diags.report(DiagID::ErrInvalidUtf8, support::FileLoc{buf->getBufferIdentifier().str(), line, col}) << hex;
    return nullptr;
  }

  LocMap locs(text);
  ErrorListener listener(locs, diags);
  antlr4::ANTLRInputStream input(text.str());
  Lexer lexer(&input);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&listener);
  antlr4::CommonTokenStream tokens(&lexer);
  try {
    tokens.fill();
  } catch (StopParsing &) {
    return nullptr;
  }

  // Reject pathological nesting before the recursive parser sees it. Prefix
  // operators nest too (`!!!!x`), so runs of them count as depth.
  {
    unsigned depth = 0, prefixRun = 0, generics = 0, chain = 0;
    std::string prev;
    antlr4::Token *prevTok = nullptr;
    for (antlr4::Token *t : tokens.getTokens()) {
      // String literals (prompts) can be long and never open or close
      // anything: skip copying their text.
      size_t type = t->getType();
      std::string s = type == Lexer::STRING || type == Lexer::TSTRING ? std::string() : t->getText();
      bool isPrefix = false;
      if (s == "(" || s == "[" || s == "{" || (s == "<" && (prev == "list" || prev == "optional"))) {
        ++depth;
        generics += s == "<";
      } else if (s == ")" || s == "]" || s == "}" || (s == ">" && generics)) {
        if (depth) --depth;
        generics -= s == ">";
      } else if (s == "!" || s == "-" || s == "?") {
        isPrefix = true; // prefix operators and the optional-type suffix nest
      }
      prefixRun = isPrefix ? prefixRun + 1 : 0;
      // Binary operators and member accesses build left-nested trees, so a
      // long chain in one statement is as deep as brackets.
      static const llvm::StringSet<> chainOps = {".", "+", "-", "*", "/", "%", "==", "!=", "<",
                                                 "<=", ">", ">=", "&&", "||"};
      if (s == ";" || s == "{" || s == "}" || s == ",")
        chain = 0;
      else if (chainOps.contains(s))
        ++chain;
      if (chain > opts.maxNesting) {
        diags.report(DiagID::ErrNestingTooDeep, locs.range(t, t)) << opts.maxNesting;
        return nullptr;
      }
      if (t->getType() == Lexer::ERROR_CHAR && s == "\"") {
        // `"""abc` lexes as an empty string then a stray quote: point at the opening quotes.
        antlr4::Token *at = t;
        if (prevTok && prevTok->getType() == Lexer::STRING && prevTok->getText() == "\"\"" &&
            prevTok->getStopIndex() + 1 == t->getStartIndex())
          at = prevTok;
        diags.report(DiagID::ErrSyntax, locs.range(at, at)) << "unterminated string literal";
        return nullptr;
      }
      if (s == "*" && prevTok && prevTok->getText() == "/" && prevTok->getStopIndex() + 1 == t->getStartIndex()) {
        diags.report(DiagID::ErrSyntax, locs.range(prevTok, t)) << "unterminated block comment";
        return nullptr;
      }
      if (depth + prefixRun > opts.maxNesting) {
        diags.report(DiagID::ErrNestingTooDeep, locs.range(t, t)) << opts.maxNesting;
        return nullptr;
      }
      prev = s;
      prevTok = t;
    }
  }

  Parser parser(&tokens);
  parser.removeErrorListeners();
  Parser::ModuleContext *tree = nullptr;
  // Stage 1: SLL prediction, bail on the first error (fast, exact for
  // correct programs).
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  try {
    tree = parser.module();
  } catch (antlr4::ParseCancellationException &) {
    tree = nullptr;
  }
  if (!tree) {
    // Stage 2: full LL with recovery, reporting every error (bounded).
    tokens.seek(0);
    parser.reset();
    parser.addErrorListener(&listener);
    parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::LL);
    try {
      tree = parser.module();
    } catch (StopParsing &) {
      return nullptr;
    }
  }
  if (listener.count > 0)
    return nullptr;
  return buildAST(tree, buf->getBufferIdentifier(), locs, ctx, diags);
}

} // namespace llmflow::parse
