#include "parse/ast_builder.h"

#include "parse/literals.h"

#include "llvm/Support/Path.h"

namespace llmflow::parse {
using P = llmflow_antlr::LLFlowParser;
using support::DiagID;

LocMap::LocMap(llvm::StringRef buffer) : buffer(buffer) {
  bool ascii = true;
  for (char c : buffer)
    if (static_cast<unsigned char>(c) >= 0x80) { ascii = false; break; }
  if (ascii)
    return;
  cpToByte.reserve(buffer.size() + 1);
  for (size_t i = 0; i < buffer.size(); ++i)
    if ((static_cast<unsigned char>(buffer[i]) & 0xC0) != 0x80)
      cpToByte.push_back(uint32_t(i));
  cpToByte.push_back(uint32_t(buffer.size()));
}

const char *LocMap::at(size_t cp) const {
  if (cpToByte.empty())
    return buffer.data() + std::min(cp, buffer.size());
  return buffer.data() + (cp < cpToByte.size() ? cpToByte[cp] : buffer.size());
}

llvm::SMRange LocMap::range(antlr4::Token *start, antlr4::Token *stop) const {
  if (!start)
    return {};
  if (!stop || stop->getStopIndex() == size_t(-1) || stop->getStopIndex() < start->getStartIndex())
    stop = start;
  const char *b = at(start->getStartIndex());
  const char *e = at(stop->getStopIndex() + 1);
  return {llvm::SMLoc::getFromPointer(b), llvm::SMLoc::getFromPointer(e)};
}

namespace {

class Builder {
public:
  Builder(const LocMap &locs, ast::ASTContext &ctx, support::DiagnosticEngine &diags, const HoleParser &parseHole)
      : locs(locs), ctx(ctx), diags(diags), parseHole(parseHole) {}

  const ast::Module *module(P::ModuleContext *m, llvm::StringRef path) {
    auto *mod = ctx.make<ast::Module>();
    mod->path = path.str();
    for (P::ModuleItemContext *item : m->moduleItem())
      if (const ast::Decl *d = moduleItem(item))
        mod->decls.push_back(d);
    return mod;
  }

  const ast::Decl *item(P::ModuleItemContext *item) { return moduleItem(item); }

  const ast::Expr *expr(P::ExprContext *c) {
    if (auto *x = dynamic_cast<P::PrimaryExprContext *>(c))
      return primary(x->primary());
    if (auto *x = dynamic_cast<P::MemberExprContext *>(c)) {
      ast::Expr *e = make(ast::Expr::Kind::Member, c);
      e->text = x->IDENT()->getText();
      e->nameRange = locs.range(x->IDENT());
      e->operands = {expr(x->expr())};
      return e;
    }
    if (auto *x = dynamic_cast<P::IndexExprContext *>(c)) {
      if (auto *i = dynamic_cast<P::ElementIndexContext *>(x->index())) {
        ast::Expr *e = make(ast::Expr::Kind::Index, c);
        e->operands = {expr(x->expr()), expr(i->expr())};
        return e;
      }
      auto *sl = static_cast<P::SliceIndexContext *>(x->index());
      ast::Expr *e = make(ast::Expr::Kind::Slice, c);
      // A bound left out is `none`, placed at the colon.
      auto bound = [&](P::ExprContext *b) -> const ast::Expr * {
        if (b)
          return expr(b);
        auto *n = ctx.make<ast::Expr>();
        n->kind = ast::Expr::Kind::None;
        llvm::SMLoc colon = locs.range(sl->getStart(), sl->getStart()).Start;
        for (antlr4::tree::ParseTree *child : sl->children)
          if (auto *t = dynamic_cast<antlr4::tree::TerminalNode *>(child); t && t->getText() == ":")
            colon = locs.range(t).Start;
        n->range = {colon, colon};
        return n;
      };
      e->operands = {expr(x->expr()), bound(sl->lo), bound(sl->hi)};
      return e;
    }
    if (auto *x = dynamic_cast<P::UnaryExprContext *>(c)) {
      ast::Expr *e = make(ast::Expr::Kind::Unary, c);
      e->text = x->op->getText();
      e->operands = {expr(x->expr())};
      return e;
    }
    if (auto *x = dynamic_cast<P::MulExprContext *>(c))
      return binary(c, x->op->getText(), x->expr(0), x->expr(1));
    if (auto *x = dynamic_cast<P::AddExprContext *>(c))
      return binary(c, x->op->getText(), x->expr(0), x->expr(1));
    if (auto *x = dynamic_cast<P::CoalesceExprContext *>(c))
      return binary(c, "??", x->expr(0), x->expr(1));
    if (auto *x = dynamic_cast<P::RelExprContext *>(c))
      return binary(c, x->op->getText(), x->expr(0), x->expr(1));
    if (auto *x = dynamic_cast<P::EqExprContext *>(c))
      return binary(c, x->op->getText(), x->expr(0), x->expr(1));
    if (auto *x = dynamic_cast<P::AndExprContext *>(c))
      return binary(c, "&&", x->expr(0), x->expr(1));
    if (auto *x = dynamic_cast<P::OrExprContext *>(c))
      return binary(c, "||", x->expr(0), x->expr(1));
    llvm_unreachable("unknown expression alternative");
  }

private:
  const LocMap &locs;
  ast::ASTContext &ctx;
  support::DiagnosticEngine &diags;
  const HoleParser &parseHole;

