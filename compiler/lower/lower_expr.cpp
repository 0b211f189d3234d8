// Lowering of expressions and templates.
#include "lower/lower_internal.h"

#include "support/source_util.h"

namespace llmflow::lower {

ir::SourceLoc Lowerer::loc(llvm::SMRange r) const {
  support::LineCol lc = support::lineCol(sm, r.Start);
  return {lc.file, lc.line, lc.col};
}

std::string Lowerer::valueId(const ast::Stmt *s) const {
  const std::string &id = cp.stages.find(s)->second.id;
  return s->kind == ast::Stmt::Kind::Planner ? id + ".steps" : id;
}

namespace {
ir::Type typeOf(const sema::CheckedProgram &cp, const ast::Expr *e) {
  auto it = cp.exprTypes.find(e);
  return it == cp.exprTypes.end() ? ir::Type::prim(ir::Type::Kind::Json) : it->second;
}
} // namespace

ir::Expr Lowerer::expr(const ast::Expr *e) const {
  using K = ast::Expr::Kind;
  ir::Expr out;
  out.type = typeOf(cp, e);
  switch (e->kind) {
  case K::Int: out.literal = int64_t(e->intValue); return out;
  case K::Float:
  case K::Duration: out.literal = e->floatValue; return out;
  case K::Bool: out.literal = e->boolValue; return out;
  case K::None: out.literal = nullptr; return out;
  case K::String: {
    bool holes = false;
    for (const ast::TemplatePiece &p : e->pieces)
      holes |= p.hole != nullptr;
    if (!holes) {
      out.literal = e->text;
      return out;
    }
    // "a {{x}} b" as a value: concat("a ", x, " b"), each part rendered as text.
    out.kind = ir::Expr::Kind::Call;
    out.name = "concat";
    for (const ast::TemplatePiece &p : e->pieces) {
      if (p.hole) {
        out.args.push_back(expr(p.hole));
      } else {
        ir::Expr lit;
        lit.type = ir::Type::prim(ir::Type::Kind::String);
        lit.literal = p.text;
        out.args.push_back(std::move(lit));
      }
    }
    return out;
  }
  case K::Name: {
    const sema::Ref &ref = cp.refs.find(e)->second;
    out.kind = ir::Expr::Kind::Ref;
    switch (ref.kind) {
    case sema::Ref::Kind::Input: out.root = ir::RefRoot::Input; out.name = ref.name; break;
    case sema::Ref::Kind::Stage: out.root = ir::RefRoot::Node; out.name = valueId(ref.stage); break;
    case sema::Ref::Kind::LoopState: out.root = ir::RefRoot::LoopState; out.name = valueId(ref.stage); break;
    case sema::Ref::Kind::MapItem: out.root = ir::RefRoot::MapItem; out.name = valueId(ref.stage); break;
    case sema::Ref::Kind::Let: {
      // No node holds a `let`: its value is computed where it is used.
      ir::Expr value = expr(ref.stage->expr);
      value.type = out.type;
      return value;
    }
    case sema::Ref::Kind::EnumValue:
    case sema::Ref::Kind::Error: llvm_unreachable("unresolved name after a clean check");
    }
    return out;
  }
  case K::Member: {
    if (auto it = cp.enumValues.find(e); it != cp.enumValues.end()) {
      out.literal = it->second;
      return out;
    }
    ir::Expr base = expr(e->operands[0]);
    if (base.kind == ir::Expr::Kind::Ref) {
      base.fields.push_back(e->text);
      base.type = out.type;
      return base;
    }
    out.kind = ir::Expr::Kind::Call;
    out.name = "field";
    ir::Expr field;
    field.type = ir::Type::prim(ir::Type::Kind::String);
    field.literal = e->text;
    out.args.push_back(std::move(base));
    out.args.push_back(std::move(field));
    return out;
  }
  case K::Unary:
  case K::Binary:
    out.kind = e->kind == K::Unary ? ir::Expr::Kind::Unary : ir::Expr::Kind::Binary;
    out.op = e->text;
    for (const ast::Expr *o : e->operands)
      out.args.push_back(expr(o));
    return out;
  case K::Call:
    out.kind = ir::Expr::Kind::Call;
    out.name = e->text;
    for (const ast::Expr *o : e->operands)
      out.args.push_back(expr(o));
    return out;
  case K::Index:
  case K::Slice:
    // Functions of the IR: index(base, i), slice(base, low, high).
    out.kind = ir::Expr::Kind::Call;
    out.name = e->kind == K::Index ? "index" : "slice";
    for (const ast::Expr *o : e->operands)
      out.args.push_back(expr(o));
    return out;
  case K::Match: {
    // match(subject, [values], value, [values], value, ..., [default]):
    // the runtime evaluates only the arm that applies.
    out.kind = ir::Expr::Kind::Call;
    out.name = "match";
    out.args.push_back(expr(e->operands[0]));
    const ast::MatchArm *rest = nullptr;
    for (const ast::MatchArm &a : e->arms) {
      if (a.wildcard) {
        rest = &a;
        continue;
      }
      ir::Expr values;
      values.kind = ir::Expr::Kind::List;
      values.type = ir::Type::list(ir::Type::prim(ir::Type::Kind::String));
      for (const std::string &v : a.values) {
        ir::Expr lit;
        lit.type = ir::Type::prim(ir::Type::Kind::String);
        lit.literal = llvm::StringRef(v).rsplit('.').second.empty() ? v : llvm::StringRef(v).rsplit('.').second.str();
        values.args.push_back(std::move(lit));
      }
      out.args.push_back(std::move(values));
      out.args.push_back(expr(a.value));
    }
    if (rest)
      out.args.push_back(expr(rest->value));
    return out;
  }
  case K::List:
    out.kind = ir::Expr::Kind::List;
    for (const ast::Expr *o : e->operands)
      out.args.push_back(expr(o));
    return out;
  case K::Record:
    out.kind = ir::Expr::Kind::Record;
    out.fields = e->fieldNames;
    for (const ast::Expr *o : e->operands)
      out.args.push_back(expr(o));
    return out;
  }
  llvm_unreachable("unknown expression kind");
}

ir::Template Lowerer::templ(const ast::Expr *e) const {
  ir::Template t;
  for (const ast::TemplatePiece &p : e->pieces) {
    ir::TemplatePart part;
    if (p.hole)
      part.hole = expr(p.hole);
    else
      part.text = p.text;
    t.push_back(std::move(part));
  }
  return t;
}

void Lowerer::nodeRefs(const ir::Expr &e, std::vector<std::string> &ids) const {
  if (e.kind == ir::Expr::Kind::Ref && e.root == ir::RefRoot::Node &&
      std::find(ids.begin(), ids.end(), e.name) == ids.end())
    ids.push_back(e.name);
  for (const ir::Expr &a : e.args)
    nodeRefs(a, ids);
}

} // namespace llmflow::lower
