// The sema entry point: runs the checker's passes in order.
#include "sema/checker.h"

#include "llvm/ADT/STLExtras.h"

namespace llmflow::sema {

const ToolInfo *CheckedProgram::findTool(llvm::StringRef qualName) const {
  for (const ToolInfo &t : tools)
    if (t.qualName == qualName)
      return &t;
  return nullptr;
}

const AppInfo *CheckedProgram::findApp(llvm::StringRef qualName) const {
  for (const AppInfo &a : apps)
    if (a.qualName == qualName)
      return &a;
  return nullptr;
}

Checker::Checker(const ast::Program &program, support::DiagnosticEngine &diags, const SemaOptions &opts)
    : program(program), diags(diags), opts(opts), out(std::make_unique<CheckedProgram>()) {
  out->program = &program;
}

std::unique_ptr<CheckedProgram> Checker::run() {
  collectDecls();
  checkRecordsAndEnums();
  auto forEachDecl = [&](ast::Decl::Kind kind, auto &&fn) {
    for (unsigned m = 0; m < program.modules.size(); ++m)
      for (const ast::Decl *d : program.modules[m].module->decls)
        if (d->kind == kind && modules[m].decls.lookup(d->name) == d)
          fn(m, *d);
  };
  // Signatures first (tools and apps are found by pointer afterwards, so the
  // vectors must not grow once bodies are checked).
  forEachDecl(ast::Decl::Kind::Tool, [&](unsigned m, const ast::Decl &d) { checkToolDecl(m, d); });
  forEachDecl(ast::Decl::Kind::App, [&](unsigned m, const ast::Decl &d) { checkAppSignature(m, d); });
  for (AppInfo &app : out->apps)
    checkApp(app);
  checkAppCallGraph();
  warnUnusedImports();
  if (diags.hasErrors())
    return nullptr;
  dropUnusedRecordLiteralTypes();
  return std::move(out);
}

void Checker::dropUnusedRecordLiteralTypes() {
  // A literal that converted to a declared record took that record's type;
  // the structural type made for it is then unused and would only be a
  // duplicate in the IR.
  llvm::StringSet<> used;
  std::function<void(const ir::Type &)> mark = [&](const ir::Type &t) {
    for (const ir::Type &e : t.elem)
      mark(e);
    if (t.kind == ir::Type::Kind::Record && used.insert(t.name).second)
      if (const ir::RecordDef *r = record(t))
        for (const auto &field : r->fields)
          mark(field.second);
  };
  for (const auto &entry : out->exprTypes)
    mark(entry.second);
  for (const auto &entry : out->stages)
    mark(entry.second.type);
  for (const ToolInfo &t : out->tools) {
    mark(t.result);
    for (const ir::Param &p : t.params)
      mark(p.type);
  }
  for (const AppInfo &a : out->apps) {
    mark(a.result);
    for (const ir::Param &p : a.inputs)
      mark(p.type);
  }
  llvm::erase_if(out->records, [&](const ir::RecordDef &r) { return isSynthName(r.name) && !used.count(r.name); });
}

std::unique_ptr<CheckedProgram> check(const ast::Program &program, support::DiagnosticEngine &diags,
                                      const SemaOptions &opts) {
  return Checker(program, diags, opts).run();
}

} // namespace llmflow::sema