  const ast::Decl *moduleItem(P::ModuleItemContext *item) {
    if (auto *i = item->importDecl())
      return importDecl(i);
    auto *d = ctx.make<ast::Decl>();
    d->range = locs.range(item);
    if (auto *x = item->defaultsDecl()) {
      d->kind = ast::Decl::Kind::Defaults;
      d->nameRange = locs.range(x->DEFAULTS());
      d->props = props(x->propBlock());
    } else if (auto *x = item->recordDecl()) {
      d->kind = ast::Decl::Kind::Record;
      setName(*d, x->IDENT());
      for (P::FieldContext *f : x->field())
        d->fields.push_back({f->IDENT()->getText(), locs.range(f->IDENT()), type(f->type())});
    } else if (auto *x = item->enumDecl()) {
      d->kind = ast::Decl::Kind::Enum;
      auto ids = x->IDENT();
      setName(*d, ids[0]);
      for (size_t i = 1; i < ids.size(); ++i) {
        d->enumValues.push_back(ids[i]->getText());
        d->enumValueRanges.push_back(locs.range(ids[i]));
      }
    } else if (auto *x = item->toolDecl()) {
      d->kind = ast::Decl::Kind::Tool;
      setName(*d, x->IDENT());
      d->params = params(x->paramList());
      d->resultType = x->type() ? type(x->type()) : nullptr;
      d->props = props(x->propBlock());
    } else if (auto *x = item->appDecl()) {
      d->kind = ast::Decl::Kind::App;
      setName(*d, x->IDENT());
      d->params = params(x->paramList());
      d->resultType = x->type() ? type(x->type()) : nullptr;
      d->body = block(x->block());
    } else {
      return nullptr;
    }
    return d;
  }

  const ast::Decl *importDecl(P::ImportDeclContext *i) {
    auto *d = ctx.make<ast::Decl>();
    d->kind = ast::Decl::Kind::Import;
    d->range = locs.range(i);
    antlr4::tree::TerminalNode *alias = nullptr;
    if (auto *s = dynamic_cast<P::StdImportContext *>(i)) {
      d->importPath = s->dottedName()->getText();
      d->nameRange = locs.range(s->dottedName());
      d->importPathRange = d->nameRange;
      alias = s->IDENT();
      auto parts = s->dottedName()->IDENT();
      d->name = parts.back()->getText();
    } else if (auto *f = dynamic_cast<P::FileImportContext *>(i)) {
      ast::Expr tmp{ast::Expr::Kind::String};
      decodeString(f->STRING()->getText(), locs.range(f->STRING()).Start.getPointer(), false, tmp, ctx, diags, parseHole);
      d->importPath = tmp.text;
      d->importIsFile = true;
      d->nameRange = locs.range(f->STRING());
      d->importPathRange = d->nameRange;
      d->name = llvm::sys::path::stem(d->importPath).str();
      alias = f->IDENT();
    }
    if (alias) {
      d->name = alias->getText();
      d->nameRange = locs.range(alias);
    }
    return d;
  }

