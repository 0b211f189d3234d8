// Module-level declarations: imports, defaults, records, enums, tools and
// application signatures, and the application call graph.
#include "sema/checker.h"
#include "sema/props.h"
#include "support/suggest.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

#include <functional>
#include <set>

namespace llmflow::sema {

namespace {
/// Could `e` be a constant? Literals, negated numbers, lists and records of
/// them, and dotted names (enum values such as `Depth.quick`, which only
/// checking can confirm).
bool constantShape(const ast::Expr *e) {
  using K = ast::Expr::Kind;
  switch (e->kind) {
  case K::Int: case K::Float: case K::Bool: case K::None: return true;
  case K::String:
    return std::all_of(e->pieces.begin(), e->pieces.end(), [](const ast::TemplatePiece &p) { return !p.hole; });
  case K::Unary: return e->text == "-" && (e->operands[0]->kind == K::Int || e->operands[0]->kind == K::Float);
  case K::List: case K::Record:
    return std::all_of(e->operands.begin(), e->operands.end(), constantShape);
  case K::Member: return !dottedName(e).empty();
  default: return false;
  }
}

void namesIn(const ast::Expr *e, llvm::StringSet<> &out) {
  if (e->kind == ast::Expr::Kind::Name)
    out.insert(e->text);
  for (const ast::Expr *o : e->operands)
    namesIn(o, out);
  for (const ast::TemplatePiece &p : e->pieces)
    if (p.hole)
      namesIn(p.hole, out);
}
} // namespace

bool Checker::isConstant(const ast::Expr *e) const {
  if (e->kind == ast::Expr::Kind::Member)
    return out->enumValues.count(e);
  if (e->kind == ast::Expr::Kind::List || e->kind == ast::Expr::Kind::Record)
    return std::all_of(e->operands.begin(), e->operands.end(), [&](const ast::Expr *x) { return isConstant(x); });
  return constantShape(e);
}

std::vector<ir::Param> Checker::checkParams(unsigned m, const ast::Decl &d) {
  std::vector<ir::Param> params;
  // Defaults are checked with the parameters in scope, so a default that
  // reads one is "not a constant" rather than "undefined".
  Scope scope;
  for (const ast::Param &p : d.params)
    scope.names[p.name] = Ref{Ref::Kind::Input, nullptr, p.name};
  llvm::StringMap<llvm::SMRange> seen;
  for (const ast::Param &p : d.params) {
    if (auto [it, fresh] = seen.try_emplace(p.name, p.nameRange); !fresh) {
      redefined(p.name, p.nameRange, it->second);
      continue;
    }
    ir::Param ip{p.name, ir::Type::prim(ir::Type::Kind::Json), std::nullopt};
    if (auto t = resolveType(m, p.type))
      ip.type = *t;
    if (const ast::Expr *e = p.defaultValue) {
      ip.defaultValue = llvm::json::Value(nullptr); // marks "has a default"; lowering fills the value
      if (!constantShape(e)) {
        diags.report(DiagID::ErrDefaultNotConstant, e->range) << p.name;
        namesIn(e, defaultReads[&d]); // read, if wrongly: not "unused" as well
      } else {
        ExprContext cx{&scope, nullptr, m};
        if (expect(ip.type, checkExpr(e, cx), e, "default value of '" + p.name + "'") && !isConstant(e))
          diags.report(DiagID::ErrDefaultNotConstant, e->range) << p.name;
      }
    }
    params.push_back(std::move(ip));
  }
  return params;
}

void Checker::collectDecls() {
  modules.resize(program.modules.size());
  for (unsigned m = 0; m < program.modules.size(); ++m) {
    ModuleScope &ms = modules[m];
    const ast::LoadedModule &lm = program.modules[m];
    ms.imports = lm.imports;
    const ast::Decl *defaults = nullptr;
    for (const ast::Decl *d : lm.module->decls) {
      if (d->kind == ast::Decl::Kind::Import) {
        if (auto [it, fresh] = ms.importDecls.try_emplace(d->name, d); !fresh) {
          (diags.report(DiagID::ErrDuplicateImport, d->nameRange) << d->name)
              .note(DiagID::NotePreviousDefinition, it->second->nameRange);
        }
        continue;
      }
      if (d->kind == ast::Decl::Kind::Defaults) {
        if (defaults)
          redefined("defaults", d->nameRange, defaults->nameRange);
        else
          defaults = d;
        continue;
      }
      if ((d->kind == ast::Decl::Kind::Record || d->kind == ast::Decl::Kind::Enum) &&
          llvm::is_contained(kBuiltinTypes, d->name)) {
        diags.report(DiagID::ErrBuiltinTypeName, d->nameRange) << d->name;
        continue;
      }
      const ast::Decl *prev = nullptr;
      if (auto it = ms.decls.find(d->name); it != ms.decls.end())
        prev = it->second;
      else if (auto it = ms.importDecls.find(d->name); it != ms.importDecls.end())
        prev = it->second;
      if (prev) {
        redefined(d->name, d->nameRange, prev->nameRange);
        continue;
      }
      ms.decls[d->name] = d;
    }
    if (defaults)
      checkDefaults(m, *defaults);
  }
}

void Checker::checkDefaults(unsigned m, const ast::Decl &d) {
  ModuleScope &ms = modules[m];
  Policies p = checkPolicies(Policies{}, d.props, "defaults", {"model", "max_tokens", "temperature"},
                             &ms.defaultsHaveTimeout);
  if (const ast::Prop *x = prop(d.props, "model"))
    if (auto v = stringValue(*x, diags))
      p.model = *v;
  if (const ast::Prop *x = prop(d.props, "max_tokens"))
    if (auto v = intValue(*x, 1, kMaxCount, diags))
      p.maxTokens = unsigned(*v);
  if (const ast::Prop *x = prop(d.props, "temperature"))
    if (auto v = floatValue(*x, 0, 2, diags))
      p.temperature = *v;
  p.policy.timeoutExplicit = false;
  ms.defaults = p;
}

void Checker::checkRecordsAndEnums() {
  // Register every record and enum name first so fields may refer to any.
  for (unsigned m = 0; m < program.modules.size(); ++m)
    for (const ast::Decl *d : program.modules[m].module->decls) {
      if (modules[m].decls.lookup(d->name) != d)
        continue;
      if (d->kind == ast::Decl::Kind::Record)
        out->records.push_back({qualify(m, d->name), {}});
      else if (d->kind == ast::Decl::Kind::Enum) {
        ir::EnumDef e{qualify(m, d->name), {}};
        if (d->enumValues.empty()) // no value could ever have this type
          diags.report(DiagID::ErrEmptyEnum, d->nameRange) << d->name;
        llvm::StringMap<llvm::SMRange> seen;
        for (size_t i = 0; i < d->enumValues.size(); ++i) {
          if (auto [it, fresh] = seen.try_emplace(d->enumValues[i], d->enumValueRanges[i]); !fresh) {
            redefined(d->enumValues[i], d->enumValueRanges[i], it->second);
            continue;
          }
          e.values.push_back(d->enumValues[i]);
        }
        out->enums.push_back(std::move(e));
      }
    }
  for (unsigned m = 0; m < program.modules.size(); ++m)
    for (const ast::Decl *d : program.modules[m].module->decls) {
      if (d->kind != ast::Decl::Kind::Record || modules[m].decls.lookup(d->name) != d)
        continue;
      std::vector<std::pair<std::string, ir::Type>> fields;
      llvm::StringMap<llvm::SMRange> seen;
      for (const ast::Field &f : d->fields) {
        if (auto [it, fresh] = seen.try_emplace(f.name, f.nameRange); !fresh) {
          redefined(f.name, f.nameRange, it->second);
          continue;
        }
        auto t = resolveType(m, f.type);
        fields.push_back({f.name, t ? *t : ir::Type::prim(ir::Type::Kind::Json)});
      }
      std::string q = qualify(m, d->name);
      for (ir::RecordDef &r : out->records)
        if (r.name == q)
          r.fields = std::move(fields);
    }
}

void Checker::redefined(llvm::StringRef name, llvm::SMRange r, llvm::SMRange prev) {
  (diags.report(DiagID::ErrRedefinition, r) << name).note(DiagID::NotePreviousDefinition, prev);
}

void Checker::checkToolDecl(unsigned m, const ast::Decl &d) {
  ToolInfo info;
  info.decl = &d;
  info.module = m;
  info.qualName = qualify(m, d.name);
  info.params = checkParams(m, d);
  Scope scope;
  for (const ir::Param &p : info.params)
    scope.names[p.name] = Ref{Ref::Kind::Input, nullptr, p.name};
  info.result = d.resultType ? resolveType(m, d.resultType).value_or(ir::Type::prim(ir::Type::Kind::Json))
                             : ir::Type::prim(ir::Type::Kind::Json);
  info.policies = checkPolicies(modules[m].defaults, d.props, "a tool declaration",
                                {"exec", "stdin", "env", "http", "url", "body", "builtin"});
  const ast::Prop *exec = prop(d.props, "exec"), *http = prop(d.props, "http"), *builtin = prop(d.props, "builtin");
  // A misspelt 'exc' was reported as unknown, with 'exec' suggested: it
  // counts as the implementation rather than being a second error.
  unsigned impls = 0;
  for (llvm::StringRef k : {"exec", "http", "builtin"})
    impls += hasProp(d.props, k);
  if (impls != 1)
    diags.report(DiagID::ErrToolImpl, d.nameRange) << d.name;
  ExprContext cx{&scope, nullptr, m, true};
  if (exec) {
    if (exec->value->kind != ast::Expr::Kind::List || exec->value->operands.empty()) {
      diags.report(DiagID::ErrPropertyValue, exec->value->range) << "exec" << "expected a non-empty list of strings";
    } else {
      for (const ast::Expr *a : exec->value->operands)
        if (a->kind != ast::Expr::Kind::String)
          diags.report(DiagID::ErrPropertyValue, a->range) << "exec" << "expected a string";
        else
          checkTemplate(a, cx);
      // argv[0] picks the program: from a value an LLM produced, it could
      // be any program on the machine.
      const ast::Expr *program = exec->value->operands.front();
      if (program->kind == ast::Expr::Kind::String &&
          llvm::any_of(program->pieces, [](const ast::TemplatePiece &p) { return p.hole != nullptr; }))
        diags.report(DiagID::WarnTemplatedProgram, program->range) << d.name;
    }
  }
  if (const ast::Prop *env = prop(d.props, "env"))
    checkToolEnv(*env, exec != nullptr);
  if (const ast::Prop *s = prop(d.props, "stdin"))
    if (auto v = stringValue(*s, diags))
      if (*v != "json" && *v != "none" && !scope.names.count(*v))
        diags.report(DiagID::ErrPropertyValue, s->value->range)
            << "stdin" << "expected \"json\", \"none\" or a parameter name";
  if (http) {
    if (auto v = stringValue(*http, diags))
      if (*v != "GET" && *v != "POST" && *v != "PUT" && *v != "DELETE")
        diags.report(DiagID::ErrPropertyValue, http->value->range) << "http" << "expected \"GET\", \"POST\", \"PUT\" or \"DELETE\"";
    if (!hasProp(d.props, "url"))
      diags.report(DiagID::ErrMissingProperty, d.nameRange) << "tool" << d.name << "url";
  }
  for (llvm::StringRef t : {"url", "body"})
    if (const ast::Prop *x = prop(d.props, t)) {
      if (!http)
        diags.report(DiagID::ErrPropertyValue, x->nameRange) << t << "only HTTP tools (http = \"GET\") take it";
      else if (x->value->kind != ast::Expr::Kind::String)
        diags.report(DiagID::ErrPropertyValue, x->value->range) << t << "expected a string";
      else
        checkTemplate(x->value, cx);
    }
  if (builtin)
    (void)stringValue(*builtin, diags);
  out->tools.push_back(std::move(info));
}

/// env = ["NAME", ...]: the environment variables an exec tool is given
/// beyond PATH, HOME, LANG, LC_ALL and TZ (names only; the values come from
/// the environment llmflow runs in).
void Checker::checkToolEnv(const ast::Prop &env, bool isExec) {
  if (!isExec) {
    diags.report(DiagID::ErrPropertyValue, env.nameRange) << "env" << "only exec tools (exec = [...]) take it";
    return;
  }
  if (env.value->kind != ast::Expr::Kind::List) {
    diags.report(DiagID::ErrPropertyValue, env.value->range) << "env" << "expected a list of variable names";
    return;
  }
  llvm::StringSet<> seen;
  for (const ast::Expr *a : env.value->operands) {
    bool holes = llvm::any_of(a->pieces, [](const ast::TemplatePiece &p) { return p.hole != nullptr; });
    llvm::StringRef name = a->text;
    bool valid = a->kind == ast::Expr::Kind::String && !holes && !name.empty() &&
                 (llvm::isAlpha(name.front()) || name.front() == '_') &&
                 llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; });
    if (!valid)
      diags.report(DiagID::ErrPropertyValue, a->range)
          << "env" << "expected a variable name (letters, digits and '_', not starting with a digit)";
    else if (!seen.insert(name).second)
      diags.report(DiagID::ErrPropertyValue, a->range) << "env" << "'" + name.str() + "' is listed twice";
  }
}

