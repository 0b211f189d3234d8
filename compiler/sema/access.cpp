// Expressions that take values apart: indexing and slicing (`xs[0]`,
// `xs[1:]`), the default of an optional (`x ?? d`), and `match` on an enum.
#include "sema/checker.h"

#include "support/suggest.h"

namespace llmflow::sema {
using K = ir::Type::Kind;

std::optional<ir::Type> Checker::checkIndex(const ast::Expr *e, const ExprContext &cx) {
  bool slice = e->kind == ast::Expr::Kind::Slice;
  llvm::StringRef op = slice ? "[:]" : "[]";
  auto base = checkExpr(e->operands[0], cx);
  std::vector<std::optional<ir::Type>> keys;
  for (size_t i = 1; i < e->operands.size(); ++i)
    keys.push_back(checkExpr(e->operands[i], cx));
  if (!base || llvm::any_of(keys, [](auto &k) { return !k; }))
    return std::nullopt;
  auto isInt = [](const ir::Type &t) { return t.kind == K::Int || t.kind == K::Json; };
  if (slice) {
    // Bounds are ints or left out (none): xs[1:], s[:80].
    for (size_t i = 0; i < keys.size(); ++i)
      if (!isInt(*keys[i]) && keys[i]->kind != K::None) {
        diags.report(DiagID::ErrBadOperands, e->operands[i + 1]->range) << op << tn(*base) << tn(*keys[i]);
        return std::nullopt;
      }
    if (base->kind == K::List || base->kind == K::String || base->kind == K::Json)
      return *base;
  } else {
    const ir::Type &key = *keys[0];
    if (base->kind == K::List && isInt(key))
      return base->elem[0];
    if (base->kind == K::String && isInt(key))
      return ir::Type::prim(K::String);
    // json: a list position or an object key, checked at run time.
    if (base->kind == K::Json && (isInt(key) || key.kind == K::String))
      return ir::Type::prim(K::Json);
  }
  diags.report(DiagID::ErrBadOperands, e->range) << op << tn(*base) << tn(slice ? *keys[0] : keys[0].value());
  return std::nullopt;
}

std::optional<ir::Type> Checker::checkCoalesce(const ast::Expr *e, const ExprContext &cx) {
  auto l = checkExpr(e->operands[0], cx), r = checkExpr(e->operands[1], cx);
  if (!l || !r)
    return std::nullopt;
  if (l->kind == K::Json)
    return ir::Type::prim(K::Json);
  // `none ?? d` is d; `x ?? d` needs an optional x, whose element and d agree.
  ir::Type inner = l->kind == K::Optional ? l->elem[0] : *l;
  if (l->kind == K::Optional || l->kind == K::None) {
    if (l->kind == K::None)
      return *r;
    if (auto u = unify(inner, *r))
      return *u;
  }
  diags.report(DiagID::ErrBadOperands, e->range) << "??" << tn(*l) << tn(*r);
  return std::nullopt;
}

std::optional<ir::Type> Checker::checkMatch(const ast::Expr *e, const ExprContext &cx) {
  auto subject = checkExpr(e->operands[0], cx);
  std::vector<std::optional<ir::Type>> values;
  for (const ast::MatchArm &a : e->arms)
    values.push_back(checkExpr(a.value, cx));
  if (!subject)
    return std::nullopt;
  const ir::EnumDef *def = nullptr;
  for (const ir::EnumDef &d : out->enums)
    if (subject->kind == K::Enum && d.name == subject->name)
      def = &d;
  if (!def) {
    diags.report(DiagID::ErrMatchSubject, e->operands[0]->range) << tn(*subject);
    return std::nullopt;
  }
  // Patterns: `value`, `Enum.value` (as the type is spelt here) or `_`.
  bool ok = true, rest = false;
  llvm::StringMap<llvm::SMRange> seen;
  llvm::StringRef enumName = def->name;
  std::string localName = enumName.rsplit('.').second.empty() ? enumName.str() : enumName.rsplit('.').second.str();
  for (const ast::MatchArm &a : e->arms)
    for (size_t i = 0; i < a.values.size(); ++i) {
      llvm::StringRef v = a.values[i];
      llvm::SMRange r = a.valueRanges[i];
      if (v == "_") {
        if (rest) {
          (diags.report(DiagID::ErrMatchDuplicate, r) << "_").note(DiagID::NotePreviousDefinition, seen["_"]);
          ok = false;
        }
        rest = true;
        seen["_"] = r;
        continue;
      }
      if (auto [qual, value] = v.rsplit('.'); !value.empty()) {
        if (qual != enumName && qual != localName) {
          diags.report(DiagID::ErrTypeMismatch, r) << "pattern of 'match'" << tn(*subject) << qual.str();
          ok = false;
          continue;
        }
        v = value;
      }
      if (!llvm::is_contained(def->values, v)) {
        (diags.report(DiagID::ErrNoSuchEnumValue, r) << def->name << v)
            .suggest(r, support::closestName(v, def->values));
        ok = false;
      } else if (rest || seen.count(v)) {
        (diags.report(DiagID::ErrMatchDuplicate, r) << v)
            .note(DiagID::NotePreviousDefinition, rest ? seen["_"] : seen[v]);
        ok = false;
      }
      seen.try_emplace(v, r);
    }
  if (ok && !rest) {
    std::string missing;
    unsigned n = 0;
    for (const std::string &v : def->values)
      if (!seen.count(v))
        missing += (n++ ? ", '" : "'") + v + "'";
    if (n) {
      diags.report(DiagID::ErrMatchNotExhaustive, e->range) << (n == 1 ? "value " : "values ") + missing << def->name;
      ok = false;
    }
  }
  // The arms' values agree on one type.
  std::optional<ir::Type> result;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i]) {
      ok = false;
      continue;
    }
    if (!result) {
      result = values[i];
      continue;
    }
    if (auto u = unify(*result, *values[i])) {
      result = u;
      continue;
    }
    (diags.report(DiagID::ErrYieldTypeMismatch, e->arms[i].value->range) << "match" << tn(*result) << tn(*values[i]))
        .note(DiagID::NoteArmYields, e->arms[0].value->range, {tn(*values[0])});
    ok = false;
  }
  if (!ok)
    return std::nullopt;
  return result;
}

} // namespace llmflow::sema
