// Internal to sema: the Checker's state, shared by the files that implement
// its passes (decls, types, exprs, stages, deps). Not a public interface.
#pragma once

#include "sema/sema.h"

#include "llvm/ADT/SmallPtrSet.h"

#include "llvm/ADT/StringSet.h"

#include <functional>
#include <map>
#include <optional>

namespace llmflow::sema {

using support::DiagID;

/// Module-level names of one loaded module.
struct ModuleScope {
  llvm::StringMap<const ast::Decl *> decls;   // records, enums, tools, apps (unqualified)
  llvm::StringMap<unsigned> imports;           // alias -> module index
  llvm::StringMap<const ast::Decl *> importDecls;
  llvm::SmallPtrSet<const ast::Decl *, 4> usedImports;
  Policies defaults;
  bool defaultsHaveTimeout = false;
};

/// A lexical scope inside an application.
struct Scope {
  const Scope *parent = nullptr;
  const ast::Block *block = nullptr;           // null for the app's input scope
  const std::vector<ir::Param> *inputs = nullptr; // root scope: the signature
  llvm::StringMap<Ref> names;
};

/// Where an expression is being checked from.
struct ExprContext {
  const Scope *scope = nullptr;
  const ast::Stmt *from = nullptr;            // stage whose dependencies grow
  unsigned module = 0;
  bool inTemplateOnly = false;
  /// Set while checking a loop's until-condition: body stages it reads.
  std::vector<const ast::Stmt *> *resolvedBy = nullptr;
  /// Set while checking a `let`: the stages its value reads, which every
  /// use of the value then depends on.
  std::vector<std::pair<const ast::Stmt *, llvm::SMRange>> *reads = nullptr;
};

enum class CheckState { NotStarted, InProgress, Done };

/// Whether a record name is one made for a record literal's structural type.
bool isSynthName(llvm::StringRef name);

/// Type names the language defines; no record or enum may take one.
inline constexpr const char *kBuiltinTypes[] = {"string", "int", "float", "bool", "json", "list", "optional"};


class Checker {
public:
  Checker(const ast::Program &program, support::DiagnosticEngine &diags, const SemaOptions &opts);
  std::unique_ptr<CheckedProgram> run();

  // decls.cpp
  void collectDecls();
  void checkDefaults(unsigned m, const ast::Decl &d);
  void checkRecordsAndEnums();
  void checkToolDecl(unsigned m, const ast::Decl &d);
  void checkToolEnv(const ast::Prop &env, bool isExec);
  void checkAppSignature(unsigned m, const ast::Decl &d);
  std::vector<ir::Param> checkParams(unsigned m, const ast::Decl &d);
  /// Literals, negated numbers, enum values, and lists/records of them.
  bool isConstant(const ast::Expr *e) const;
  void checkAppCallGraph();
  void warnUnusedImports();
  void dropUnusedRecordLiteralTypes();
  void redefined(llvm::StringRef name, llvm::SMRange r, llvm::SMRange prev);

  // types.cpp
  std::optional<ir::Type> resolveType(unsigned m, const ast::TypeExpr *t);
  /// Looks up a (possibly qualified) module-level name of a given kind.
  const ast::Decl *lookupDecl(unsigned m, llvm::StringRef name, llvm::SMRange r,
                              std::initializer_list<ast::Decl::Kind> kinds, unsigned *declModule = nullptr);
  std::string qualify(unsigned m, llvm::StringRef name) const;
  bool assignable(const ir::Type &to, const ir::Type &from) const;
  std::optional<ir::Type> unify(const ir::Type &a, const ir::Type &b) const;
  const ir::RecordDef *record(const ir::Type &t) const;
  ir::Type recordLiteralType(std::vector<std::pair<std::string, ir::Type>> fields);
  std::string tn(const ir::Type &t) const { return typeName(t, *out); }
  /// Reports a mismatch unless `from` converts to `to`; on success a literal
  /// `e` takes the declared type. `notes` adds the other half (the
  /// declaration the value contradicts).
  bool expect(const ir::Type &to, const std::optional<ir::Type> &from, const ast::Expr *e, llvm::StringRef what,
              const std::function<void(support::DiagBuilder &)> &notes = {});
  /// A record literal that does not fit record `r`: names the field. False
  /// if no difference was found to report.
  bool recordLiteralMismatch(const ir::RecordDef &r, const ast::Expr *e, llvm::StringRef what,
                             const std::function<void(support::DiagBuilder &)> &notes);
  void coerce(const ast::Expr *e, const ir::Type &to);

  // candidates.cpp: what an unknown name could have meant
  std::vector<std::string> valueNames(const Scope *scope) const;
  std::vector<std::string> declNames(unsigned m, llvm::StringRef written,
                                     std::initializer_list<ast::Decl::Kind> kinds) const;

