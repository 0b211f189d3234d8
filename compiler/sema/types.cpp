// Type resolution, assignability and naming for sema.
#include "sema/checker.h"

#include "support/suggest.h"

#include "llvm/ADT/StringSet.h"

namespace llmflow::sema {
using K = ir::Type::Kind;

namespace {
constexpr llvm::StringLiteral kSynthPrefix = "__rec";
bool isSynth(const ir::Type &t) { return t.kind == K::Record && isSynthName(t.name); }
} // namespace

bool isSynthName(llvm::StringRef name) { return name.startswith(kSynthPrefix); }

std::string typeName(const ir::Type &t, const CheckedProgram &cp) {
  switch (t.kind) {
  case K::List: return "list<" + typeName(t.elem[0], cp) + ">";
  case K::Optional: return "optional<" + typeName(t.elem[0], cp) + ">";
  case K::Record:
    if (isSynth(t)) {
      for (const ir::RecordDef &r : cp.records)
        if (r.name == t.name) {
          std::string s = "{";
          for (size_t i = 0; i < r.fields.size(); ++i)
            s += (i ? ", " : "") + r.fields[i].first + ": " + typeName(r.fields[i].second, cp);
          return s + "}";
        }
    }
    return t.name;
  default: return t.str();
  }
}

std::string Checker::qualify(unsigned m, llvm::StringRef name) const {
  return program.modules[m].prefix + name.str();
}

const ast::Decl *Checker::lookupDecl(unsigned m, llvm::StringRef name, llvm::SMRange r,
                                     std::initializer_list<ast::Decl::Kind> kinds, unsigned *declModule) {
  unsigned target = m;
  llvm::StringRef local = name;
  if (auto [alias, rest] = name.split('.'); !rest.empty()) {
    auto it = modules[m].imports.find(alias);
    if (it == modules[m].imports.end())
      return nullptr;
    modules[m].usedImports.insert(modules[m].importDecls[alias]);
    target = it->second;
    local = rest;
  }
  auto it = modules[target].decls.find(local);
  if (it == modules[target].decls.end())
    return nullptr;
  for (ast::Decl::Kind k : kinds)
    if (it->second->kind == k) {
      if (declModule)
        *declModule = target;
      return it->second;
    }
  return nullptr;
}

std::optional<ir::Type> Checker::resolveType(unsigned m, const ast::TypeExpr *t) {
  if (!t)
    return std::nullopt;
  static const llvm::StringMap<K> prims = {
      {"string", K::String}, {"int", K::Int}, {"float", K::Float}, {"bool", K::Bool}, {"json", K::Json}};
  if (t->name == "list" || t->name == "optional") {
    if (t->args.size() != 1) {
      diags.report(DiagID::ErrBadGenericArity, t->range) << t->name << 1u;
      return std::nullopt;
    }
    auto e = resolveType(m, t->args[0]);
    if (!e)
      return std::nullopt;
    return t->name == "list" ? ir::Type::list(*e) : ir::Type::optional(*e);
  }
  std::optional<ir::Type> base;
  if (auto it = prims.find(t->name); it != prims.end()) {
    base = ir::Type::prim(it->second);
  } else {
    unsigned dm = 0;
    const ast::Decl *d = lookupDecl(m, t->name, t->range, {ast::Decl::Kind::Record, ast::Decl::Kind::Enum}, &dm);
    if (!d) {
      if (!firstReport(t->name))
        return std::nullopt;
      std::vector<std::string> names = declNames(m, t->name, {ast::Decl::Kind::Record, ast::Decl::Kind::Enum});
      if (!llvm::StringRef(t->name).contains('.'))
        for (const char *b : kBuiltinTypes)
          names.push_back(b);
      auto diag = diags.report(DiagID::ErrUndefinedType, t->range);
      diag << t->name;
      diag.suggest(t->range, support::closestName(t->name, names));
      return std::nullopt;
    }
    base = ir::Type::named(d->kind == ast::Decl::Kind::Record ? K::Record : K::Enum, qualify(dm, d->name));
  }
  if (!t->args.empty()) {
    diags.report(DiagID::ErrNotGeneric, t->range) << t->name;
    return std::nullopt;
  }
  return base;
}

const ir::RecordDef *Checker::record(const ir::Type &t) const {
  if (t.kind != K::Record)
    return nullptr;
  for (const ir::RecordDef &r : out->records)
    if (r.name == t.name)
      return &r;
  return nullptr;
}

ir::Type Checker::recordLiteralType(std::vector<std::pair<std::string, ir::Type>> fields) {
  std::string key;
  for (auto &[n, t] : fields)
    key += n + ":" + t.str() + ";";
  auto it = synthRecords.find(key);
  if (it == synthRecords.end()) {
    ir::RecordDef def;
    def.name = kSynthPrefix.str() + std::to_string(synthRecords.size());
    def.fields = std::move(fields);
    it = synthRecords.emplace(key, unsigned(out->records.size())).first;
    out->records.push_back(std::move(def));
  }
  return ir::Type::named(K::Record, out->records[it->second].name);
}

bool Checker::assignable(const ir::Type &to, const ir::Type &from) const {
  if (to == from)
    return true;
  // json is the dynamic type: anything goes in, and it may flow anywhere
  // (checked at run time against the declared type).
  if (to.kind == K::Json || from.kind == K::Json)
    return true;
  if (to.kind == K::Float && from.kind == K::Int)
    return true;
  if (to.kind == K::String && from.kind == K::Enum)
    return true;
  if (to.kind == K::Optional) {
    if (from.kind == K::None)
      return true;
    if (from.kind == K::Optional)
      return assignable(to.elem[0], from.elem[0]);
    return assignable(to.elem[0], from);
  }
  if (to.kind == K::List && from.kind == K::List)
    return assignable(to.elem[0], from.elem[0]);
  // A structural record type (of a literal) converts to a record with the
  // same fields, and any record converts to a structural type it matches.
  if (to.kind == K::Record && from.kind == K::Record && (isSynth(from) || isSynth(to))) {
    const ir::RecordDef *rt = record(to), *rf = record(from);
    if (!rt || !rf || rt->fields.size() != rf->fields.size())
      return false;
    for (const auto &field : rt->fields) {
      const std::string &name = field.first;
      auto it = std::find_if(rf->fields.begin(), rf->fields.end(), [&](auto &f) { return f.first == name; });
      if (it == rf->fields.end() || !assignable(field.second, it->second))
        return false;
    }
    return true;
  }
  return false;
}

std::optional<ir::Type> Checker::unify(const ir::Type &a, const ir::Type &b) const {
  if (assignable(a, b) && b.kind != K::Json)
    return a;
  if (assignable(b, a) && a.kind != K::Json)
    return b;
  if (a.kind == K::Json || b.kind == K::Json)
    return ir::Type::prim(K::Json);
  if (a.kind == K::None)
    return b.kind == K::Optional ? b : ir::Type::optional(b);
  if (b.kind == K::None)
    return a.kind == K::Optional ? a : ir::Type::optional(a);
  return std::nullopt;
}

void Checker::coerce(const ast::Expr *e, const ir::Type &to) {
  // A literal that converts to a declared type takes that type, so the IR
  // names the declared record instead of a structural copy of it.
  if (!e)
    return;
  const ir::Type &target = to.kind == K::Optional ? to.elem[0] : to;
  if (e->kind == ast::Expr::Kind::Record && target.kind == K::Record && !isSynth(target)) {
    const ir::RecordDef *r = record(target);
    if (!r)
      return;
    out->exprTypes[e] = target;
    for (size_t i = 0; i < e->operands.size(); ++i)
      for (const auto &[name, ft] : r->fields)
        if (name == e->fieldNames[i])
          coerce(e->operands[i], ft);
  } else if (e->kind == ast::Expr::Kind::List && target.kind == K::List) {
    out->exprTypes[e] = target;
    for (const ast::Expr *x : e->operands)
      coerce(x, target.elem[0]);
  }
}

bool Checker::expect(const ir::Type &to, const std::optional<ir::Type> &from, const ast::Expr *e,
                     llvm::StringRef what, const std::function<void(support::DiagBuilder &)> &notes) {
  if (!from)
    return false; // already reported
  if (assignable(to, *from)) {
    coerce(e, to);
    return true;
  }
  const ir::Type &target = to.kind == K::Optional ? to.elem[0] : to;
  if (e->kind == ast::Expr::Kind::Record && target.kind == K::Record && !isSynth(target))
    if (const ir::RecordDef *r = record(target); r && recordLiteralMismatch(*r, e, what, notes))
      return false;
  auto d = diags.report(DiagID::ErrTypeMismatch, e->range);
  d << what << tn(to) << tn(*from);
  if (notes)
    notes(d);
  return false;
}

bool Checker::recordLiteralMismatch(const ir::RecordDef &r, const ast::Expr *e, llvm::StringRef what,
                                    const std::function<void(support::DiagBuilder &)> &notes) {
  unsigned before = diags.errorCount();
  // Name the field: one that the record lacks (with the missing field it
  // probably meant), one it needs, or one whose value has the wrong type.
  std::vector<llvm::StringRef> missing;
  for (const auto &[name, ft] : r.fields)
    if (ft.kind != K::Optional && !llvm::is_contained(e->fieldNames, name))
      missing.push_back(name);
  llvm::StringSet<> meant;
  for (size_t i = 0; i < e->operands.size(); ++i) {
    const std::string &f = e->fieldNames[i];
    auto it = std::find_if(r.fields.begin(), r.fields.end(), [&](auto &x) { return x.first == f; });
    if (it == r.fields.end()) {
      auto best = support::closestName(f, missing);
      if (best)
        meant.insert(*best);
      auto d = diags.report(DiagID::ErrNoSuchField, e->fieldRanges[i]);
      d << r.name << f;
      d.suggest(e->fieldRanges[i], best);
      continue;
    }
    auto ft = out->exprTypes.find(e->operands[i]);
    if (ft != out->exprTypes.end())
      expect(it->second, ft->second, e->operands[i], "field '" + f + "' of '" + r.name + "'", notes);
  }
  for (llvm::StringRef name : missing)
    if (!meant.count(name)) {
      auto d = diags.report(DiagID::ErrMissingField, e->range);
      d << what << name << r.name;
      if (notes)
        notes(d);
    }
  return diags.errorCount() > before || diags.errorLimitReached();
}

} // namespace llmflow::sema
