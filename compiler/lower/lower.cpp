// Lowering of declarations and stages to IR nodes. Each stage becomes one
// node, except a planner (an LLM node plus the Dynamic node its plan
// expands); branches, loops, maps and calls become Dynamic nodes holding
// their bodies as template sub-graphs.
#include "lower/lower_internal.h"


namespace llmflow::lower {

namespace {
const ast::Prop *findProp(const std::vector<ast::Prop> &props, llvm::StringRef name) {
  for (const ast::Prop &p : props)
    if (p.name == name)
      return &p;
  return nullptr;
}

const ast::Arg *findArg(const std::vector<ast::Arg> &args, llvm::StringRef name) {
  for (const ast::Arg &a : args)
    if (a.name == name)
      return &a;
  return nullptr;
}

std::optional<llvm::json::Value> literalJSON(const sema::CheckedProgram &cp, const ast::Expr *e) {
  switch (e->kind) {
  case ast::Expr::Kind::Member:
    if (auto it = cp.enumValues.find(e); it != cp.enumValues.end())
      return llvm::json::Value(it->second);
    return std::nullopt;
  case ast::Expr::Kind::Int: return llvm::json::Value(int64_t(e->intValue));
  case ast::Expr::Kind::Float: return llvm::json::Value(e->floatValue);
  case ast::Expr::Kind::Bool: return llvm::json::Value(e->boolValue);
  case ast::Expr::Kind::String: return llvm::json::Value(e->text);
  case ast::Expr::Kind::None: return llvm::json::Value(nullptr);
  case ast::Expr::Kind::Unary:
    if (e->text == "-" && e->operands[0]->kind == ast::Expr::Kind::Int)
      return llvm::json::Value(-int64_t(e->operands[0]->intValue));
    if (e->text == "-" && e->operands[0]->kind == ast::Expr::Kind::Float)
      return llvm::json::Value(-e->operands[0]->floatValue);
    return std::nullopt;
  case ast::Expr::Kind::Record: {
    llvm::json::Object o;
    for (size_t i = 0; i < e->operands.size(); ++i) {
      auto v = literalJSON(cp, e->operands[i]);
      if (!v)
        return std::nullopt;
      o[e->fieldNames[i]] = std::move(*v);
    }
    return llvm::json::Value(std::move(o));
  }
  case ast::Expr::Kind::List: {
    llvm::json::Array a;
    for (const ast::Expr *x : e->operands) {
      auto v = literalJSON(cp, x);
      if (!v)
        return std::nullopt;
      a.push_back(std::move(*v));
    }
    return llvm::json::Value(std::move(a));
  }
  default: return std::nullopt;
  }
}

std::vector<ir::Param> withDefaults(const sema::CheckedProgram &cp, std::vector<ir::Param> params,
                                   const std::vector<ast::Param> &decl) {
  for (ir::Param &p : params)
    for (const ast::Param &d : decl)
      if (d.name == p.name && d.defaultValue)
        p.defaultValue = literalJSON(cp, d.defaultValue);
  return params;
}
} // namespace

static bool readsLoopState(const ir::Expr &e, const std::string &loopId) {
  if (e.kind == ir::Expr::Kind::Ref && e.root == ir::RefRoot::LoopState && e.name == loopId)
    return true;
  for (const ir::Expr &a : e.args)
    if (readsLoopState(a, loopId))
      return true;
  return false;
}

ir::ToolDef Lowerer::tool(const sema::ToolInfo &t) const {
  ir::ToolDef def;
  def.name = t.qualName;
  def.params = withDefaults(cp, t.params, t.decl->params);
  def.result = t.result;
  def.policy = t.policies.policy;
  def.loc = loc(t.decl->nameRange);
  const auto &props = t.decl->props;
  if (const ast::Prop *exec = findProp(props, "exec")) {
    def.impl = ir::ToolDef::Impl::Exec;
    for (const ast::Expr *a : exec->value->operands)
      def.argv.push_back(templ(a));
    if (const ast::Prop *s = findProp(props, "stdin"))
      def.stdinMode = s->value->text;
    if (const ast::Prop *env = findProp(props, "env"))
      for (const ast::Expr *name : env->value->operands)
        def.env.push_back(name->text);
  } else if (const ast::Prop *http = findProp(props, "http")) {
    def.impl = ir::ToolDef::Impl::Http;
    def.method = http->value->text;
    def.url = templ(findProp(props, "url")->value);
    if (const ast::Prop *b = findProp(props, "body"))
      def.body = templ(b->value);
  } else {
    def.impl = ir::ToolDef::Impl::Builtin;
    def.builtin = findProp(props, "builtin")->value->text;
  }
  return def;
}

ir::Node Lowerer::baseNode(const ast::Stmt *s, ir::NodeKind kind, ir::ExecutorClass exec) const {
  const sema::StageInfo &si = cp.stages.find(s)->second;
  ir::Node n;
  n.id = si.id;
  n.name = s->name;
  n.kind = kind;
  n.executor = exec;
  n.loc = loc(s->nameRange);
  for (const ast::Stmt *d : si.deps)
    n.deps.push_back(valueId(d));
  n.resultType = si.type;
  n.policy = si.policies.policy;
  return n;
}

void Lowerer::stage(const sema::AppInfo &app, const ast::Stmt *s, ir::Graph &g) {
  const sema::StageInfo &si = cp.stages.find(s)->second;
  using SK = ast::Stmt::Kind;
  switch (s->kind) {
  case SK::LLM:
  case SK::Planner: {
    ir::Node n = baseNode(s, ir::NodeKind::LLM, ir::ExecutorClass::LLM);
    ir::LLMPayload llm;
    llm.model = si.policies.model;
    llm.maxTokens = si.policies.maxTokens;
    llm.temperature = si.policies.temperature;
    llm.prompt = templ(findProp(s->props, "prompt")->value);
    if (const ast::Prop *sys = findProp(s->props, "system"))
      llm.system = templ(sys->value);
    n.hook.tokens = true;
    if (s->kind == SK::LLM) {
      if (s->outputType)
        llm.outputSchema = ir::jsonSchema(si.type, module);
      n.llm = std::move(llm);
      g.nodes.push_back(std::move(n));
      return;
    }
    // Planner: the LLM node answers with a plan; the Dynamic node runs it.
    const std::vector<std::string> &tools = cp.plannerTools.find(s)->second;
    unsigned maxSteps = unsigned(findProp(s->props, "max_steps")->value->intValue);
    unsigned maxParallel = maxSteps;
    if (const ast::Prop *p = findProp(s->props, "max_parallel"))
      maxParallel = unsigned(p->value->intValue);
    llm.isPlanner = true;
    std::vector<PlanTool> planTools;
    for (const std::string &t : tools) {
      if (const sema::ToolInfo *ti = cp.findTool(t))
        planTools.push_back({t, withDefaults(cp, ti->params, ti->decl->params)});
      else if (const sema::AppInfo *ai = cp.findApp(t))
        planTools.push_back({t, withDefaults(cp, ai->inputs, ai->decl->params)});
    }
    llm.outputSchema = planSchema(planTools, maxSteps, module);
    n.llm = std::move(llm);
    n.resultType = ir::Type::prim(ir::Type::Kind::Json);
    ir::Node d;
    d.id = si.id + ".steps";
    d.name = s->name;
    d.kind = ir::NodeKind::Dynamic;
    d.executor = ir::ExecutorClass::None;
    d.loc = n.loc;
    d.deps = {n.id};
    d.resultType = si.type;
    d.policy = n.policy;
    d.hook.structure = "expansion_size";
    auto dyn = std::make_shared<ir::DynamicPayload>();
    dyn->kind = ir::DynamicKind::Planner;
    dyn->resolvedBy = {n.id};
    dyn->maxExpansion = maxSteps;
    dyn->maxParallel = maxParallel;
    dyn->allowedTools = tools;
    // The template body: one step node per allowed tool, so each tool's
    // duration has a stable id for profiling and the Bayesian network.
    ir::Graph body;
    for (const std::string &t : tools) {
      ir::Node step;
      step.id = d.id + "/" + t;
      step.name = t;
      step.loc = n.loc;
      step.policy = n.policy;
      if (const sema::ToolInfo *ti = cp.findTool(t)) {
        step.kind = ir::NodeKind::Regular;
        step.executor = ir::ExecutorClass::Regular;
        step.resultType = ti->result;
        step.policy = ti->policies.policy;
        step.tool = ir::ToolPayload{t, {}};
      } else {
        const sema::AppInfo *callee = cp.findApp(t);
        assert(callee && "planner tool checked by sema");
        step.kind = ir::NodeKind::Dynamic;
        step.executor = ir::ExecutorClass::None;
        step.resultType = callee->result;
        auto call = std::make_shared<ir::DynamicPayload>();
        call->kind = ir::DynamicKind::Call;
        call->callee = t;
        step.dynamic = std::move(call);
      }
      body.nodes.push_back(std::move(step));
    }
    dyn->bodies.push_back(std::move(body));
    d.dynamic = std::move(dyn);
    g.nodes.push_back(std::move(n));
    g.nodes.push_back(std::move(d));
    return;
  }
  case SK::Tool: {
    ir::Node n = baseNode(s, ir::NodeKind::Regular, ir::ExecutorClass::Regular);
    ir::ToolPayload tp;
    tp.tool = cp.toolOf.find(s)->second->qualName;
    for (const ast::Arg &a : s->args)
      tp.args.push_back({a.name, expr(a.value)});
    n.tool = std::move(tp);
    g.nodes.push_back(std::move(n));
    return;
  }
  case SK::Call:
  case SK::If:
  case SK::Loop:
  case SK::Map: {
    ir::Node n = baseNode(s, ir::NodeKind::Dynamic, ir::ExecutorClass::None);
    auto dyn = std::make_shared<ir::DynamicPayload>();
    auto yieldOf = [&](const ast::Block *b) -> std::optional<ir::Expr> {
      if (!b->stmts.empty() && b->stmts.back()->kind == SK::Yield)
        return expr(b->stmts.back()->expr);
      return std::nullopt;
    };
    if (s->kind == SK::Call) {
      dyn->kind = ir::DynamicKind::Call;
      dyn->callee = cp.appOf.find(s)->second->qualName;
      for (const ast::Arg &a : s->args)
        dyn->args.push_back({a.name, expr(a.value)});
    } else if (s->kind == SK::If) {
      dyn->kind = ir::DynamicKind::Branch;
      dyn->condition = expr(s->expr);
      nodeRefs(*dyn->condition, dyn->resolvedBy);
      dyn->bodies.push_back(block(app, s->body));
      dyn->yields.push_back(yieldOf(s->body));
      if (s->elseBody) {
        dyn->bodies.push_back(block(app, s->elseBody));
        dyn->yields.push_back(yieldOf(s->elseBody));
      }
      n.hook.structure = "branch";
    } else if (s->kind == SK::Loop) {
      dyn->kind = ir::DynamicKind::Loop;
      dyn->maxExpansion = unsigned(findArg(s->args, "max")->value->intValue);
      if (const ast::Arg *init = findArg(s->args, "init"))
        dyn->init = expr(init->value);
      dyn->condition = expr(s->expr);
      for (const ast::Stmt *r : si.resolvedBy)
        dyn->resolvedBy.push_back(valueId(r));
      dyn->bodies.push_back(block(app, s->body));
      dyn->yields.push_back(yieldOf(s->body));
      // An until-condition over the loop's own state is resolved by the body
      // nodes that the yield reads.
      if (readsLoopState(*dyn->condition, n.id) && dyn->yields.back()) {
        std::vector<std::string> ids;
        nodeRefs(*dyn->yields.back(), ids);
        for (const std::string &id : ids)
          if (llvm::StringRef(id).startswith(n.id + "/") &&
              std::find(dyn->resolvedBy.begin(), dyn->resolvedBy.end(), id) == dyn->resolvedBy.end())
            dyn->resolvedBy.push_back(id);
      }
      n.hook.structure = "iterations";
    } else {
      dyn->kind = ir::DynamicKind::Map;
      dyn->list = expr(s->expr);
      dyn->itemName = s->itemName;
      nodeRefs(*dyn->list, dyn->resolvedBy);
      if (const ast::Arg *c = findArg(s->args, "concurrency"))
        dyn->maxParallel = unsigned(c->value->intValue);
      dyn->bodies.push_back(block(app, s->body));
      dyn->yields.push_back(yieldOf(s->body));
      n.hook.structure = "expansion_size";
    }
    n.dynamic = std::move(dyn);
    g.nodes.push_back(std::move(n));
    return;
  }
  case SK::Let:
  case SK::Yield:
  case SK::Return: llvm_unreachable("not a stage");
  }
}

ir::Graph Lowerer::block(const sema::AppInfo &app, const ast::Block *b) {
  ir::Graph g;
  for (const ast::Stmt *s : app.order.find(b)->second)
    stage(app, s, g);
  return g;
}

ir::Module lower(const sema::CheckedProgram &cp, const llvm::SourceMgr &sm) {
  Lowerer l{cp, sm, {}};
  l.module.source = cp.program->modules[0].module->path;
  l.module.records = cp.records;
  l.module.enums = cp.enums;
  // Reserved: ir::App and ToolDef hold json::Values, whose moves are not
  // noexcept, so a growing vector would copy every application built so far.
  l.module.tools.reserve(cp.tools.size());
  for (const sema::ToolInfo &t : cp.tools)
    l.module.tools.push_back(l.tool(t));
  l.module.apps.reserve(cp.apps.size());
  for (const sema::AppInfo &a : cp.apps) {
    ir::App app;
    app.name = a.qualName;
    app.inputs = withDefaults(cp, a.inputs, a.decl->params);
    app.result = a.result;
    app.resultExpr = l.expr(a.resultExpr);
    app.loc = l.loc(a.decl->nameRange);
    app.graph = l.block(a, a.decl->body);
    l.module.apps.push_back(std::move(app));
  }
  return std::move(l.module);
}

} // namespace llmflow::lower
