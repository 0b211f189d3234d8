// The syntactic roles of tokens, read from the parse tree: which braces
// open statement blocks, where statements end, which '(' follows
// `if name`, which '-' is unary. The printer needs no other syntax.
#include "format/format_internal.h"

#include "LLFlowLexer.h"
#include "LLFlowParser.h"

#include "antlr4-runtime.h"

namespace llmflow::format {

namespace {

using P = llmflow_antlr::LLFlowParser;

class RoleWalker {
public:
  explicit RoleWalker(std::vector<Token> &tokens) : tokens(tokens) {}

  void walk(antlr4::tree::ParseTree *node) {
    auto *ctx = dynamic_cast<antlr4::ParserRuleContext *>(node);
    if (!ctx)
      return;
    if (dynamic_cast<P::BlockContext *>(ctx) || dynamic_cast<P::PropBlockContext *>(ctx)) {
      mark(ctx->getStart(), kBlockOpen);
      mark(ctx->getStop(), kBlockClose);
    } else if (dynamic_cast<P::StmtContext *>(ctx) || dynamic_cast<P::PropContext *>(ctx) ||
               dynamic_cast<P::ModuleItemContext *>(ctx)) {
      mark(ctx->getStop(), kEndsItem);
    }
    if (dynamic_cast<P::IfStmtContext *>(ctx) || dynamic_cast<P::LoopStmtContext *>(ctx) ||
        dynamic_cast<P::MapStmtContext *>(ctx))
      markChildren(ctx, "(", kSpacedParen);
    else if (dynamic_cast<P::UnaryExprContext *>(ctx))
      mark(ctx->getStart(), kUnary);
    else if (dynamic_cast<P::GenericTypeContext *>(ctx))
      markChildren(ctx, "<", kTypeAngle), markChildren(ctx, ">", kTypeAngle);
    else if (dynamic_cast<P::OptionalSugarContext *>(ctx) || dynamic_cast<P::OptionalTwiceContext *>(ctx))
      mark(ctx->getStop(), kTypeSuffix);
    else if (dynamic_cast<P::IndexExprContext *>(ctx))
      markChildren(ctx, "[", kIndexOpen);
    else if (dynamic_cast<P::SliceIndexContext *>(ctx))
      markChildren(ctx, ":", kSliceColon);
    else if (dynamic_cast<P::RecordLitContext *>(ctx))
      mark(ctx->getStart(), kTightBrace), mark(ctx->getStop(), kTightBrace);
    for (antlr4::tree::ParseTree *child : ctx->children)
      walk(child);
  }

private:
  void mark(antlr4::Token *t, uint32_t role) {
    if (t && t->getTokenIndex() < tokens.size())
      tokens[t->getTokenIndex()].roles |= role;
  }
  void markChildren(antlr4::ParserRuleContext *ctx, llvm::StringRef text, uint32_t role) {
    for (antlr4::tree::ParseTree *child : ctx->children)
      if (auto *term = dynamic_cast<antlr4::tree::TerminalNode *>(child))
        if (term->getSymbol()->getText() == text)
          mark(term->getSymbol(), role);
  }

  std::vector<Token> &tokens;
};

/// Pairs brackets; false when they do not balance.
bool pairBrackets(std::vector<Token> &tokens) {
  std::vector<size_t> open;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string &t = tokens[i].text;
    if (t == "(" || t == "[" || t == "{") {
      open.push_back(i);
    } else if (t == ")" || t == "]" || t == "}") {
      if (open.empty())
        return false;
      tokens[i].partner = open.back();
      tokens[open.back()].partner = i;
      open.pop_back();
    }
  }
  return open.empty();
}

} // namespace

bool assignRoles(llvm::StringRef text, std::vector<Token> &tokens) {
  antlr4::ANTLRInputStream input(text.data(), text.size());
  llmflow_antlr::LLFlowLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream stream(&lexer);
  stream.fill();
  if (stream.size() != tokens.size())
    return false;
  P parser(&stream);
  parser.removeErrorListeners();
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  antlr4::tree::ParseTree *tree = nullptr;
  // SLL first, full LL only if SLL fails, as the parser proper does.
  for (auto mode : {antlr4::atn::PredictionMode::SLL, antlr4::atn::PredictionMode::LL}) {
    stream.seek(0);
    parser.reset();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(mode);
    try {
      tree = parser.module();
      break;
    } catch (antlr4::ParseCancellationException &) {
      tree = nullptr;
    }
  }
  if (!tree)
    return false;
  RoleWalker(tokens).walk(tree);
  return pairBrackets(tokens);
}

} // namespace llmflow::format
