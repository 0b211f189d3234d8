// The names that would have been valid where an unknown one was written:
// the candidates for "did you mean ...?" notes.
#include "sema/checker.h"

namespace llmflow::sema {

std::vector<std::string> Checker::valueNames(const Scope *scope) const {
  std::vector<std::string> out;
  for (const Scope *s = scope; s; s = s->parent)
    for (const auto &entry : s->names)
      out.push_back(entry.first().str());
  std::sort(out.begin(), out.end()); // StringMap order is not stable
  return out;
}

std::vector<std::string> Checker::declNames(unsigned m, llvm::StringRef written,
                                            std::initializer_list<ast::Decl::Kind> kinds) const {
  // "alias.name": the names of that module, spelled with the alias.
  std::string prefix;
  unsigned target = m;
  if (auto [alias, rest] = written.split('.'); !rest.empty()) {
    auto it = modules[m].imports.find(alias);
    if (it == modules[m].imports.end())
      return {};
    target = it->second;
    prefix = alias.str() + ".";
  }
  std::vector<std::string> out;
  for (const ast::Decl *d : program.modules[target].module->decls)
    if (std::find(kinds.begin(), kinds.end(), d->kind) != kinds.end())
      out.push_back(prefix + d->name);
  return out;
}

} // namespace llmflow::sema
