// Writing the IR as JSON (toJSON, writeJSON). Reading is ir_json_read.cpp.
// Every field of ir.h is written; optional values are omitted when absent so
// that presence alone carries the information (a parameter default can be a
// JSON null). Expressions write only the fields their kind uses.
#include "ir/ir_json.h"
#include "ir/json_text.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"


namespace llmflow::ir {

namespace {

using llvm::json::Array;
using llvm::json::Object;
using llvm::json::Value;

Value typeJSON(const Type &t) { return t.str(); }

Value locJSON(const SourceLoc &l) {
  return Object{{"file", l.file}, {"line", int64_t(l.line)}, {"col", int64_t(l.col)}};
}

Value exprJSON(const Expr &e);

Value exprsJSON(const std::vector<Expr> &es) {
  Array a;
  for (const Expr &e : es)
    a.push_back(exprJSON(e));
  return a;
}

Value stringsJSON(const std::vector<std::string> &ss) {
  Array a;
  for (const std::string &s : ss)
    a.push_back(s);
  return a;
}

Value exprJSON(const Expr &e) {
  Object o{{"kind", toString(e.kind)}, {"type", typeJSON(e.type)}};
  switch (e.kind) {
  case Expr::Kind::Literal:
    o["value"] = e.literal;
    break;
  case Expr::Kind::Ref:
    o["root"] = toString(e.root);
    o["name"] = e.name;
    o["fields"] = stringsJSON(e.fields);
    break;
  case Expr::Kind::Unary:
  case Expr::Kind::Binary:
    o["op"] = e.op;
    o["args"] = exprsJSON(e.args);
    break;
  case Expr::Kind::List:
    o["args"] = exprsJSON(e.args);
    break;
  case Expr::Kind::Record:
    o["fields"] = stringsJSON(e.fields);
    o["args"] = exprsJSON(e.args);
    break;
  case Expr::Kind::Call:
    o["name"] = e.name;
    o["args"] = exprsJSON(e.args);
    break;
  }
  return o;
}

/// Text parts are strings, holes are expression objects.
Value templateJSON(const Template &t) {
  Array a;
  for (const TemplatePart &p : t)
    a.push_back(p.hole ? exprJSON(*p.hole) : Value(p.text));
  return a;
}

Value argsJSON(const std::vector<std::pair<std::string, Expr>> &args) {
  Array a;
  for (const auto &[name, e] : args)
    a.push_back(Object{{"name", name}, {"value", exprJSON(e)}});
  return a;
}

Value policyJSON(const Policy &p) {
  Object o{{"timeout_seconds", p.timeoutSeconds},
           {"timeout_explicit", p.timeoutExplicit},
           {"attempts", int64_t(p.attempts)},
           {"backoff_seconds", p.backoffSeconds},
           {"executor_group", p.executorGroup}};
  if (p.cache != CachePolicy::Default) // absent by default, so IR without it is unchanged
    o["cache"] = toString(p.cache);
  return o;
}

Value hookJSON(const ProfilingHook &h) {
  return Object{{"queue_time", h.queueTime},
                {"start_end", h.startEnd},
                {"tokens", h.tokens},
                {"retries", h.retries},
                {"structure", h.structure}};
}

Value paramJSON(const Param &p) {
  Object o{{"name", p.name}, {"type", typeJSON(p.type)}};
  if (p.defaultValue)
    o["default"] = *p.defaultValue;
  return o;
}

Value paramsJSON(const std::vector<Param> &ps) {
  Array a;
  for (const Param &p : ps)
    a.push_back(paramJSON(p));
  return a;
}

Value graphJSON(const Graph &g);

Value llmJSON(const LLMPayload &l) {
  Object o{{"model", l.model},
           {"system", templateJSON(l.system)},
           {"prompt", templateJSON(l.prompt)},
           {"max_tokens", int64_t(l.maxTokens)},
           {"temperature", l.temperature},
           {"is_planner", l.isPlanner}};
  if (l.outputSchema)
    o["output_schema"] = *l.outputSchema;
  return o;
}

Value toolPayloadJSON(const ToolPayload &t) {
  return Object{{"tool", t.tool}, {"args", argsJSON(t.args)}};
}

Value dynamicJSON(const DynamicPayload &d) {
  Object o{{"kind", toString(d.kind)},
           {"resolved_by", stringsJSON(d.resolvedBy)},
           {"max_expansion", int64_t(d.maxExpansion)},
           {"max_parallel", int64_t(d.maxParallel)},
           {"item_name", d.itemName},
           {"allowed_tools", stringsJSON(d.allowedTools)},
           {"callee", d.callee},
           {"args", argsJSON(d.args)}};
  if (d.condition)
    o["condition"] = exprJSON(*d.condition);
  if (d.init)
    o["init"] = exprJSON(*d.init);
  if (d.list)
    o["list"] = exprJSON(*d.list);
  Array bodies;
  for (const Graph &b : d.bodies)
    bodies.push_back(graphJSON(b));
  o["bodies"] = std::move(bodies);
  Array yields;
  for (const std::optional<Expr> &y : d.yields)
    yields.push_back(y ? exprJSON(*y) : Value(nullptr));
  o["yields"] = std::move(yields);
  return o;
}

Value nodeJSON(const Node &n) {
  Object o{{"id", n.id},
           {"name", n.name},
           {"kind", toString(n.kind)},
           {"executor", toString(n.executor)},
           {"loc", locJSON(n.loc)},
           {"deps", stringsJSON(n.deps)},
           {"result_type", typeJSON(n.resultType)},
           {"policy", policyJSON(n.policy)},
           {"hook", hookJSON(n.hook)}};
  if (n.llm)
    o["llm"] = llmJSON(*n.llm);
  if (n.tool)
    o["tool"] = toolPayloadJSON(*n.tool);
  if (n.dynamic)
    o["dynamic"] = dynamicJSON(*n.dynamic);
  return o;
}

Value graphJSON(const Graph &g) {
  Array nodes;
  for (const Node &n : g.nodes)
    nodes.push_back(nodeJSON(n));
  return Object{{"nodes", std::move(nodes)}};
}

Value toolDefJSON(const ToolDef &t) {
  Array argv;
  for (const Template &a : t.argv)
    argv.push_back(templateJSON(a));
  Object o{{"name", t.name},
           {"params", paramsJSON(t.params)},
           {"result", typeJSON(t.result)},
           {"impl", toString(t.impl)},
           {"argv", std::move(argv)},
           {"stdin_mode", t.stdinMode},
           {"method", t.method},
           {"url", templateJSON(t.url)},
           {"builtin", t.builtin},
           {"policy", policyJSON(t.policy)},
           {"loc", locJSON(t.loc)}};
  if (t.body)
    o["body"] = templateJSON(*t.body);
  if (!t.env.empty())
    o["env"] = Array(t.env);
  return o;
}

Value recordJSON(const RecordDef &r) {
  Array fields;
  for (const auto &[name, type] : r.fields)
    fields.push_back(Object{{"name", name}, {"type", typeJSON(type)}});
  return Object{{"name", r.name}, {"fields", std::move(fields)}};
}

Value enumJSON(const EnumDef &e) {
  return Object{{"name", e.name}, {"values", stringsJSON(e.values)}};
}

Value appJSON(const App &a) {
  return Object{{"name", a.name},
                {"inputs", paramsJSON(a.inputs)},
                {"result", typeJSON(a.result)},
                {"result_expr", exprJSON(a.resultExpr)},
                {"graph", graphJSON(a.graph)},
                {"loc", locJSON(a.loc)}};
}

// ---------------------------------------------------------------------------
// Deterministic text

/// Keys written first, in this order; all others follow alphabetically.
int keyRank(llvm::StringRef k) {
  static const llvm::StringRef first[] = {"llmflow_ir", "source", "records", "enums", "tools",
                                           "apps",       "id",     "kind",    "name"};
  for (size_t i = 0; i < std::size(first); ++i)
    if (k == first[i])
      return int(i);
  return int(std::size(first));
}

bool keyLess(llvm::StringRef a, llvm::StringRef b) {
  int ra = keyRank(a), rb = keyRank(b);
  return ra != rb ? ra < rb : a < b;
}

} // namespace

Value toJSON(const Module &m) {
  Array records, enums, tools, apps;
  for (const RecordDef &r : m.records)
    records.push_back(recordJSON(r));
  for (const EnumDef &e : m.enums)
    enums.push_back(enumJSON(e));
  for (const ToolDef &t : m.tools)
    tools.push_back(toolDefJSON(t));
  for (const App &a : m.apps)
    apps.push_back(appJSON(a));
  return Object{{"llmflow_ir", int64_t(m.version)},
                {"source", m.source},
                {"records", std::move(records)},
                {"enums", std::move(enums)},
                {"tools", std::move(tools)},
                {"apps", std::move(apps)}};
}

std::string writeJSON(const Module &m, bool pretty) {
  std::string out;
  llvm::raw_string_ostream os(out);
  {
    llvm::json::OStream j(os, pretty ? 2 : 0);
    writeValue(j, toJSON(m), keyLess);
  }
  if (pretty)
    os << '\n';
  os.flush();
  return out;
}

} // namespace llmflow::ir
