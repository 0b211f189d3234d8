// The abstract syntax tree of one .llmflow file. Immutable after parsing;
// sema keeps its results (resolved names, types) in side tables. Nodes are
// owned by an ASTContext and referred to by plain pointers. Locations point
// into buffers owned by the llvm::SourceMgr that outlives the context.
#pragma once

#include "llvm/Support/Allocator.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace llmflow::ast {

struct TypeExpr {
  llvm::SMRange range;
  std::string name;                 // "string", "list", "Code", "common.Code"
  std::vector<const TypeExpr *> args;
};

/// One piece of a string literal used as a template: text or a {{ref}} hole.
struct Expr;
struct TemplatePiece {
  std::string text;                 // literal text (escapes already applied)
  const Expr *hole = nullptr;       // a {{name.field}} reference (Name / Member chain)
  llvm::SMRange range;              // the whole {{...}}
};

/// One arm of a `match`: the enum values it covers (or `_`, the rest) and
/// the value it gives.
struct MatchArm {
  std::vector<std::string> values;  // as written: "pass" or "Verdict.pass"
  std::vector<llvm::SMRange> valueRanges;
  bool wildcard = false;
  llvm::SMRange range;              // the patterns
  const Expr *value = nullptr;
};

struct Expr {
  enum class Kind { Int, Float, Duration, String, Bool, None, Name, Member, Unary, Binary, Call, List, Record,
                    Index, Slice, Match };
  Kind kind;
  llvm::SMRange range;
  long long intValue = 0;
  double floatValue = 0;            // Float; Duration in seconds
  bool boolValue = false;
  std::string text;                 // String: decoded value; Name / Call: name; Member: field; Unary/Binary: op
  std::vector<TemplatePiece> pieces;// String: the value split into text and holes
  llvm::SMRange nameRange;          // Member: the field; Call: the function name
  std::vector<const Expr *> operands; // Member: base; Unary: 1; Binary: 2; Call/List: elements; Record: values;
                                      // Index: base, index; Slice: base, low, high (None when left out);
                                      // Match: the subject
  std::vector<MatchArm> arms;         // Match
  std::vector<std::string> fieldNames; // Record
  std::vector<llvm::SMRange> fieldRanges;
};

struct Prop {
  std::string name;
  llvm::SMRange nameRange;
  const Expr *value = nullptr;
};

struct Arg {
  std::string name;
  llvm::SMRange nameRange;
  const Expr *value = nullptr;
};

struct Stmt;
struct Block {
  llvm::SMRange range;
  std::vector<const Stmt *> stmts;
};

struct Stmt {
  enum class Kind { LLM, Planner, Tool, Call, If, Loop, Map, Let, Yield, Return };
  Kind kind;
  llvm::SMRange range;              // keyword to end
  std::string name;                 // empty for Yield / Return
  llvm::SMRange nameRange;
  const TypeExpr *outputType = nullptr; // LLM: output; Loop: its state; Let: its value (optional)
  std::vector<Prop> props;          // LLM, Planner, Tool, Call
  std::string callee;               // Tool, Call: possibly qualified "http.get"
  llvm::SMRange calleeRange;
  std::vector<Arg> args;            // Tool, Call: arguments; Loop: max/init; Map: concurrency
  const Expr *expr = nullptr;       // If: condition; Loop: until; Map: list; Let/Yield/Return: value
  std::string itemName;             // Map
  llvm::SMRange itemRange;
  const Block *body = nullptr;      // If: then; Loop, Map: body
  const Block *elseBody = nullptr;  // If
};

struct Param {
  std::string name;
  llvm::SMRange nameRange;
  const TypeExpr *type = nullptr;
  const Expr *defaultValue = nullptr;
};

struct Field {
  std::string name;
  llvm::SMRange nameRange;
  const TypeExpr *type = nullptr;
};

struct Decl {
  enum class Kind { Import, Defaults, Record, Enum, Tool, App };
  Kind kind;
  llvm::SMRange range;
  std::string name;                 // Import: alias (explicit or derived); others: the name
  llvm::SMRange nameRange;
  std::string importPath;           // Import: "std.http" or "lib/x.llmflow"
  bool importIsFile = false;
  llvm::SMRange importPathRange;    // Import: the path as written
  std::vector<Field> fields;        // Record
  std::vector<std::string> enumValues;
  std::vector<llvm::SMRange> enumValueRanges;
  std::vector<Param> params;        // Tool, App
  const TypeExpr *resultType = nullptr; // Tool, App (null: json for tools, error for apps)
  std::vector<Prop> props;          // Defaults, Tool
  const Block *body = nullptr;      // App
};

struct Module {
  std::string path;
  std::vector<const Decl *> decls;
};

/// Owns every node of one or more modules. Nodes of a type are packed in
/// that type's arena (no allocation or bookkeeping per node: a large
/// program has hundreds of thousands); all are destroyed with the context.
class ASTContext {
public:
  template <typename T> T *make() {
    return new (std::get<llvm::SpecificBumpPtrAllocator<T>>(arenas).Allocate()) T();
  }

private:
  std::tuple<llvm::SpecificBumpPtrAllocator<TypeExpr>, llvm::SpecificBumpPtrAllocator<Expr>,
             llvm::SpecificBumpPtrAllocator<Stmt>, llvm::SpecificBumpPtrAllocator<Block>,
             llvm::SpecificBumpPtrAllocator<Decl>, llvm::SpecificBumpPtrAllocator<Module>>
      arenas;
};

/// Writes the AST as an indented S-expression-like dump (for --emit=ast).
void dump(const Module &m, std::string &out, const llvm::SourceMgr *sm = nullptr);

const char *toString(Stmt::Kind k);

} // namespace llmflow::ast
