// Applications and their stages: scopes, properties, arguments, block
// shapes (yield / return), and each stage's value type.
#include "sema/checker.h"
#include "sema/props.h"
#include "support/suggest.h"


namespace llmflow::sema {
using K = ir::Type::Kind;

bool Checker::hasProp(const std::vector<ast::Prop> &props, llvm::StringRef name) const {
  if (prop(props, name))
    return true;
  // A misspelling of it was reported, with it suggested.
  for (const ast::Prop &p : props)
    if (meantProps.count(name) && support::closestName(p.name, std::vector<llvm::StringRef>{name}))
      return true;
  return false;
}

const ast::Prop *Checker::prop(const std::vector<ast::Prop> &props, llvm::StringRef name) const {
  for (const ast::Prop &p : props)
    if (p.name == name)
      return &p;
  return nullptr;
}

Policies Checker::checkPolicies(const Policies &base, const std::vector<ast::Prop> &props, llvm::StringRef what,
                                std::initializer_list<llvm::StringRef> extra, bool *explicitTimeout) {
  Policies p = base;
  p.policy.timeoutExplicit = false;
  llvm::StringMap<llvm::SMRange> seen;
  for (const ast::Prop &x : props) {
    if (auto [it, fresh] = seen.try_emplace(x.name, x.nameRange); !fresh) {
      (diags.report(DiagID::ErrDuplicateProperty, x.nameRange) << x.name)
          .note(DiagID::NotePreviousDefinition, it->second);
      continue;
    }
    if (x.name == "timeout") {
      if (explicitTimeout)
        *explicitTimeout = true; // even when invalid: one error is enough
      if (auto v = durationValue(x, diags)) {
        p.policy.timeoutSeconds = *v;
        p.policy.timeoutExplicit = true;
      }
    } else if (x.name == "retries") {
      if (auto v = intValue(x, 0, 100, diags))
        p.policy.attempts = unsigned(*v) + 1;
    } else if (x.name == "backoff") {
      if (auto v = durationValue(x, diags))
        p.policy.backoffSeconds = *v;
    } else if (x.name == "executor") {
      if (auto v = stringValue(x, diags))
        p.policy.executorGroup = *v;
    } else if (x.name == "cache") {
      if (auto v = cacheValue(x))
        p.policy.cache = *v;
    } else if (std::find(extra.begin(), extra.end(), x.name) == extra.end()) {
      std::vector<llvm::StringRef> names = {"timeout", "retries", "backoff", "executor", "cache"};
      names.insert(names.end(), extra.begin(), extra.end());
      auto best = support::closestName(x.name, names);
      auto d = diags.report(DiagID::ErrUnknownProperty, x.nameRange);
      d << x.name << what;
      d.suggest(x.nameRange, best);
      if (best)
        meantProps.insert(*best); // not also "missing"
    }
  }
  return p;
}

/// cache = true | false | "always" (docs/cache.md): "always" also caches
/// sampled LLM calls, which `true` leaves to the model.
std::optional<ir::CachePolicy> Checker::cacheValue(const ast::Prop &x) {
  const ast::Expr &v = *x.value;
  if (v.kind == ast::Expr::Kind::Bool)
    return v.boolValue ? ir::CachePolicy::On : ir::CachePolicy::Off;
  bool holes = llvm::any_of(v.pieces, [](const ast::TemplatePiece &p) { return p.hole != nullptr; });
  if (v.kind == ast::Expr::Kind::String && !holes && v.text == "always")
    return ir::CachePolicy::Always;
  diags.report(DiagID::ErrPropertyValue, v.range) << "cache" << "expected true, false or \"always\"";
  return std::nullopt;
}

void Checker::checkAfter(const ast::Stmt *s, const Scope &scope) {
  const ast::Prop *after = prop(s->props, "after");
  if (!after)
    return;
  auto names = nameList(*after, diags);
  if (!names)
    return;
  ExprContext cx{&scope, s, currentApp->module};
  for (auto &[name, range] : *names) {
    const Ref *ref = lookup(&scope, name);
    if (!ref || ref->kind != Ref::Kind::Stage) {
      std::vector<std::string> stages;
      for (const Scope *sc = &scope; sc; sc = sc->parent)
        for (const auto &entry : sc->names)
          if (entry.second.kind == Ref::Kind::Stage)
            stages.push_back(entry.first().str());
      std::sort(stages.begin(), stages.end());
      auto d = diags.report(DiagID::ErrAfterNotStage, range);
      d << name;
      d.suggest(range, ref ? std::nullopt : support::closestName(name, stages));
      continue;
    }
    noteDependency(cx, ref->stage, range);
  }
}

void Checker::checkArgs(const ast::Stmt *s, const std::vector<ir::Param> &params, const ast::Decl &calleeDecl,
                        llvm::StringRef callee, const ExprContext &cx) {
  llvm::StringSet<> given;
  for (const ast::Arg &a : s->args)
    given.insert(a.name);
  // Parameters no argument names: an unknown argument probably meant one of
  // them, and then that one is not also reported as missing.
  std::vector<llvm::StringRef> unset;
  for (const ir::Param &p : params)
    if (!given.count(p.name))
      unset.push_back(p.name);
  llvm::StringSet<> meant;
  llvm::StringMap<llvm::SMRange> seen;
  for (const ast::Arg &a : s->args) {
    auto t = checkExpr(a.value, cx);
    if (auto [it, fresh] = seen.try_emplace(a.name, a.nameRange); !fresh) {
      (diags.report(DiagID::ErrDuplicateArgument, a.nameRange) << a.name)
          .note(DiagID::NotePreviousDefinition, it->second);
      continue;
    }
    auto p = std::find_if(params.begin(), params.end(), [&](const ir::Param &p) { return p.name == a.name; });
    if (p == params.end()) {
      auto best = support::closestName(a.name, unset);
      std::vector<llvm::StringRef> required;
      for (llvm::StringRef u : unset)
        if (!meant.count(u) && !paramOptional(params, u))
          required.push_back(u);
      if (!best && required.size() == 1)
        best = required.front().str(); // the only one left to give
      if (best)
        meant.insert(*best);
      if (!firstReport(a.name))
        continue;
      auto d = diags.report(DiagID::ErrUnknownArgument, a.nameRange);
      d << a.name << ("'" + callee.str() + "'");
      d.suggest(a.nameRange, best);
      continue;
    }
    expect(p->type, t, a.value, "argument '" + a.name + "'", [&](support::DiagBuilder &d) {
      for (const ast::Param &decl : calleeDecl.params)
        if (decl.name == a.name)
          d.note(DiagID::NoteDeclaredHere, decl.nameRange, {a.name});
    });
  }
  for (const ir::Param &p : params)
    if (!seen.count(p.name) && !meant.count(p.name) && !paramOptional(params, p.name))
      diags.report(DiagID::ErrMissingArgument, s->calleeRange) << p.name << callee;
}

bool Checker::paramOptional(const std::vector<ir::Param> &params, llvm::StringRef name) {
  for (const ir::Param &p : params)
    if (p.name == name)
      return p.defaultValue || p.type.kind == K::Optional;
  return true;
}

const ast::Arg *Checker::settingArg(const ast::Stmt *s, llvm::StringRef name) const {
  for (const ast::Arg &a : s->args)
    if (a.name == name)
      return &a;
  return nullptr;
}

void Checker::checkSettings(const ast::Stmt *s, std::initializer_list<llvm::StringRef> allowed,
                            const std::string &what) {
  llvm::StringMap<llvm::SMRange> seen;
  for (const ast::Arg &a : s->args) {
    if (std::find(allowed.begin(), allowed.end(), a.name) == allowed.end())
      (diags.report(DiagID::ErrUnknownArgument, a.nameRange) << a.name << what)
          .suggest(a.nameRange, support::closestName(a.name, llvm::ArrayRef<llvm::StringRef>(allowed.begin(), allowed.end())));
    else if (auto [it, fresh] = seen.try_emplace(a.name, a.nameRange); !fresh)
      (diags.report(DiagID::ErrDuplicateArgument, a.nameRange) << a.name)
          .note(DiagID::NotePreviousDefinition, it->second);
  }
}

void Checker::checkLLM(const ast::Stmt *s, StageInfo &si, const ExprContext &cx) {
  const ModuleScope &ms = modules[currentApp->module];
  bool explicitTimeout = false;
  bool planner = s->kind == ast::Stmt::Kind::Planner;
  si.policies = planner
      ? checkPolicies(ms.defaults, s->props, "a planner stage",
                      {"model", "prompt", "system", "max_tokens", "temperature", "after", "tools", "max_steps",
                       "max_parallel"},
                      &explicitTimeout)
      : checkPolicies(ms.defaults, s->props, "an llm stage",
                      {"model", "prompt", "system", "max_tokens", "temperature", "after"}, &explicitTimeout);
  if (const ast::Prop *x = prop(s->props, "model"))
    if (auto v = stringValue(*x, diags))
      si.policies.model = *v;
  if (const ast::Prop *x = prop(s->props, "max_tokens"))
    if (auto v = intValue(*x, 1, kMaxCount, diags))
      si.policies.maxTokens = unsigned(*v);
  if (const ast::Prop *x = prop(s->props, "temperature"))
    if (auto v = floatValue(*x, 0, 2, diags))
      si.policies.temperature = *v;
  for (llvm::StringRef t : {"prompt", "system"})
    if (const ast::Prop *x = prop(s->props, t)) {
      if (x->value->kind != ast::Expr::Kind::String)
        diags.report(DiagID::ErrPropertyValue, x->value->range) << t << "expected a string";
      checkTemplate(x->value, cx);
    }
  if (!hasProp(s->props, "prompt"))
    diags.report(DiagID::ErrMissingProperty, s->nameRange) << toString(s->kind) << s->name << "prompt";
  if (!explicitTimeout && !ms.defaultsHaveTimeout && opts.warnNoTimeout && !si.unreachable)
    diags.report(DiagID::WarnNoTimeout, s->nameRange)
        << s->name << (formatNumber(si.policies.policy.timeoutSeconds) + "s");
}

void Checker::checkPlanner(const ast::Stmt *s, StageInfo &si, const ExprContext &cx) {
  checkLLM(s, si, cx);
  si.type = ir::Type::list(ir::Type::prim(K::Json));
  const ast::Prop *tools = prop(s->props, "tools");
  if (!tools && hasProp(s->props, "tools")) {
    // misspelt: reported as an unknown property
  } else if (!tools) {
    diags.report(DiagID::ErrPlannerWithoutTools, s->nameRange) << s->name;
  } else if (auto names = nameList(*tools, diags)) {
    std::vector<std::string> qual;
    std::vector<llvm::SMRange> &ranges = plannerToolRanges[s];
    if (names->empty())
      diags.report(DiagID::ErrPlannerWithoutTools, tools->value->range) << s->name;
    for (auto &[n, r] : *names) {
      unsigned dm = 0;
      const ast::Decl *d = lookupDecl(currentApp->module, n, r, {ast::Decl::Kind::Tool, ast::Decl::Kind::App}, &dm);
      if (!d) {
        std::vector<std::string> names = declNames(currentApp->module, n, {ast::Decl::Kind::Tool, ast::Decl::Kind::App});
        if (firstReport(n))
          (diags.report(DiagID::ErrPlannerToolUnknown, r) << s->name << n).suggest(r, support::closestName(n, names));
      } else {
        qual.push_back(qualify(dm, d->name));
        ranges.push_back(r);
      }
    }
    out->plannerTools[s] = std::move(qual);
  }
  const ast::Prop *steps = prop(s->props, "max_steps");
  if (!steps && hasProp(s->props, "max_steps"))
    ; // misspelt: reported as an unknown property
  else if (!steps)
    diags.report(DiagID::ErrPlannerWithoutBound, s->nameRange) << s->name;
  else
    (void)intValue(*steps, 1, 10000, diags);
  if (const ast::Prop *par = prop(s->props, "max_parallel"))
    (void)intValue(*par, 1, 10000, diags);
}

std::optional<ir::Type> Checker::checkBody(const ast::Stmt *owner, const ast::Block *b, const Scope &scope,
                                           std::vector<const ast::Stmt *> *resolvedBy) {
  using SK = ast::Stmt::Kind;
  auto isValue = [](const ast::Stmt *s) { return s->kind == SK::Yield || s->kind == SK::Return; };
  // The statement that gives the block its value: the last one, else the
  // last misplaced yield / return. A misplaced one is reported, but still
  // stands for the value so that the block is not also "missing" one.
  const ast::Stmt *valueStmt = nullptr;
  for (const ast::Stmt *s : b->stmts)
    if (isValue(s))
      valueStmt = s;
  if (!b->stmts.empty() && isValue(b->stmts.back()))
    valueStmt = b->stmts.back();
  std::optional<ir::Type> result;
  for (const ast::Stmt *s : b->stmts) {
    if (!isValue(s)) {
      if (appStages.lookup(s->name) == s && stageState.lookup(s) == CheckState::NotStarted)
        checkStage(*currentApp, s, scope);
      continue;
    }
    bool rightKeyword = (s->kind == SK::Yield) == (owner != nullptr);
    if (s != b->stmts.back() || !rightKeyword) {
      auto d = diags.report(s->kind == SK::Yield ? DiagID::ErrMisplacedYield : DiagID::ErrMisplacedReturn, s->range);
      if (s == valueStmt && !rightKeyword) {
        llvm::StringRef kw = s->kind == SK::Yield ? "yield" : "return";
        llvm::SMLoc at = s->range.Start;
        d.suggest({at, llvm::SMLoc::getFromPointer(at.getPointer() + kw.size())},
                  std::string(owner ? "yield" : "return"));
      }
    }
    ExprContext cx{&scope, owner, currentApp->module, false, owner ? resolvedBy : nullptr};
    auto t = checkExpr(s->expr, cx);
    if (s != valueStmt)
      continue;
    result = t ? *t : ir::Type::prim(K::Json); // an error in it is reported; avoid a second one
    if (!owner)
      currentApp->resultExpr = s->expr;
  }
  if (!valueStmt) {
    if (owner)
      diags.report(DiagID::ErrMissingYield, llvm::SMLoc::getFromPointer(b->range.End.getPointer() - 1)) << owner->name;
    else
      diags.report(DiagID::ErrMissingReturn, currentApp->decl->nameRange) << currentApp->decl->name;
  }
  return result;
}

void Checker::checkStage(AppInfo &app, const ast::Stmt *s, const Scope &scope) {
  stageState[s] = CheckState::InProgress;
  StageInfo &si = out->stages[s];
  unsigned m = app.module;
  ExprContext cx{&scope, s, m};
  auto bodyScope = [&](const ast::Block *b) -> const Scope & {
    for (auto &sc : scopes)
      if (sc->block == b)
        return *sc;
    llvm_unreachable("body scope not declared");
  };
  switch (s->kind) {
  case ast::Stmt::Kind::LLM:
    si.type = ir::Type::prim(K::String);
    if (s->outputType)
      si.type = resolveType(m, s->outputType).value_or(ir::Type::prim(K::Json));
    checkLLM(s, si, cx);
    break;
  case ast::Stmt::Kind::Planner:
    checkPlanner(s, si, cx);
    break;
  case ast::Stmt::Kind::Tool: {
    unsigned dm = 0;
    const ast::Decl *d = lookupDecl(m, s->callee, s->calleeRange, {ast::Decl::Kind::Tool}, &dm);
    const ToolInfo *tool = d ? out->findTool(qualify(dm, d->name)) : nullptr;
    si.policies = checkPolicies(tool ? tool->policies : modules[m].defaults, s->props, "a tool stage", {"after"});
    if (!tool) {
      if (firstReport(s->callee))
        (diags.report(DiagID::ErrUndefinedTool, s->calleeRange) << s->callee)
          .suggest(s->calleeRange, support::closestName(s->callee, declNames(m, s->callee, {ast::Decl::Kind::Tool})));
      for (const ast::Arg &a : s->args)
        checkExpr(a.value, cx);
      si.type = ir::Type::prim(K::Json);
      break;
    }
    out->toolOf[s] = tool;
    checkArgs(s, tool->params, *tool->decl, s->callee, cx);
    si.type = tool->result;
    break;
  }
  case ast::Stmt::Kind::Call: {
    unsigned dm = 0;
    const ast::Decl *d = lookupDecl(m, s->callee, s->calleeRange, {ast::Decl::Kind::App}, &dm);
    const AppInfo *callee = d ? out->findApp(qualify(dm, d->name)) : nullptr;
    si.policies = checkPolicies(modules[m].defaults, s->props, "a call stage", {"after"});
    if (!callee) {
      if (firstReport(s->callee))
        (diags.report(DiagID::ErrUndefinedApp, s->calleeRange) << s->callee)
          .suggest(s->calleeRange, support::closestName(s->callee, declNames(m, s->callee, {ast::Decl::Kind::App})));
      for (const ast::Arg &a : s->args)
        checkExpr(a.value, cx);
      si.type = ir::Type::prim(K::Json);
      break;
    }
    out->appOf[s] = callee;
    checkArgs(s, callee->inputs, *callee->decl, s->callee, cx);
    si.type = callee->result;
    break;
  }
  case ast::Stmt::Kind::If: {
    auto c = checkExpr(s->expr, cx);
    if (c && c->kind != K::Bool && c->kind != K::Json)
      diags.report(DiagID::ErrConditionNotBool, s->expr->range) << tn(*c);
    auto thenT = checkBody(s, s->body, bodyScope(s->body), nullptr);
    std::optional<ir::Type> elseT;
    if (s->elseBody)
      elseT = checkBody(s, s->elseBody, bodyScope(s->elseBody), nullptr);
    si.type = ir::Type::prim(K::Json);
    if (thenT && s->elseBody && elseT) {
      if (auto u = unify(*thenT, *elseT))
        si.type = *u;
      else
        (diags.report(DiagID::ErrYieldTypeMismatch, s->nameRange) << s->name << tn(*thenT) << tn(*elseT))
            .note(DiagID::NoteArmYields, valueExprRange(s->body), {tn(*thenT)})
            .note(DiagID::NoteArmYields, valueExprRange(s->elseBody), {tn(*elseT)});
    } else if (thenT && !s->elseBody) {
      si.type = thenT->kind == K::Optional ? *thenT : ir::Type::optional(*thenT);
    }
    break;
  }
  case ast::Stmt::Kind::Loop: {
    const ast::Arg *max = settingArg(s, "max"), *init = settingArg(s, "init");
    checkSettings(s, {"max", "init"}, "loop '" + s->name + "'");
    if (!max)
      diags.report(DiagID::ErrLoopWithoutBound, s->nameRange) << s->name;
    else
      (void)intValue(ast::Prop{max->name, max->nameRange, max->value}, 1, kMaxCount, diags);
    // The state's type: declared (`loop name -> T`), else that of `init`,
    // else that of the yield.
    std::optional<ir::Type> declared = s->outputType ? resolveType(m, s->outputType) : std::nullopt;
    llvm::SMRange stateAt = s->outputType ? s->outputType->range : init ? init->value->range : s->nameRange;
    auto stateNote = [&](const ir::Type &t) {
      return [&, t](support::DiagBuilder &d) { d.note(DiagID::NoteLoopState, stateAt, {tn(t)}); };
    };
    std::optional<ir::Type> state = declared;
    if (init) {
      auto initT = checkExpr(init->value, cx);
      if (declared)
        expect(*declared, initT, init->value, "'init' of loop '" + s->name + "'", stateNote(*declared));
      else
        state = initT;
      loopStateType[s] = state.value_or(ir::Type::prim(K::Json));
    }
    si.type = state.value_or(ir::Type::prim(K::Json));
    const Scope &body = bodyScope(s->body);
    auto yieldT = checkBody(s, s->body, body, nullptr);
    if (yieldT) {
      if (state)
        expect(*state, yieldT, valueExpr(s->body), "yield of loop '" + s->name + "'", stateNote(*state));
      else
        si.type = *yieldT;
    }
    if (!init)
      loopStateType[s] = si.type; // for `until`: the value just yielded
    ExprContext ucx{&body, s, m, false, &si.resolvedBy};
    auto u = checkExpr(s->expr, ucx);
    if (u && u->kind != K::Bool && u->kind != K::Json)
      diags.report(DiagID::ErrConditionNotBool, s->expr->range) << tn(*u);
    break;
  }
  case ast::Stmt::Kind::Map: {
    auto lt = checkExpr(s->expr, cx);
    ir::Type item = ir::Type::prim(K::Json);
    if (lt && lt->kind == K::List)
      item = lt->elem[0];
    else if (lt && lt->kind != K::Json)
      diags.report(DiagID::ErrTypeMismatch, s->expr->range) << "map over" << "list<T>" << tn(*lt);
    mapItemType[s] = item;
    checkSettings(s, {"concurrency"}, "map '" + s->name + "'");
    if (const ast::Arg *c = settingArg(s, "concurrency"))
      (void)intValue(ast::Prop{c->name, c->nameRange, c->value}, 1, kMaxCount, diags);
    auto yieldT = checkBody(s, s->body, bodyScope(s->body), nullptr);
    si.type = ir::Type::list(yieldT.value_or(ir::Type::prim(K::Json)));
    break;
  }
  case ast::Stmt::Kind::Let: {
    // Checked once; its reads become dependencies of each use (useLet).
    ExprContext lcx{&scope, nullptr, m, false, nullptr, &letReads[s]};
    auto t = checkExpr(s->expr, lcx);
    std::optional<ir::Type> declared = s->outputType ? resolveType(m, s->outputType) : std::nullopt;
    if (declared && t)
      expect(*declared, t, s->expr, "value of '" + s->name + "'", [&](support::DiagBuilder &d) {
        d.note(DiagID::NoteDeclaredHere, s->outputType->range, {s->name});
      });
    if (!t || (s->outputType && !declared))
      badLets.insert(s);
    si.type = declared ? *declared : t.value_or(ir::Type::prim(K::Json));
    break;
  }
  case ast::Stmt::Kind::Yield:
  case ast::Stmt::Kind::Return:
    llvm_unreachable("not a stage");
  }
  if (s->kind == ast::Stmt::Kind::LLM || s->kind == ast::Stmt::Kind::Planner ||
      s->kind == ast::Stmt::Kind::Tool || s->kind == ast::Stmt::Kind::Call)
    checkAfter(s, scope);
  stageState[s] = CheckState::Done;
}

const ast::Expr *Checker::valueExpr(const ast::Block *b) {
  if (!b->stmts.empty() && (b->stmts.back()->kind == ast::Stmt::Kind::Yield ||
                            b->stmts.back()->kind == ast::Stmt::Kind::Return))
    return b->stmts.back()->expr;
  for (auto it = b->stmts.rbegin(); it != b->stmts.rend(); ++it)
    if ((*it)->kind == ast::Stmt::Kind::Yield || (*it)->kind == ast::Stmt::Kind::Return)
      return (*it)->expr;
  return nullptr;
}

llvm::SMRange Checker::valueExprRange(const ast::Block *b) {
  const ast::Expr *e = valueExpr(b);
  return e ? e->range : b->range;
}

llvm::SMRange Checker::declaredAt(const Ref &r) const {
  switch (r.kind) {
  case Ref::Kind::Input:
    for (const ast::Param &p : currentApp->decl->params)
      if (p.name == r.name)
        return p.nameRange;
    return {};
  case Ref::Kind::MapItem: return r.stage->itemRange;
  case Ref::Kind::Stage:
  case Ref::Kind::LoopState: return r.stage->nameRange;
  default: return {};
  }
}

void Checker::declareStages(AppInfo &app, const ast::Block *b, Scope &scope, const ast::Stmt *parent,
                            const std::string &idPrefix, bool reachable) {
  const ModuleScope &ms = modules[app.module];
  for (const ast::Stmt *s : b->stmts) {
    if (s->kind == ast::Stmt::Kind::Yield || s->kind == ast::Stmt::Kind::Return)
      continue;
    if (auto [it, fresh] = appStages.try_emplace(s->name, s); !fresh) {
      redefined(s->name, s->nameRange, it->second->nameRange);
      continue;
    }
    if (const Ref *r = lookup(&scope, s->name); r && r->kind == Ref::Kind::Input)
      (diags.report(DiagID::WarnShadowing, s->nameRange) << s->name << "an input of the application")
          .note(DiagID::NoteDeclaredHere, declaredAt(*r), {s->name});
    else if (const ast::Decl *d = ms.decls.lookup(s->name))
      (diags.report(DiagID::WarnShadowing, s->nameRange) << s->name << "a module-level declaration")
          .note(DiagID::NoteDeclaredHere, d->nameRange, {s->name});
    StageInfo &si = out->stages[s];
    si.stmt = s;
    si.id = idPrefix + s->name;
    si.parent = parent;
    si.block = b;
    si.index = unsigned(stmtIndex.size());
    si.unreachable = !reachable;
    stmtIndex[s] = si.index;
    stageState[s] = CheckState::NotStarted;
    stageScope[s] = &scope;
    scope.names[s->name] = Ref{s->kind == ast::Stmt::Kind::Let ? Ref::Kind::Let : Ref::Kind::Stage, s, s->name};

    auto child = [&](const ast::Block *body, bool bodyReachable) {
      auto sc = std::make_unique<Scope>();
      sc->parent = &scope;
      sc->block = body;
      if (s->kind == ast::Stmt::Kind::Loop)
        sc->names[s->name] = Ref{Ref::Kind::LoopState, s, s->name};
      if (s->kind == ast::Stmt::Kind::Map) {
        if (const Ref *r = lookup(&scope, s->itemName))
          (diags.report(DiagID::WarnShadowing, s->itemRange) << s->itemName << "an earlier name")
              .note(DiagID::NoteDeclaredHere, declaredAt(*r), {s->itemName});
        sc->names[s->itemName] = Ref{Ref::Kind::MapItem, s, s->itemName};
      }
      Scope &ref = *sc;
      scopes.push_back(std::move(sc));
      declareStages(app, body, ref, s, idPrefix + s->name + "/", bodyReachable);
    };
    bool constTrue = s->expr && s->expr->kind == ast::Expr::Kind::Bool && s->expr->boolValue;
    bool constFalse = s->expr && s->expr->kind == ast::Expr::Kind::Bool && !s->expr->boolValue;
    if (s->kind == ast::Stmt::Kind::If) {
      child(s->body, reachable && !constFalse);
      if (s->elseBody)
        child(s->elseBody, reachable && !constTrue);
    } else if (s->kind == ast::Stmt::Kind::Map) {
      bool empty = s->expr->kind == ast::Expr::Kind::List && s->expr->operands.empty();
      child(s->body, reachable && !empty);
    } else if (s->kind == ast::Stmt::Kind::Loop) {
      child(s->body, reachable);
    }
  }
}

void Checker::checkApp(AppInfo &app) {
  currentApp = &app;
  appStages.clear();
  usedStages.clear();
  usedInputs.clear();
  stageState.clear();
  stageScope.clear();
  loopStateType.clear();
  mapItemType.clear();
  letReads.clear();
  badLets.clear();
  scopes.clear();
  stmtIndex.clear();

  auto root = std::make_unique<Scope>();
  root->inputs = &app.inputs;
  for (const ir::Param &p : app.inputs)
    root->names[p.name] = Ref{Ref::Kind::Input, nullptr, p.name};
  auto top = std::make_unique<Scope>();
  top->parent = root.get();
  top->block = app.decl->body;
  Scope &topRef = *top;
  scopes.push_back(std::move(root));
  scopes.push_back(std::move(top));
  declareStages(app, app.decl->body, topRef, nullptr, app.qualName + "/", true);

  auto result = checkBody(nullptr, app.decl->body, topRef, nullptr);
  if (result && app.resultExpr) {
    if (app.decl->resultType)
      expect(app.result, result, app.resultExpr, "result of application '" + app.decl->name + "'",
             [&](support::DiagBuilder &d) {
               d.note(DiagID::NoteResultType, app.decl->resultType->range, {tn(app.result)});
             });
    else
      app.result = *result;
  }
  // Reference types of stages that nothing forced yet (unused ones).
  for (const ast::Stmt *s : stagesInOrder())
    if (stageState.lookup(s) == CheckState::NotStarted)
      checkStage(app, s, *stageScope.lookup(s));
  for (const ast::Stmt *s : stagesInOrder())
    out->stages[s].used = usedStages.count(s);
  orderBlock(app, app.decl->body);
  warnUnused(app);
  currentApp = nullptr;
}

} // namespace llmflow::sema
