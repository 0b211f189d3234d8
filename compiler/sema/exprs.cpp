// Expression checking: name resolution, types, and the dependencies that
// references create between stages.
#include "sema/checker.h"
#include "sema/props.h"
#include "support/suggest.h"

namespace llmflow::sema {
using K = ir::Type::Kind;

const Ref *Checker::lookup(const Scope *scope, llvm::StringRef name) const {
  for (const Scope *s = scope; s; s = s->parent)
    if (auto it = s->names.find(name); it != s->names.end())
      return &it->second;
  return nullptr;
}

std::optional<ir::Type> Checker::refType(const Ref &ref, const Scope *scope) {
  switch (ref.kind) {
  case Ref::Kind::Input:
    for (const Scope *s = scope; s; s = s->parent)
      if (s->inputs)
        for (const ir::Param &p : *s->inputs)
          if (p.name == ref.name)
            return p.type;
    return std::nullopt;
  case Ref::Kind::Stage: {
    CheckState st = stageState.lookup(ref.stage);
    if (st == CheckState::NotStarted && currentApp)
      checkStage(*currentApp, ref.stage, *stageScope.lookup(ref.stage));
    if (stageState.lookup(ref.stage) != CheckState::Done)
      return ir::Type::prim(K::Json); // a cycle: reported by the dependency pass
    return out->stages[ref.stage].type;
  }
  case Ref::Kind::Let:
    return out->stages[ref.stage].type;
  case Ref::Kind::LoopState:
    if (auto it = loopStateType.find(ref.stage); it != loopStateType.end())
      return it->second;
    return ir::Type::prim(K::Json);
  case Ref::Kind::MapItem:
    if (auto it = mapItemType.find(ref.stage); it != mapItemType.end())
      return it->second;
    return ir::Type::prim(K::Json);
  case Ref::Kind::EnumValue:
  case Ref::Kind::Error:
    return std::nullopt;
  }
  return std::nullopt;
}

void Checker::noteDependency(const ExprContext &cx, const ast::Stmt *target, llvm::SMRange r) {
  usedStages.insert(target);
  if (cx.reads) {
    cx.reads->push_back({target, r});
    return;
  }
  if (!cx.from)
    return;
  const StageInfo &t = out->stages[target];
  for (const ast::Stmt *a = cx.from; a; a = out->stages[a].parent) {
    StageInfo &ai = out->stages[a];
    if (ai.block != t.block)
      continue;
    if (a == target) {
      diags.report(DiagID::ErrSelfReference, r) << target->name;
      return;
    }
    if (std::find(ai.deps.begin(), ai.deps.end(), target) == ai.deps.end()) {
      ai.deps.push_back(target);
      ai.depRanges.push_back(r);
    }
    return;
  }
  // The target is inside `from`'s own body: a loop's until-condition or a
  // block's yield reading the body's stages.
  if (cx.resolvedBy && std::find(cx.resolvedBy->begin(), cx.resolvedBy->end(), target) == cx.resolvedBy->end())
    cx.resolvedBy->push_back(target);
}

std::optional<ir::Type> Checker::checkName(const ast::Expr *e, const ExprContext &cx, bool memberBase) {
  if (const Ref *ref = lookup(cx.scope, e->text)) {
    out->refs[e] = *ref;
    if (ref->kind == Ref::Kind::Input)
      usedInputs[ref->name] = true;
    if (ref->kind == Ref::Kind::Stage)
      noteDependency(cx, ref->stage, e->range);
    if (ref->kind == Ref::Kind::Let)
      return useLet(e, ref->stage, cx);
    if (ref->kind == Ref::Kind::LoopState && !loopStateType.count(ref->stage)) {
      diags.report(DiagID::ErrLoopStateWithoutInit, e->range) << ref->stage->name;
      return std::nullopt;
    }
    return refType(*ref, cx.scope);
  }
  out->refs[e] = Ref{};
  if (auto it = appStages.find(e->text); it != appStages.end()) {
    const StageInfo &si = out->stages[it->second];
    (diags.report(DiagID::ErrNameNotVisible, e->range) << e->text << (si.parent ? si.parent->name : std::string("?")))
        .note(DiagID::NoteDeclaredHere, it->second->nameRange, {e->text});
    return std::nullopt;
  }
  if (const ast::Decl *d = lookupDecl(cx.module, e->text, e->range,
                                      {ast::Decl::Kind::Tool, ast::Decl::Kind::App, ast::Decl::Kind::Record,
                                       ast::Decl::Kind::Enum})) {
    (diags.report(DiagID::ErrNameNotAValue, e->range) << e->text)
        .note(DiagID::NoteDeclaredHere, d->nameRange, {e->text});
    return std::nullopt;
  }
  std::vector<std::string> candidates = valueNames(cx.scope);
  if (memberBase) {
    for (std::string &n : declNames(cx.module, "", {ast::Decl::Kind::Enum}))
      candidates.push_back(std::move(n));
    for (const auto &alias : modules[cx.module].imports)
      candidates.push_back(alias.first().str());
  }
  if (!firstReport(e->text))
    return std::nullopt; // one mistake: its other uses are not reported again
  auto best = support::closestName(e->text, candidates);
  auto d = diags.report(DiagID::ErrUndefinedName, e->range);
  d << e->text;
  d.suggest(e->range, best);
  // The name meant is then used, if wrongly: do not also call it unused.
  if (const Ref *meant = best ? lookup(cx.scope, *best) : nullptr) {
    if (meant->kind == Ref::Kind::Input)
      usedInputs[meant->name] = true;
    else if (meant->kind == Ref::Kind::Stage)
      usedStages.insert(meant->stage);
  }
  return std::nullopt;
}

std::optional<ir::Type> Checker::useLet(const ast::Expr *e, const ast::Stmt *let, const ExprContext &cx) {
  usedStages.insert(let);
  CheckState st = stageState.lookup(let);
  if (st == CheckState::NotStarted && currentApp)
    checkStage(*currentApp, let, *stageScope.lookup(let));
  if (stageState.lookup(let) != CheckState::Done) {
    diags.report(DiagID::ErrSelfReference, e->range) << let->name;
    return std::nullopt;
  }
  if (badLets.count(let))
    return std::nullopt; // its value has an error, reported there
  const StageInfo &li = out->stages[let];
  // Reading the value reads what the value reads.
  for (const auto &[stage, where] : letReads[let])
    noteDependency(cx, stage, e->range);
  return li.type;
}

std::optional<ir::Type> Checker::checkMember(const ast::Expr *e, const ExprContext &cx) {
  const ast::Expr *base = e->operands[0];
  // Enum values: Verdict.pass, alias.Verdict.pass. Only when the chain's root
  // is not a value in scope.
  const ast::Expr *root = base;
  while (root->kind == ast::Expr::Kind::Member)
    root = root->operands[0];
  std::string dn = dottedName(base);
  if (!dn.empty() && root->kind == ast::Expr::Kind::Name && !lookup(cx.scope, root->text)) {
    unsigned dm = 0;
    if (const ast::Decl *d = lookupDecl(cx.module, dn, base->range, {ast::Decl::Kind::Enum}, &dm)) {
      if (std::find(d->enumValues.begin(), d->enumValues.end(), e->text) == d->enumValues.end()) {
        auto diag = diags.report(DiagID::ErrNoSuchEnumValue, e->nameRange);
        diag << dn << e->text;
        diag.suggest(e->nameRange, support::closestName(e->text, d->enumValues));
        return std::nullopt;
      }
      out->enumValues[e] = e->text;
      return ir::Type::named(K::Enum, qualify(dm, d->name));
    }
    if (modules[cx.module].imports.count(root->text) && base == root) {
      modules[cx.module].usedImports.insert(modules[cx.module].importDecls[root->text]);
      diags.report(DiagID::ErrNameNotAValue, e->range) << dn + "." + e->text;
      return std::nullopt;
    }
  }
  auto bt = base->kind == ast::Expr::Kind::Name ? checkName(base, cx, true) : checkExpr(base, cx);
  if (bt && base->kind == ast::Expr::Kind::Name)
    out->exprTypes[base] = *bt;
  if (!bt)
    return std::nullopt;
  bool optional = false;
  ir::Type t = *bt;
  if (t.kind == K::Optional) {
    optional = true;
    t = t.elem[0];
  }
  if (t.kind == K::Json)
    return ir::Type::prim(K::Json);
  if (const ir::RecordDef *r = record(t)) {
    std::vector<std::string> names;
    for (auto &[name, ft] : r->fields) {
      if (name == e->text)
        return optional && ft.kind != K::Optional ? ir::Type::optional(ft) : ft;
      names.push_back(name);
    }
    auto d = diags.report(DiagID::ErrNoSuchField, e->nameRange);
    d << tn(t) << e->text;
    d.suggest(e->nameRange, support::closestName(e->text, names));
    return std::nullopt;
  }
  diags.report(DiagID::ErrNotARecord, e->nameRange) << tn(*bt) << e->text;
  return std::nullopt;
}

namespace {
bool isPlainString(const ast::Expr *e) {
  return e->kind == ast::Expr::Kind::String &&
         std::none_of(e->pieces.begin(), e->pieces.end(), [](const ast::TemplatePiece &p) { return p.hole; });
}

/// A literal zero, possibly negated or parenthesised: `x / 0` can never run.
bool isZero(const ast::Expr *e) {
  if (e->kind == ast::Expr::Kind::Unary && e->text == "-")
    return isZero(e->operands[0]);
  return (e->kind == ast::Expr::Kind::Int && e->intValue == 0) ||
         (e->kind == ast::Expr::Kind::Float && e->floatValue == 0);
}
} // namespace

bool Checker::checkEnumValue(const ir::Type &enumType, const ast::Expr *lit) {
  const ir::EnumDef *def = nullptr;
  for (const ir::EnumDef &d : out->enums)
    if (d.name == enumType.name)
      def = &d;
  if (!def || llvm::is_contained(def->values, lit->text))
    return true;
  auto best = support::closestName(lit->text, def->values);
  auto d = diags.report(DiagID::ErrNoSuchEnumValue, lit->range);
  d << enumType.name << lit->text;
  d.suggest(lit->range, best, best ? std::optional("\"" + *best + "\"") : std::nullopt);
  return false;
}

std::optional<ir::Type> Checker::checkBinary(const ast::Expr *e, const ExprContext &cx) {
  auto l = checkExpr(e->operands[0], cx), r = checkExpr(e->operands[1], cx);
  if (!l || !r)
    return std::nullopt;
  llvm::StringRef op = e->text;
  auto numeric = [](const ir::Type &t) { return t.kind == K::Int || t.kind == K::Float || t.kind == K::Json; };
  auto bad = [&]() -> std::optional<ir::Type> {
    diags.report(DiagID::ErrBadOperands, e->range) << op << tn(*l) << tn(*r);
    return std::nullopt;
  };
  if (op == "&&" || op == "||") {
    bool okL = l->kind == K::Bool || l->kind == K::Json, okR = r->kind == K::Bool || r->kind == K::Json;
    return okL && okR ? std::optional(ir::Type::prim(K::Bool)) : bad();
  }
  if (op == "==" || op == "!=") {
    // An enum compared with a string literal: the literal must be a value.
    for (int side = 0; side < 2; ++side) {
      const ir::Type &et = side ? *r : *l;
      const ast::Expr *lit = e->operands[side ? 0 : 1];
      if (et.kind == K::Enum && isPlainString(lit) && !checkEnumValue(et, lit))
        return std::nullopt;
    }
    return unify(*l, *r) ? std::optional(ir::Type::prim(K::Bool)) : bad();
  }
  if (op == "<" || op == "<=" || op == ">" || op == ">=") {
    bool strings = l->kind == K::String && r->kind == K::String;
    return strings || (numeric(*l) && numeric(*r)) ? std::optional(ir::Type::prim(K::Bool)) : bad();
  }
  if (op == "+" && (l->kind == K::String || r->kind == K::String)) {
    // Enum values are strings, so they concatenate too.
    auto text = [](const ir::Type &t) { return t.kind == K::String || t.kind == K::Json || t.kind == K::Enum; };
    return text(*l) && text(*r) ? std::optional(ir::Type::prim(K::String)) : bad();
  }
  if (op == "+" && l->kind == K::List && r->kind == K::List) {
    if (auto u = unify(*l, *r))
      return u;
    return bad();
  }
  if (!numeric(*l) || !numeric(*r))
    return bad();
  if ((op == "/" || op == "%") && isZero(e->operands[1])) {
    diags.report(DiagID::ErrDivisionByZero, e->operands[1]->range) << op;
    return std::nullopt;
  }
  if (l->kind == K::Json || r->kind == K::Json)
    return ir::Type::prim(K::Json);
  if (op == "%" && (l->kind != K::Int || r->kind != K::Int))
    return bad();
  return l->kind == K::Float || r->kind == K::Float ? ir::Type::prim(K::Float) : ir::Type::prim(K::Int);
}

std::optional<ir::Type> Checker::checkCall(const ast::Expr *e, const ExprContext &cx) {
  struct Fn { const char *name; unsigned arity; };
  static const Fn fns[] = {{"len", 1}, {"contains", 2}, {"lower", 1}, {"upper", 1}, {"str", 1}};
  const Fn *fn = nullptr;
  for (const Fn &f : fns)
    if (e->text == f.name)
      fn = &f;
  std::vector<std::optional<ir::Type>> args;
  for (const ast::Expr *a : e->operands)
    args.push_back(checkExpr(a, cx));
  if (!fn) {
    std::vector<llvm::StringRef> names;
    for (const Fn &f : fns)
      names.push_back(f.name);
    auto d = diags.report(DiagID::ErrUnknownFunction, e->nameRange);
    d << e->text;
    d.suggest(e->nameRange, support::closestName(e->text, names));
    return std::nullopt;
  }
  if (e->operands.size() != fn->arity) {
    diags.report(DiagID::ErrCallArity, e->range) << e->text << fn->arity << e->operands.size();
    return std::nullopt;
  }
  for (auto &a : args)
    if (!a)
      return std::nullopt;
  auto badArg = [&](size_t i) -> std::optional<ir::Type> {
    diags.report(DiagID::ErrBadOperand, e->operands[i]->range) << e->text << tn(*args[i]);
    return std::nullopt;
  };
  llvm::StringRef name = e->text;
  K k0 = args[0]->kind;
  if (name == "len")
    return k0 == K::String || k0 == K::List || k0 == K::Json ? std::optional(ir::Type::prim(K::Int)) : badArg(0);
  if (name == "contains") {
    if (k0 == K::String || k0 == K::Json) {
      if (args[1]->kind != K::String && args[1]->kind != K::Json && args[1]->kind != K::Enum)
        return badArg(1);
    } else if (k0 == K::List) {
      if (!unify(args[0]->elem[0], *args[1]))
        return badArg(1);
    } else {
      return badArg(0);
    }
    return ir::Type::prim(K::Bool);
  }
  if (name == "lower" || name == "upper")
    return k0 == K::String || k0 == K::Json || k0 == K::Enum ? std::optional(ir::Type::prim(K::String)) : badArg(0);
  return ir::Type::prim(K::String); // str
}

std::optional<ir::Type> Checker::checkExpr(const ast::Expr *e, const ExprContext &cx) {
  std::optional<ir::Type> t;
  switch (e->kind) {
  case ast::Expr::Kind::Int: t = ir::Type::prim(K::Int); break;
  case ast::Expr::Kind::Float: t = ir::Type::prim(K::Float); break;
  case ast::Expr::Kind::Duration:
    diags.report(DiagID::ErrDurationNotAllowed, e->range)
        << llvm::StringRef(e->range.Start.getPointer(), e->range.End.getPointer() - e->range.Start.getPointer());
    break;
  case ast::Expr::Kind::Bool: t = ir::Type::prim(K::Bool); break;
  case ast::Expr::Kind::None: t = ir::Type::prim(K::None); break;
  case ast::Expr::Kind::String: {
    bool ok = true;
    for (const ast::TemplatePiece &p : e->pieces)
      if (p.hole)
        ok &= checkExpr(p.hole, cx).has_value();
    if (ok)
      t = ir::Type::prim(K::String);
    break;
  }
  case ast::Expr::Kind::Name: t = checkName(e, cx); break;
  case ast::Expr::Kind::Member: t = checkMember(e, cx); break;
  case ast::Expr::Kind::Unary: {
    auto o = checkExpr(e->operands[0], cx);
    if (!o)
      break;
    bool ok = e->text == "!" ? (o->kind == K::Bool || o->kind == K::Json)
                             : (o->kind == K::Int || o->kind == K::Float || o->kind == K::Json);
    if (ok)
      t = e->text == "!" ? ir::Type::prim(K::Bool) : *o;
    else
      diags.report(DiagID::ErrBadOperand, e->range) << e->text << tn(*o);
    break;
  }
  case ast::Expr::Kind::Binary: t = e->text == "??" ? checkCoalesce(e, cx) : checkBinary(e, cx); break;
  case ast::Expr::Kind::Index:
  case ast::Expr::Kind::Slice: t = checkIndex(e, cx); break;
  case ast::Expr::Kind::Match: t = checkMatch(e, cx); break;
  case ast::Expr::Kind::Call: t = checkCall(e, cx); break;
  case ast::Expr::Kind::List: {
    std::optional<ir::Type> elem;
    bool ok = true;
    for (const ast::Expr *x : e->operands) {
      auto xt = checkExpr(x, cx);
      if (!xt) { ok = false; continue; }
      if (!elem) { elem = xt; continue; }
      auto u = unify(*elem, *xt);
      if (!u) {
        diags.report(DiagID::ErrTypeMismatch, x->range) << "list element" << tn(*elem) << tn(*xt);
        ok = false;
      } else {
        elem = u;
      }
    }
    if (ok)
      t = ir::Type::list(elem.value_or(ir::Type::prim(K::Json)));
    break;
  }
  case ast::Expr::Kind::Record: {
    std::vector<std::pair<std::string, ir::Type>> fields;
    llvm::StringMap<llvm::SMRange> seen;
    bool ok = true;
    for (size_t i = 0; i < e->operands.size(); ++i) {
      auto ft = checkExpr(e->operands[i], cx);
      if (auto [it, fresh] = seen.try_emplace(e->fieldNames[i], e->fieldRanges[i]); !fresh) {
        redefined(e->fieldNames[i], e->fieldRanges[i], it->second);
        ok = false;
      }
      if (!ft) { ok = false; continue; }
      fields.push_back({e->fieldNames[i], ft->kind == K::None ? ir::Type::prim(K::Json) : *ft});
    }
    if (ok)
      t = recordLiteralType(std::move(fields));
    break;
  }
  }
  if (t)
    out->exprTypes[e] = *t;
  return t;
}

std::optional<ir::Type> Checker::checkTemplate(const ast::Expr *e, const ExprContext &cx) {
  return checkExpr(e, cx);
}

} // namespace llmflow::sema
