// Parsing one buffer: a UTF-8 check, lexing, the token pre-scan, and
// two-stage ANTLR parsing (fast SLL first, full LL with our error strategy
// only when SLL fails), then the AST. Template holes that are more than a
// plain reference are parsed the same way, on their own.
#include "parse/lexing.h"
#include "parse/parse_internal.h"

#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstdio>

namespace llmflow::parse {
using support::DiagID;

namespace {

/// Whether some rule of the tree gave up (ANTLR recovered by leaving it
/// unfinished): such a tree must not be built into an AST.
bool hasUnfinishedRule(antlr4::tree::ParseTree *t) {
  auto *ctx = dynamic_cast<antlr4::ParserRuleContext *>(t);
  if (!ctx)
    return false;
  if (ctx->exception)
    return true;
  return llvm::any_of(ctx->children, hasUnfinishedRule);
}

/// Reports invalid UTF-8 at the first bad byte; true when the text is valid.
bool checkUTF8(const llvm::MemoryBuffer &buf, support::DiagnosticEngine &diags) {
  llvm::StringRef text = buf.getBuffer();
  const auto *begin = reinterpret_cast<const llvm::UTF8 *>(text.begin());
  if (llvm::isLegalUTF8String(&begin, reinterpret_cast<const llvm::UTF8 *>(text.end())))
    return true;
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
  diags.report(DiagID::ErrInvalidUtf8, support::FileLoc{buf.getBufferIdentifier().str(), line, col}) << hex;
  return false;
}

/// Lexes and parses `text` (a view into a source buffer) and builds the
/// result. Parsing runs in two stages: `fast` first, with SLL prediction
/// and bailing out at the first error (exact for correct programs), then,
/// only when it bails, `rule` with full LL and our error strategy, whose
/// tree `build` builds. Null when there were syntax errors that left the
/// tree unlike the source.
template <typename Fast, typename Rule, typename Build>
auto parseText(llvm::StringRef text, support::DiagnosticEngine &diags, const ParseOptions &opts,
               llvm::StringSet<> &keywordNames, Fast fast, Rule rule, Build build)
    -> decltype(build(nullptr, nullptr)) {
  LocMap locs(text);
  ParseState st(diags, locs, opts);
  st.keywordNames = keywordNames;
  SourceLexer lexer(text);
  antlr4::CommonTokenStream tokens(&lexer);
  try {
    tokens.fill();
    if (!prescan(st, tokens.getTokens()))
      return nullptr;
    RecoveringParser parser(&tokens, st);
    parser.removeErrorListeners();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    try {
      auto result = fast(parser, st, locs);
      keywordNames = st.keywordNames;
      return result;
    } catch (antlr4::ParseCancellationException &) {
    }
    tokens.seek(0);
    parser.reset();
    parser.setErrorHandler(makeErrorStrategy(st));
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
    auto *tree = rule(parser);
    keywordNames = st.keywordNames;
    if (st.errors && (!st.faithful || hasUnfinishedRule(tree)))
      return nullptr;
    return build(tree, &locs);
  } catch (StopParsing &) {
    return nullptr;
  }
}

/// Diagnostics held back while it lives; dropped unless released.
class HeldDiagnostics {
public:
  explicit HeldDiagnostics(support::DiagnosticEngine &diags) : diags(diags) { diags.hold(); }
  ~HeldDiagnostics() {
    if (!released)
      diags.releaseHeld(false);
  }
  void release() {
    released = true;
    diags.releaseHeld(true);
  }

private:
  support::DiagnosticEngine &diags;
  bool released = false;
};

} // namespace

const ast::Module *parseModule(unsigned bufferId, ast::ASTContext &ctx, support::DiagnosticEngine &diags,
                               const ParseOptions &opts) {
  const llvm::MemoryBuffer *buf = diags.sourceMgr().getMemoryBuffer(bufferId);
  if (buf->getBufferSize() > std::min(opts.maxBytes, (size_t(1) << 31) - 1)) {
    diags.report(DiagID::ErrFileNotReadable, support::FileLoc{buf->getBufferIdentifier().str(), 1, 1})
        << buf->getBufferIdentifier()
        << llvm::formatv("{0} bytes is more than a source file may hold ({1})", buf->getBufferSize(),
                         std::min(opts.maxBytes, (size_t(1) << 31) - 1))
               .str();
    return nullptr;
  }
  if (!checkUTF8(*buf, diags))
    return nullptr;
  llvm::StringSet<> keywordNames;
  HoleParser parseHole = [&](llvm::StringRef hole) -> const ast::Expr * {
    auto build = [&](Parser::TemplateHoleContext *tree, const LocMap *locs) -> const ast::Expr * {
      return buildHole(tree, *locs, ctx, diags, parseHole);
    };
    return parseText(
        hole, diags, opts, keywordNames,
        [&](Parser &p, ParseState &st, const LocMap &locs) -> const ast::Expr * {
          Parser::TemplateHoleContext *tree = p.templateHole();
          return st.errors && !st.faithful ? nullptr : build(tree, &locs);
        },
        [](Parser &p) { return p.templateHole(); }, build);
  };
  // Literals are decoded while building: a mistake in one (an escape, a
  // template hole) leaves the tree unlike the source, and the module null.
  auto fast = [&](Parser &p, ParseState &st, const LocMap &locs) -> const ast::Module * {
    // Item by item, each item's tree freed once built: a large program's
    // whole parse tree took more memory than its AST. What building
    // reports is held back until the whole file has parsed, as the slow
    // stage would rebuild (and report) it all again.
    HeldDiagnostics held(diags);
    unsigned before = diags.errorCount();
    auto *mod = ctx.make<ast::Module>();
    mod->path = buf->getBufferIdentifier().str();
    while (p.getTokenStream()->LA(1) != antlr4::Token::EOF) {
      Parser::ModuleItemContext *item = p.moduleItem();
      if (const ast::Decl *d = buildModuleItem(item, locs, ctx, diags, parseHole))
        mod->decls.push_back(d);
      p.getTreeTracker().reset();
    }
    if (st.errors && !st.faithful)
      return nullptr;
    held.release();
    return diags.errorCount() == before ? mod : nullptr;
  };
  return parseText(
      buf->getBuffer(), diags, opts, keywordNames, fast, [](Parser &p) { return p.module(); },
      [&](Parser::ModuleContext *tree, const LocMap *locs) -> const ast::Module * {
        unsigned before = diags.errorCount();
        const ast::Module *m = buildAST(tree, buf->getBufferIdentifier(), *locs, ctx, diags, parseHole);
        return diags.errorCount() == before ? m : nullptr;
      });
}

} // namespace llmflow::parse
