#include "driver/loader.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <map>

namespace llmflow::driver {
using support::DiagID;

namespace {

class Loader {
public:
  Loader(ast::ASTContext &ctx, support::DiagnosticEngine &diags, const LoadOptions &opts)
      : ctx(ctx), diags(diags), opts(opts) {}

  bool mainUnreadable = false;
  bool failed = false;

  std::optional<ast::Program> run(llvm::StringRef path, std::optional<llvm::StringRef> text = std::nullopt) {
    mainText = text;
    auto idx = load(path.str(), nullptr, "");
    // A module parsed with repaired syntax errors is still checked (its
    // later mistakes are reported too); one that failed to load is not.
    if (!idx || failed)
      return std::nullopt;
    return std::move(program);
  }

private:
  ast::ASTContext &ctx;
  support::DiagnosticEngine &diags;
  const LoadOptions &opts;
  ast::Program program;
  std::map<std::string, unsigned> byPath;   // canonical path -> module index
  std::vector<std::string> stack;           // canonical paths being loaded
  llvm::StringSet<> prefixes;
  std::optional<llvm::StringRef> mainText;

  std::string canonical(const std::string &path) {
    llvm::SmallString<256> real;
    if (!llvm::sys::fs::real_path(path, real))
      return std::string(real);
    return path;
  }

  std::string resolveImport(const ast::Decl &imp, llvm::StringRef fromFile) {
    llvm::SmallString<256> p;
    if (imp.importIsFile) {
      if (llvm::sys::path::is_absolute(imp.importPath)) {
        p = imp.importPath;
      } else {
        p = llvm::sys::path::parent_path(fromFile);
        llvm::sys::path::append(p, imp.importPath);
      }
      return std::string(p);
    }
    llvm::StringRef dotted = imp.importPath;
    if (!dotted.startswith("std."))
      return "";
    p = opts.stdlibDir;
    llvm::SmallVector<llvm::StringRef, 4> parts;
    dotted.split(parts, '.');
    for (llvm::StringRef part : parts)
      llvm::sys::path::append(p, part);
    p += ".llmflow";
    return std::string(p);
  }

  std::optional<unsigned> load(const std::string &path, const ast::Decl *importedBy, const std::string &alias) {
    auto idx = loadOne(path, importedBy, alias);
    failed |= !idx;
    return idx;
  }

  std::optional<unsigned> loadOne(const std::string &path, const ast::Decl *importedBy, const std::string &alias) {
    llvm::SMRange at = importedBy ? importedBy->importPathRange : llvm::SMRange();
    std::string canon = canonical(path);
    if (auto it = byPath.find(canon); it != byPath.end()) {
      if (std::find(stack.begin(), stack.end(), canon) != stack.end()) {
        diags.report(DiagID::ErrImportCycle, at) << importedBy->importPath;
        return std::nullopt;
      }
      return it->second;
    }
    if (program.modules.size() >= opts.maxModules) {
      diags.report(DiagID::ErrFileNotReadable, at) << path << "too many modules";
      return std::nullopt;
    }
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buf =
        !importedBy && mainText ? llvm::MemoryBuffer::getMemBufferCopy(*mainText, path)
                                : llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
    // Standard-library files are named "<stdlib>/std/NAME.llmflow" in
    // diagnostics and IR locations, so output does not depend on where
    // llmflow is installed.
    if (buf && importedBy && !importedBy->importIsFile)
      buf = llvm::MemoryBuffer::getMemBufferCopy((*buf)->getBuffer(),
                                                 "<stdlib>/" + std::string(llvm::sys::path::filename(
                                                                   llvm::sys::path::parent_path(path))) +
                                                     "/" + std::string(llvm::sys::path::filename(path)));
    if (!buf) {
      if (importedBy) {
        diags.report(DiagID::ErrImportNotFound, at) << importedBy->importPath;
      } else {
        diags.report(DiagID::ErrFileNotReadable, support::FileLoc{path, 1, 1}) << path << buf.getError().message();
        mainUnreadable = true;
      }
      return std::nullopt;
    }
    llvm::SourceMgr &sm = diags.sourceMgr();
    unsigned bufId = sm.AddNewSourceBuffer(std::move(*buf), at.Start);
    const ast::Module *mod = parse::parseModule(bufId, ctx, diags, opts.parse);
    if (!mod)
      return std::nullopt;
    unsigned index = unsigned(program.modules.size());
    byPath[canon] = index;
    ast::LoadedModule lm;
    lm.module = mod;
    if (importedBy) {
      std::string prefix = alias;
      for (unsigned n = 2; prefixes.count(prefix); ++n)
        prefix = alias + std::to_string(n);
      prefixes.insert(prefix);
      lm.prefix = prefix + ".";
    }
    program.modules.push_back(std::move(lm));
    stack.push_back(canon);
    for (const ast::Decl *d : mod->decls) {
      if (d->kind != ast::Decl::Kind::Import)
        continue;
      std::string target = resolveImport(*d, path);
      if (target.empty() || !llvm::sys::fs::exists(target)) {
        auto diag = diags.report(DiagID::ErrImportNotFound, d->importPathRange);
        diag << d->importPath;
        if (!target.empty() && !d->importIsFile)
          diag.note(DiagID::NoteStdlibSearched, d->importPathRange, {opts.stdlibDir});
        failed = true;
        continue;
      }
      if (auto idx = load(target, d, d->name))
        program.modules[index].imports.try_emplace(d->name, *idx); // a duplicate alias is reported by sema
    }
    stack.pop_back();
    return index;
  }
};

} // namespace

std::optional<ast::Program> loadProgramFromText(llvm::StringRef path, llvm::StringRef text, ast::ASTContext &ctx,
                                                support::DiagnosticEngine &diags, const LoadOptions &opts) {
  return Loader(ctx, diags, opts).run(path, text);
}

std::optional<ast::Program> loadProgram(llvm::StringRef path, ast::ASTContext &ctx,
                                        support::DiagnosticEngine &diags, const LoadOptions &opts,
                                        bool *unreadable) {
  Loader loader(ctx, diags, opts);
  auto program = loader.run(path);
  if (unreadable)
    *unreadable = loader.mainUnreadable;
  return program;
}

} // namespace llmflow::driver