void Checker::checkAppSignature(unsigned m, const ast::Decl &d) {
  AppInfo info;
  info.decl = &d;
  info.module = m;
  info.qualName = qualify(m, d.name);
  info.inputs = checkParams(m, d);
  if (d.resultType)
    info.result = resolveType(m, d.resultType).value_or(ir::Type::prim(ir::Type::Kind::Json));
  out->apps.push_back(std::move(info));
}

void Checker::checkAppCallGraph() {
  // Edges app -> app (call stages, planner tool lists), each with the place
  // that makes it; collected in stage-id order so reports do not depend on
  // pointers.
  struct Edge {
    std::string from, to;
    llvm::SMRange where;
    std::string order;
  };
  std::vector<Edge> edges;
  for (auto &[stmt, app] : out->appOf) {
    const std::string &id = out->stages[stmt].id;
    edges.push_back({id.substr(0, id.find('/')), app->qualName, stmt->calleeRange, id});
  }
  for (auto &[stmt, names] : out->plannerTools) {
    const std::string &id = out->stages[stmt].id;
    const std::vector<llvm::SMRange> &ranges = plannerToolRanges[stmt];
    for (size_t i = 0; i < names.size(); ++i)
      if (out->findApp(names[i]))
        edges.push_back({id.substr(0, id.find('/')), names[i], i < ranges.size() ? ranges[i] : stmt->nameRange,
                         id + "#" + names[i]});
  }
  std::sort(edges.begin(), edges.end(), [](const Edge &a, const Edge &b) { return a.order < b.order; });
  std::map<std::string, std::vector<const Edge *>> from;
  for (const Edge &e : edges)
    from[e.from].push_back(&e);
  // From each app, the first cycle back to it (depth first); a cycle is
  // reported once, at its first edge, with a note per call on it.
  std::set<std::set<std::string>> reported;
  for (const AppInfo &a : out->apps) {
    std::vector<const Edge *> path;
    std::set<std::string> visited;
    std::function<bool(const std::string &)> dfs = [&](const std::string &cur) {
      for (const Edge *e : from[cur]) {
        path.push_back(e);
        if (e->to == a.qualName)
          return true;
        if (visited.insert(e->to).second && dfs(e->to))
          return true;
        path.pop_back();
      }
      return false;
    };
    if (!dfs(a.qualName))
      continue;
    std::set<std::string> members;
    for (const Edge *e : path)
      members.insert(e->from);
    if (!reported.insert(members).second)
      continue;
    std::string through;
    for (size_t i = 1; i < path.size(); ++i)
      through += (i == 1 ? " through '" : "', '") + path[i]->from + (i + 1 == path.size() ? "'" : "");
    auto d = diags.report(DiagID::ErrRecursiveCall, path.front()->where);
    d << a.qualName << through;
    for (size_t i = 1; i < path.size(); ++i)
      d.note(DiagID::NoteCallStep, path[i]->where, {path[i]->from, path[i]->to});
  }
}

void Checker::warnUnusedImports() {
  for (unsigned m = 0; m < program.modules.size(); ++m)
    for (const ast::Decl *d : program.modules[m].module->decls)
      if (d->kind == ast::Decl::Kind::Import && modules[m].importDecls.lookup(d->name) == d &&
          !modules[m].usedImports.count(d))
        diags.report(DiagID::WarnUnusedImport, d->nameRange) << d->name;
}

} // namespace llmflow::sema