  // exprs.cpp
  std::optional<ir::Type> checkExpr(const ast::Expr *e, const ExprContext &cx);
  std::optional<ir::Type> checkTemplate(const ast::Expr *e, const ExprContext &cx);
  void noteDependency(const ExprContext &cx, const ast::Stmt *target, llvm::SMRange r);
  std::optional<ir::Type> refType(const Ref &ref, const Scope *scope);
  const Ref *lookup(const Scope *scope, llvm::StringRef name) const;
  /// `memberBase`: the name is the root of `a.b` and may be an enum or alias.
  std::optional<ir::Type> checkName(const ast::Expr *e, const ExprContext &cx, bool memberBase = false);
  std::optional<ir::Type> checkMember(const ast::Expr *e, const ExprContext &cx);
  /// A string literal compared with a value of an enum must be one of its
  /// values; false after reporting one that is not.
  bool checkEnumValue(const ir::Type &enumType, const ast::Expr *lit);
  std::optional<ir::Type> checkBinary(const ast::Expr *e, const ExprContext &cx);
  std::optional<ir::Type> checkCall(const ast::Expr *e, const ExprContext &cx);
  std::optional<ir::Type> checkIndex(const ast::Expr *e, const ExprContext &cx);
  std::optional<ir::Type> checkCoalesce(const ast::Expr *e, const ExprContext &cx);
  std::optional<ir::Type> checkMatch(const ast::Expr *e, const ExprContext &cx);
  /// A `let` used by `e`: its type, and its reads become dependencies of the user.
  std::optional<ir::Type> useLet(const ast::Expr *e, const ast::Stmt *let, const ExprContext &cx);

  // stages.cpp
  void checkApp(AppInfo &app);
  void declareStages(AppInfo &app, const ast::Block *b, Scope &scope, const ast::Stmt *parent,
                     const std::string &idPrefix, bool reachable);
  void checkStage(AppInfo &app, const ast::Stmt *s, const Scope &scope);
  Policies checkPolicies(const Policies &base, const std::vector<ast::Prop> &props, llvm::StringRef what,
                         std::initializer_list<llvm::StringRef> extra, bool *explicitTimeout = nullptr);
  std::optional<ir::CachePolicy> cacheValue(const ast::Prop &x);
  void checkAfter(const ast::Stmt *s, const Scope &scope);
  /// The expression that gives a block its value (its yield or return).
  static const ast::Expr *valueExpr(const ast::Block *b);
  static llvm::SMRange valueExprRange(const ast::Block *b);
  /// Where the name a reference resolves to is declared.
  llvm::SMRange declaredAt(const Ref &r) const;
  const ast::Arg *settingArg(const ast::Stmt *s, llvm::StringRef name) const;
  void checkSettings(const ast::Stmt *s, std::initializer_list<llvm::StringRef> allowed, const std::string &what);
  void checkArgs(const ast::Stmt *s, const std::vector<ir::Param> &params, const ast::Decl &calleeDecl,
                 llvm::StringRef callee, const ExprContext &cx);
  /// Whether a call may leave parameter `name` out (a default, or optional).
  static bool paramOptional(const std::vector<ir::Param> &params, llvm::StringRef name);
  std::optional<ir::Type> checkBody(const ast::Stmt *owner, const ast::Block *b, const Scope &scope,
                                    std::vector<const ast::Stmt *> *resolvedBy);
  void checkLLM(const ast::Stmt *s, StageInfo &si, const ExprContext &cx);
  void checkPlanner(const ast::Stmt *s, StageInfo &si, const ExprContext &cx);
  const ast::Prop *prop(const std::vector<ast::Prop> &props, llvm::StringRef name) const;
  /// Set, or misspelt (reported as unknown with `name` suggested): either
  /// way not to be reported as missing too.
  bool hasProp(const std::vector<ast::Prop> &props, llvm::StringRef name) const;

  // deps.cpp
  void orderBlock(AppInfo &app, const ast::Block *b);
  void warnUnused(AppInfo &app);
  /// The current application's stages in source order.
  std::vector<const ast::Stmt *> stagesInOrder() const;

  const ast::Program &program;
  support::DiagnosticEngine &diags;
  SemaOptions opts;
  std::unique_ptr<CheckedProgram> out;
  std::vector<ModuleScope> modules;
  std::map<std::string, unsigned> synthRecords;   // structural key -> index
  unsigned currentModule = 0;
  AppInfo *currentApp = nullptr;
  llvm::StringMap<const ast::Stmt *> appStages;   // all stage names of the current app
  llvm::DenseMap<const ast::Stmt *, unsigned> stmtIndex;
  llvm::SmallPtrSet<const ast::Stmt *, 16> usedStages;
  llvm::StringMap<bool> usedInputs;
  llvm::DenseMap<const ast::Stmt *, CheckState> stageState;
  llvm::DenseMap<const ast::Stmt *, const Scope *> stageScope;   // scope a stage is declared in
  llvm::DenseMap<const ast::Stmt *, ir::Type> loopStateType;
  llvm::DenseMap<const ast::Stmt *, ir::Type> mapItemType;
  llvm::DenseMap<const ast::Stmt *, std::vector<std::pair<const ast::Stmt *, llvm::SMRange>>> letReads;
  llvm::SmallPtrSet<const ast::Stmt *, 4> badLets;                // lets whose value has an error
  std::vector<std::unique_ptr<Scope>> scopes;                   // owns block scopes of the current app
  /// Where each planner lists its tools (parallel to plannerTools).
  llvm::DenseMap<const ast::Stmt *, std::vector<llvm::SMRange>> plannerToolRanges;
  /// Properties that an unknown property was taken to mean.
  llvm::StringSet<> meantProps;
  /// Unknown names already reported (of values, types, tools, apps,
  /// arguments): a name misspelt where it is declared would otherwise give
  /// an error at every use.
  llvm::StringSet<> reportedUnknown;
  bool firstReport(llvm::StringRef name) { return reportedUnknown.insert(name).second; }
  /// Names read by defaults that are not constants (already an error).
  llvm::DenseMap<const ast::Decl *, llvm::StringSet<>> defaultReads;
};

} // namespace llmflow::sema