  void setName(ast::Decl &d, antlr4::tree::TerminalNode *id) {
    d.name = id->getText();
    d.nameRange = locs.range(id);
  }

  std::vector<ast::Param> params(P::ParamListContext *pl) {
    std::vector<ast::Param> out;
    if (!pl)
      return out;
    for (P::ParamContext *p : pl->param())
      out.push_back({p->IDENT()->getText(), locs.range(p->IDENT()), type(p->type()),
                     p->expr() ? expr(p->expr()) : nullptr});
    return out;
  }

  const ast::TypeExpr *type(P::TypeContext *t) {
    auto *out = ctx.make<ast::TypeExpr>();
    out->range = locs.range(t);
    if (auto *n = dynamic_cast<P::NamedTypeContext *>(t)) {
      out->name = n->qualifiedName()->getText();
    } else if (auto *o = dynamic_cast<P::OptionalSugarContext *>(t)) {
      out->name = "optional";
      out->args.push_back(type(o->type()));
    } else if (auto *o2 = dynamic_cast<P::OptionalTwiceContext *>(t)) {
      // `T??` lexes as one token: optional<optional<T>>.
      auto *inner = ctx.make<ast::TypeExpr>();
      inner->range = out->range;
      inner->name = "optional";
      inner->args.push_back(type(o2->type()));
      out->name = "optional";
      out->args.push_back(inner);
    } else if (auto *g = dynamic_cast<P::GenericTypeContext *>(t)) {
      out->name = g->IDENT()->getText();
      for (P::TypeContext *a : g->type())
        out->args.push_back(type(a));
    }
    return out;
  }

  std::vector<ast::Prop> props(P::PropBlockContext *pb) {
    std::vector<ast::Prop> out;
    if (!pb)
      return out;
    for (P::PropContext *p : pb->prop())
      out.push_back({p->IDENT()->getText(), locs.range(p->IDENT()), expr(p->expr())});
    return out;
  }

  std::vector<ast::Arg> args(P::ArgListContext *al) {
    std::vector<ast::Arg> out;
    if (!al)
      return out;
    for (P::ArgContext *a : al->arg())
      out.push_back({a->IDENT()->getText(), locs.range(a->IDENT()), expr(a->expr())});
    return out;
  }

  const ast::Block *block(P::BlockContext *b) {
    auto *out = ctx.make<ast::Block>();
    out->range = locs.range(b);
    for (P::StmtContext *s : b->stmt())
      if (const ast::Stmt *st = stmt(s))
        out->stmts.push_back(st);
    return out;
  }

  template <typename C> void named(ast::Stmt &s, C *c) {
    s.name = c->IDENT()->getText();
    s.nameRange = locs.range(c->IDENT());
  }

  void callee(ast::Stmt &s, P::QualifiedNameContext *q) {
    s.callee = q->getText();
    s.calleeRange = locs.range(q);
  }

