// Internal to lowering: the state shared by statement and expression lowering.
#pragma once

#include "lower/lower.h"

namespace llmflow::lower {

struct Lowerer {
  const sema::CheckedProgram &cp;
  const llvm::SourceMgr &sm;
  ir::Module module;

  ir::SourceLoc loc(llvm::SMRange r) const;
  /// The id of the node that holds a stage's value (a planner's Dynamic node).
  std::string valueId(const ast::Stmt *s) const;
  ir::Expr expr(const ast::Expr *e) const;
  ir::Template templ(const ast::Expr *e) const;
  /// Ids of nodes an expression reads (for resolvedBy).
  void nodeRefs(const ir::Expr &e, std::vector<std::string> &ids) const;

  ir::Graph block(const sema::AppInfo &app, const ast::Block *b);
  void stage(const sema::AppInfo &app, const ast::Stmt *s, ir::Graph &g);
  ir::Node baseNode(const ast::Stmt *s, ir::NodeKind kind, ir::ExecutorClass exec) const;
  ir::ToolDef tool(const sema::ToolInfo &t) const;
};

} // namespace llmflow::lower
