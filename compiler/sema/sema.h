// Semantic analysis: names, types, properties, dependencies. Reads the AST,
// reports diagnostics, and returns side tables that lowering uses; the AST
// itself is never modified.
#pragma once

#include "ast/program.h"
#include "ir/ir.h"
#include "support/diagnostics.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <memory>
#include <vector>

namespace llmflow::sema {

/// What a Name (or the root of a Member chain) refers to.
struct Ref {
  enum class Kind { Input, Stage, LoopState, MapItem, Let, EnumValue, Error };
  Kind kind = Kind::Error;
  const ast::Stmt *stage = nullptr;   // Stage / LoopState / MapItem / Let: the stmt
  std::string name;                    // Input: name; EnumValue: the value
};

/// Policies with module defaults applied.
struct Policies {
  ir::Policy policy;
  std::string model = "default";
  unsigned maxTokens = 512;
  double temperature = 0.7;
};

struct StageInfo {
  const ast::Stmt *stmt = nullptr;
  std::string id;                                  // stable IR id
  const ast::Stmt *parent = nullptr;               // enclosing If / Loop / Map
  const ast::Block *block = nullptr;               // the block it is declared in
  ir::Type type;                                   // its value's type
  std::vector<const ast::Stmt *> deps;             // same-block stages it waits for
  std::vector<llvm::SMRange> depRanges;            // where each dependency is referenced
  std::vector<const ast::Stmt *> resolvedBy;       // loop: body stages `until` reads
  Policies policies;
  unsigned index = 0;                              // source order within the app
  bool used = false;
  bool unreachable = false;
};

struct ToolInfo {
  const ast::Decl *decl = nullptr;
  unsigned module = 0;
  std::string qualName;
  std::vector<ir::Param> params;
  ir::Type result;
  Policies policies;
};

struct AppInfo {
  const ast::Decl *decl = nullptr;
  unsigned module = 0;
  std::string qualName;
  std::vector<ir::Param> inputs;
  ir::Type result;
  const ast::Expr *resultExpr = nullptr;
  /// Stages in each block, topologically ordered (deps first, then source order).
  llvm::DenseMap<const ast::Block *, std::vector<const ast::Stmt *>> order;
};

struct CheckedProgram {
  const ast::Program *program = nullptr;
  std::vector<ir::RecordDef> records;  // user + synthesised (record literals)
  std::vector<ir::EnumDef> enums;
  std::vector<ToolInfo> tools;
  std::vector<AppInfo> apps;
  llvm::DenseMap<const ast::Expr *, ir::Type> exprTypes;
  llvm::DenseMap<const ast::Expr *, Ref> refs;           // Name exprs
  llvm::DenseMap<const ast::Stmt *, StageInfo> stages;   // also `let` values (never lowered to nodes)
  llvm::DenseMap<const ast::Stmt *, const ToolInfo *> toolOf;   // Tool stmts
  llvm::DenseMap<const ast::Stmt *, const AppInfo *> appOf;     // Call stmts
  /// Planner stmt -> the qualified tool / app names it may use.
  llvm::DenseMap<const ast::Stmt *, std::vector<std::string>> plannerTools;
  /// Member exprs that name an enum value (Verdict.pass) -> the value.
  llvm::DenseMap<const ast::Expr *, std::string> enumValues;

  const ToolInfo *findTool(llvm::StringRef qualName) const;
  const AppInfo *findApp(llvm::StringRef qualName) const;
};

struct SemaOptions {
  bool warnNoTimeout = true;
};

/// Checks the whole program. Returns null if there were errors.
std::unique_ptr<CheckedProgram> check(const ast::Program &program, support::DiagnosticEngine &diags,
                                      const SemaOptions &opts = {});

/// A type as the user wrote it (synthesised records spelled structurally).
std::string typeName(const ir::Type &t, const CheckedProgram &cp);

} // namespace llmflow::sema
