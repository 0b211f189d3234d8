// Module-level declarations: imports, defaults, records, enums, tools and
// application signatures, and the application call graph.
#include "sema/checker.h"
#include "sema/props.h"

#include <functional>
#include <set>

namespace llmflow::sema {

bool isConstant(const ast::Expr *e) {
  using K = ast::Expr::Kind;
  switch (e->kind) {
  case K::Int: case K::Float: case K::Bool: case K::None: return true;
  case K::String:
    return std::all_of(e->pieces.begin(), e->pieces.end(), [](const ast::TemplatePiece &p) { return !p.hole; });
  case K::Unary: return e->text == "-" && (e->operands[0]->kind == K::Int || e->operands[0]->kind == K::Float);
  case K::List: case K::Record:
    return std::all_of(e->operands.begin(), e->operands.end(), isConstant);
  default: return false;
  }
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
  Scope scope;
  llvm::StringMap<llvm::SMRange> seen;
  for (const ast::Param &p : d.params) {
    if (auto [it, fresh] = seen.try_emplace(p.name, p.nameRange); !fresh) {
      redefined(p.name, p.nameRange, it->second);
      continue;
    }
    ir::Param ip{p.name, ir::Type::prim(ir::Type::Kind::Json), std::nullopt};
    if (auto t = resolveType(m, p.type))
      ip.type = *t;
    if (p.defaultValue) {
      ExprContext cx{&scope, nullptr, m};
      expect(ip.type, checkExpr(p.defaultValue, cx), p.defaultValue->range, "default value of '" + p.name + "'");
      if (!isConstant(p.defaultValue))
        diags.report(DiagID::ErrDefaultNotConstant, p.defaultValue->range) << p.name;
      ip.defaultValue = llvm::json::Value(nullptr); // marks "has a default"; lowering fills the value
    }
    info.params.push_back(std::move(ip));
    scope.names[p.name] = Ref{Ref::Kind::Input, nullptr, p.name};
  }
  info.result = d.resultType ? resolveType(m, d.resultType).value_or(ir::Type::prim(ir::Type::Kind::Json))
                             : ir::Type::prim(ir::Type::Kind::Json);
  info.policies = checkPolicies(modules[m].defaults, d.props, "a tool declaration",
                                {"exec", "stdin", "http", "url", "body", "builtin"});
  const ast::Prop *exec = prop(d.props, "exec"), *http = prop(d.props, "http"), *builtin = prop(d.props, "builtin");
  if ((exec != nullptr) + (http != nullptr) + (builtin != nullptr) != 1)
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
    }
  }
  if (const ast::Prop *s = prop(d.props, "stdin"))
    if (auto v = stringValue(*s, diags))
      if (*v != "json" && *v != "none" && !scope.names.count(*v))
        diags.report(DiagID::ErrPropertyValue, s->value->range)
            << "stdin" << "expected \"json\", \"none\" or a parameter name";
  if (http) {
    if (auto v = stringValue(*http, diags))
      if (*v != "GET" && *v != "POST" && *v != "PUT" && *v != "DELETE")
        diags.report(DiagID::ErrPropertyValue, http->value->range) << "http" << "expected \"GET\", \"POST\", \"PUT\" or \"DELETE\"";
    const ast::Prop *url = prop(d.props, "url");
    if (!url)
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

void Checker::checkAppSignature(unsigned m, const ast::Decl &d) {
  AppInfo info;
  info.decl = &d;
  info.module = m;
  info.qualName = qualify(m, d.name);
  llvm::StringMap<llvm::SMRange> seen;
  Scope empty;
  for (const ast::Param &p : d.params) {
    if (auto [it, fresh] = seen.try_emplace(p.name, p.nameRange); !fresh) {
      redefined(p.name, p.nameRange, it->second);
      continue;
    }
    ir::Param ip{p.name, ir::Type::prim(ir::Type::Kind::Json), std::nullopt};
    if (auto t = resolveType(m, p.type))
      ip.type = *t;
    if (p.defaultValue) {
      ExprContext cx{&empty, nullptr, m};
      expect(ip.type, checkExpr(p.defaultValue, cx), p.defaultValue->range, "default value of '" + p.name + "'");
      if (!isConstant(p.defaultValue))
        diags.report(DiagID::ErrDefaultNotConstant, p.defaultValue->range) << p.name;
      ip.defaultValue = llvm::json::Value(nullptr); // marks "has a default"; lowering fills the value
    }
    info.inputs.push_back(std::move(ip));
  }
  if (d.resultType)
    info.result = resolveType(m, d.resultType).value_or(ir::Type::prim(ir::Type::Kind::Json));
  out->apps.push_back(std::move(info));
}

void Checker::checkAppCallGraph() {
  // Edges: app -> apps it calls (call stages, planner tool lists).
  // Collected in stage-id order so the report does not depend on pointers.
  std::map<std::string, std::vector<std::pair<std::string, llvm::SMRange>>> edges;
  std::vector<std::pair<std::string, std::pair<std::string, llvm::SMRange>>> calls;
  for (auto &[stmt, app] : out->appOf)
    calls.push_back({out->stages[stmt].id, {app->qualName, stmt->calleeRange}});
  for (auto &[stmt, names] : out->plannerTools)
    for (const std::string &n : names)
      if (out->findApp(n))
        calls.push_back({out->stages[stmt].id + "#" + n, {n, stmt->nameRange}});
  std::sort(calls.begin(), calls.end(), [](auto &a, auto &b) { return a.first < b.first; });
  for (auto &[id, edge] : calls)
    edges[id.substr(0, id.find('/'))].push_back(edge);
  // DFS from each app; report the first cycle found through each app once.
  std::set<std::string> reported;
  for (const AppInfo &a : out->apps) {
    std::vector<std::string> stack{a.qualName};
    std::set<std::string> visited;
    std::function<bool(const std::string &, llvm::SMRange)> dfs = [&](const std::string &cur, llvm::SMRange) {
      for (auto &[next, r] : edges[cur]) {
        if (next == a.qualName) {
          if (reported.insert(a.qualName).second)
            diags.report(DiagID::ErrRecursiveCall, r)
                << a.qualName << (cur == a.qualName ? std::string() : " through '" + cur + "'");
          return true;
        }
        if (visited.insert(next).second && dfs(next, r))
          return true;
      }
      return false;
    };
    dfs(a.qualName, {});
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