  const ast::Stmt *stmt(P::StmtContext *c) {
    auto *s = ctx.make<ast::Stmt>();
    s->range = locs.range(c);
    if (auto *x = dynamic_cast<P::LlmStmtContext *>(c)) {
      s->kind = ast::Stmt::Kind::LLM;
      named(*s, x);
      s->outputType = x->type() ? type(x->type()) : nullptr;
      s->props = props(x->propBlock());
    } else if (auto *x = dynamic_cast<P::PlannerStmtContext *>(c)) {
      s->kind = ast::Stmt::Kind::Planner;
      named(*s, x);
      s->props = props(x->propBlock());
    } else if (auto *x = dynamic_cast<P::ToolStmtContext *>(c)) {
      s->kind = ast::Stmt::Kind::Tool;
      named(*s, x);
      callee(*s, x->qualifiedName());
      s->args = args(x->argList());
      s->props = props(x->propBlock());
    } else if (auto *x = dynamic_cast<P::CallStmtContext *>(c)) {
      s->kind = ast::Stmt::Kind::Call;
      named(*s, x);
      callee(*s, x->qualifiedName());
      s->args = args(x->argList());
      s->props = props(x->propBlock());
    } else if (auto *x = dynamic_cast<P::IfStmtContext *>(c)) {
      s->kind = ast::Stmt::Kind::If;
      named(*s, x);
      s->expr = expr(x->expr());
      s->body = block(x->block(0));
      if (x->block().size() > 1)
        s->elseBody = block(x->block(1));
    } else if (auto *x = dynamic_cast<P::LoopStmtContext *>(c)) {
      s->kind = ast::Stmt::Kind::Loop;
      named(*s, x);
      s->outputType = x->type() ? type(x->type()) : nullptr;
      s->args = args(x->argList());
      s->body = block(x->block());
      s->expr = expr(x->expr());
    } else if (auto *x = dynamic_cast<P::MapStmtContext *>(c)) {
      s->kind = ast::Stmt::Kind::Map;
      s->name = x->IDENT(0)->getText();
      s->nameRange = locs.range(x->IDENT(0));
      s->itemName = x->IDENT(1)->getText();
      s->itemRange = locs.range(x->IDENT(1));
      s->expr = expr(x->expr());
      s->args = args(x->argList());
      s->body = block(x->block());
    } else if (auto *x = dynamic_cast<P::LetStmtContext *>(c)) {
      s->kind = ast::Stmt::Kind::Let;
      named(*s, x);
      s->outputType = x->type() ? type(x->type()) : nullptr;
      s->expr = expr(x->expr());
    } else if (auto *x = dynamic_cast<P::YieldStmtContext *>(c)) {
      s->kind = ast::Stmt::Kind::Yield;
      s->expr = expr(x->expr());
    } else if (auto *x = dynamic_cast<P::ReturnStmtContext *>(c)) {
      s->kind = ast::Stmt::Kind::Return;
      s->expr = expr(x->expr());
    } else {
      return nullptr;
    }
    return s;
  }

  ast::Expr *make(ast::Expr::Kind k, antlr4::ParserRuleContext *c) {
    auto *e = ctx.make<ast::Expr>();
    e->kind = k;
    e->range = locs.range(c);
    return e;
  }

  const ast::Expr *binary(antlr4::ParserRuleContext *c, const std::string &op,
                          P::ExprContext *l, P::ExprContext *r) {
    ast::Expr *e = make(ast::Expr::Kind::Binary, c);
    e->text = op;
    e->operands = {expr(l), expr(r)};
    return e;
  }


