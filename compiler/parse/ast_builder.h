// Internal to the parse library: a typed walk over ANTLR's parse tree that
// builds the AST. Only parser.cpp includes this (it needs generated headers).
#pragma once

#include "LLFlowParser.h"
#include "ast/ast.h"
#include "parse/literals.h"
#include "support/diagnostics.h"

#include <vector>

namespace llmflow::parse {

/// Maps ANTLR token positions (code-point indices) to byte pointers.
class LocMap {
public:
  LocMap(llvm::StringRef buffer);
  const char *at(size_t codePoint) const;
  llvm::SMRange range(antlr4::Token *start, antlr4::Token *stop) const;
  llvm::SMRange range(antlr4::tree::TerminalNode *t) const { return range(t->getSymbol(), t->getSymbol()); }
  llvm::SMRange range(antlr4::ParserRuleContext *c) const { return range(c->getStart(), c->getStop()); }

private:
  llvm::StringRef buffer;
  std::vector<uint32_t> cpToByte; // empty when the buffer is ASCII
};

const ast::Module *buildAST(llmflow_antlr::LLFlowParser::ModuleContext *tree, llvm::StringRef path,
                            const LocMap &locs, ast::ASTContext &ctx, support::DiagnosticEngine &diags,
                            const HoleParser &parseHole);

/// The expression of one template hole, parsed on its own.
/// One top-level item, for a module built item by item (so that each
/// item's parse tree can be freed once built); null when it declares nothing.
const ast::Decl *buildModuleItem(llmflow_antlr::LLFlowParser::ModuleItemContext *item, const LocMap &locs,
                                 ast::ASTContext &ctx, support::DiagnosticEngine &diags,
                                 const HoleParser &parseHole);

const ast::Expr *buildHole(llmflow_antlr::LLFlowParser::TemplateHoleContext *tree, const LocMap &locs,
                           ast::ASTContext &ctx, support::DiagnosticEngine &diags, const HoleParser &parseHole);

} // namespace llmflow::parse