  const ast::Expr *primary(P::PrimaryContext *c) {
    using K = ast::Expr::Kind;
    if (auto *x = dynamic_cast<P::IntLitContext *>(c)) {
      ast::Expr *e = make(K::Int, c);
      if (llvm::StringRef(x->getText()).getAsInteger(10, e->intValue))
        diags.report(DiagID::ErrIntOutOfRange, e->range) << x->getText();
      return e;
    }
    if (auto *x = dynamic_cast<P::FloatLitContext *>(c)) {
      ast::Expr *e = make(K::Float, c);
      llvm::StringRef(x->getText()).getAsDouble(e->floatValue);
      return e;
    }
    if (auto *x = dynamic_cast<P::DurationLitContext *>(c)) {
      ast::Expr *e = make(K::Duration, c);
      e->floatValue = parseDurationSeconds(x->getText());
      return e;
    }
    if (auto *x = dynamic_cast<P::StringLitContext *>(c)) {
      ast::Expr *e = make(K::String, c);
      decodeString(x->STRING()->getText(), e->range.Start.getPointer(), false, *e, ctx, diags, parseHole);
      return e;
    }
    if (auto *x = dynamic_cast<P::TripleStringLitContext *>(c)) {
      ast::Expr *e = make(K::String, c);
      decodeString(x->TSTRING()->getText(), e->range.Start.getPointer(), true, *e, ctx, diags, parseHole);
      return e;
    }
    if (auto *x = dynamic_cast<P::BoolLitContext *>(c)) {
      ast::Expr *e = make(K::Bool, c);
      e->boolValue = x->TRUE() != nullptr;
      return e;
    }
    if (dynamic_cast<P::NoneLitContext *>(c))
      return make(K::None, c);
    if (auto *x = dynamic_cast<P::FuncCallContext *>(c)) {
      ast::Expr *e = make(K::Call, c);
      e->text = x->IDENT()->getText();
      e->nameRange = locs.range(x->IDENT());
      for (P::ExprContext *a : x->expr())
        e->operands.push_back(expr(a));
      return e;
    }
    if (auto *x = dynamic_cast<P::NameRefContext *>(c)) {
      ast::Expr *e = make(K::Name, c);
      e->text = x->IDENT()->getText();
      e->nameRange = e->range;
      return e;
    }
    if (auto *x = dynamic_cast<P::ListLitContext *>(c)) {
      ast::Expr *e = make(K::List, c);
      for (P::ExprContext *a : x->expr())
        e->operands.push_back(expr(a));
      return e;
    }
    if (auto *x = dynamic_cast<P::RecordLitContext *>(c)) {
      ast::Expr *e = make(K::Record, c);
      for (P::RecFieldContext *f : x->recField()) {
        e->fieldNames.push_back(f->IDENT()->getText());
        e->fieldRanges.push_back(locs.range(f->IDENT()));
        e->operands.push_back(expr(f->expr()));
      }
      return e;
    }
    if (auto *x = dynamic_cast<P::ParenExprContext *>(c))
      return expr(x->expr());
    if (auto *x = dynamic_cast<P::MatchExprContext *>(c)) {
      ast::Expr *e = make(K::Match, c);
      e->operands = {expr(x->expr())};
      for (P::MatchArmContext *a : x->matchArm()) {
        ast::MatchArm arm;
        auto patterns = a->pattern();
        arm.range = {locs.range(patterns.front()).Start, locs.range(patterns.back()).End};
        for (P::PatternContext *pt : patterns) {
          std::string text = pt->getText();
          if (text == "_")
            arm.wildcard = true;
          arm.values.push_back(text);
          arm.valueRanges.push_back(locs.range(pt));
        }
        arm.value = expr(a->expr());
        e->arms.push_back(std::move(arm));
      }
      return e;
    }
    llvm_unreachable("unknown primary alternative");
  }
};

} // namespace

const ast::Module *buildAST(P::ModuleContext *tree, llvm::StringRef path, const LocMap &locs,
                            ast::ASTContext &ctx, support::DiagnosticEngine &diags, const HoleParser &parseHole) {
  return Builder(locs, ctx, diags, parseHole).module(tree, path);
}

const ast::Decl *buildModuleItem(P::ModuleItemContext *item, const LocMap &locs, ast::ASTContext &ctx,
                                 support::DiagnosticEngine &diags, const HoleParser &parseHole) {
  return Builder(locs, ctx, diags, parseHole).item(item);
}

const ast::Expr *buildHole(P::TemplateHoleContext *tree, const LocMap &locs, ast::ASTContext &ctx,
                           support::DiagnosticEngine &diags, const HoleParser &parseHole) {
  return Builder(locs, ctx, diags, parseHole).expr(tree->expr());
}

} // namespace llmflow::parse
