// Writing the IR as JSON (writeJSON). Reading is ir_json_read.cpp.
// Every field of ir.h is written; optional values are omitted when absent so
// that presence alone carries the information (a parameter default can be a
// JSON null). Expressions write only the fields their kind uses.
#include "ir/ir_json.h"
#include "ir/json_text.h"

#include "llvm/Support/raw_ostream.h"


namespace llmflow::ir {

namespace {

using llvm::json::OStream;
using llvm::json::Value;

// The IR is written field by field into a JSON stream, never built as one
// llvm::json::Value tree first: a large program's tree took several times
// the memory of its text. Each object writes its keys in the order keyLess
// gives (the fixed keys first, the others alphabetically); values that are
// JSON already (literals, defaults, schemas) go through writeValue with the
// same order, so the text is what sorting a whole tree would give.

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

void json(OStream &j, const Value &v) { writeValue(j, v, keyLess); }

/// A double as every JSON value is written: integral ones without a
/// fraction, the rest in their shortest spelling.
void number(OStream &j, llvm::StringRef key, double d) {
  j.attributeBegin(key);
  json(j, Value(d));
  j.attributeEnd();
}

/// The array under `key`, each element written by `write`.
template <typename T> void arrayOf(OStream &j, llvm::StringRef key, const std::vector<T> &xs,
                                   void (*write)(OStream &, const T &)) {
  j.attributeArray(key, [&] {
    for (const T &x : xs)
      write(j, x);
  });
}

void type(OStream &j, const Type &t) { j.attribute("type", t.str()); }

void loc(OStream &j, const SourceLoc &l) {
  j.attributeObject("loc", [&] {
    j.attribute("col", int64_t(l.col));
    j.attribute("file", l.file);
    j.attribute("line", int64_t(l.line));
  });
}

void strings(OStream &j, llvm::StringRef key, const std::vector<std::string> &ss) {
  j.attributeArray(key, [&] {
    for (const std::string &s : ss)
      j.value(s);
  });
}

void expr(OStream &j, const Expr &e);

void exprs(OStream &j, const std::vector<Expr> &es) {
  j.attributeArray("args", [&] {
    for (const Expr &e : es)
      expr(j, e);
  });
}

void expr(OStream &j, const Expr &e) {
  j.object([&] {
    j.attribute("kind", toString(e.kind));
    switch (e.kind) {
    case Expr::Kind::Literal:
      type(j, e.type);
      j.attributeBegin("value");
      json(j, e.literal);
      j.attributeEnd();
      break;
    case Expr::Kind::Ref:
      j.attribute("name", e.name);
      strings(j, "fields", e.fields);
      j.attribute("root", toString(e.root));
      type(j, e.type);
      break;
    case Expr::Kind::Unary:
    case Expr::Kind::Binary:
      exprs(j, e.args);
      j.attribute("op", e.op);
      type(j, e.type);
      break;
    case Expr::Kind::List:
      exprs(j, e.args);
      type(j, e.type);
      break;
    case Expr::Kind::Record:
      exprs(j, e.args);
      strings(j, "fields", e.fields);
      type(j, e.type);
      break;
    case Expr::Kind::Call:
      j.attribute("name", e.name);
      exprs(j, e.args);
      type(j, e.type);
      break;
    }
  });
}

void optionalExpr(OStream &j, llvm::StringRef key, const std::optional<Expr> &e) {
  if (!e)
    return;
  j.attributeBegin(key);
  expr(j, *e);
  j.attributeEnd();
}

/// Text parts are strings, holes are expression objects.
void templ(OStream &j, const Template &t) {
  j.array([&] {
    for (const TemplatePart &p : t)
      if (p.hole)
        expr(j, *p.hole);
      else
        j.value(p.text);
  });
}

void templ(OStream &j, llvm::StringRef key, const Template &t) {
  j.attributeBegin(key);
  templ(j, t);
  j.attributeEnd();
}

void args(OStream &j, const std::vector<std::pair<std::string, Expr>> &as) {
  j.attributeArray("args", [&] {
    for (const auto &arg : as)
      j.object([&] {
        j.attribute("name", arg.first);
        j.attributeBegin("value");
        expr(j, arg.second);
        j.attributeEnd();
      });
  });
}

void policy(OStream &j, const Policy &p) {
  j.attributeObject("policy", [&] {
    j.attribute("attempts", int64_t(p.attempts));
    number(j, "backoff_seconds", p.backoffSeconds);
    if (p.cache != CachePolicy::Default) // absent by default, so IR without it is unchanged
      j.attribute("cache", toString(p.cache));
    j.attribute("executor_group", p.executorGroup);
    j.attribute("timeout_explicit", p.timeoutExplicit);
    number(j, "timeout_seconds", p.timeoutSeconds);
  });
}

void hook(OStream &j, const ProfilingHook &h) {
  j.attributeObject("hook", [&] {
    j.attribute("queue_time", h.queueTime);
    j.attribute("retries", h.retries);
    j.attribute("start_end", h.startEnd);
    j.attribute("structure", h.structure);
    j.attribute("tokens", h.tokens);
  });
}

void params(OStream &j, llvm::StringRef key, const std::vector<Param> &ps) {
  j.attributeArray(key, [&] {
    for (const Param &p : ps)
      j.object([&] {
        j.attribute("name", p.name);
        if (p.defaultValue) {
          j.attributeBegin("default");
          json(j, *p.defaultValue);
          j.attributeEnd();
        }
        type(j, p.type);
      });
  });
}

void graph(OStream &j, const Graph &g);

void llm(OStream &j, const LLMPayload &l) {
  j.attributeObject("llm", [&] {
    j.attribute("is_planner", l.isPlanner);
    j.attribute("max_tokens", int64_t(l.maxTokens));
    j.attribute("model", l.model);
    if (l.outputSchema) {
      j.attributeBegin("output_schema");
      json(j, *l.outputSchema);
      j.attributeEnd();
    }
    templ(j, "prompt", l.prompt);
    templ(j, "system", l.system);
    number(j, "temperature", l.temperature);
  });
}

void toolPayload(OStream &j, const ToolPayload &t) {
  j.attributeObject("tool", [&] {
    args(j, t.args);
    j.attribute("tool", t.tool);
  });
}

void dynamic(OStream &j, const DynamicPayload &d) {
  j.attributeObject("dynamic", [&] {
    j.attribute("kind", toString(d.kind));
    strings(j, "allowed_tools", d.allowedTools);
    args(j, d.args);
    arrayOf(j, "bodies", d.bodies, graph);
    j.attribute("callee", d.callee);
    optionalExpr(j, "condition", d.condition);
    optionalExpr(j, "init", d.init);
    j.attribute("item_name", d.itemName);
    optionalExpr(j, "list", d.list);
    j.attribute("max_expansion", int64_t(d.maxExpansion));
    j.attribute("max_parallel", int64_t(d.maxParallel));
    strings(j, "resolved_by", d.resolvedBy);
    j.attributeArray("yields", [&] {
      for (const std::optional<Expr> &y : d.yields)
        if (y)
          expr(j, *y);
        else
          j.value(nullptr);
    });
  });
}

void node(OStream &j, const Node &n) {
  j.object([&] {
    j.attribute("id", n.id);
    j.attribute("kind", toString(n.kind));
    j.attribute("name", n.name);
    strings(j, "deps", n.deps);
    if (n.dynamic)
      dynamic(j, *n.dynamic);
    j.attribute("executor", toString(n.executor));
    hook(j, n.hook);
    if (n.llm)
      llm(j, *n.llm);
    loc(j, n.loc);
    policy(j, n.policy);
    j.attribute("result_type", n.resultType.str());
    if (n.tool)
      toolPayload(j, *n.tool);
  });
}

void graph(OStream &j, const Graph &g) {
  j.object([&] {
    arrayOf(j, "nodes", g.nodes, node);
  });
}

void toolDef(OStream &j, const ToolDef &t) {
  j.object([&] {
    j.attribute("name", t.name);
    j.attributeArray("argv", [&] {
      for (const Template &a : t.argv)
        templ(j, a);
    });
    if (t.body)
      templ(j, "body", *t.body);
    j.attribute("builtin", t.builtin);
    if (!t.env.empty())
      strings(j, "env", t.env);
    j.attribute("impl", toString(t.impl));
    loc(j, t.loc);
    j.attribute("method", t.method);
    params(j, "params", t.params);
    policy(j, t.policy);
    j.attribute("result", t.result.str());
    j.attribute("stdin_mode", t.stdinMode);
    templ(j, "url", t.url);
  });
}

void record(OStream &j, const RecordDef &r) {
  j.object([&] {
    j.attribute("name", r.name);
    j.attributeArray("fields", [&] {
      for (const auto &field : r.fields) // no structured binding: clang 14 cannot capture one
        j.object([&] {
          j.attribute("name", field.first);
          type(j, field.second);
        });
    });
  });
}

void enumDef(OStream &j, const EnumDef &e) {
  j.object([&] {
    j.attribute("name", e.name);
    strings(j, "values", e.values);
  });
}

void app(OStream &j, const App &a) {
  j.object([&] {
    j.attribute("name", a.name);
    j.attributeBegin("graph");
    graph(j, a.graph);
    j.attributeEnd();
    params(j, "inputs", a.inputs);
    loc(j, a.loc);
    j.attribute("result", a.result.str());
    j.attributeBegin("result_expr");
    expr(j, a.resultExpr);
    j.attributeEnd();
  });
}

} // namespace

void writeJSON(llvm::raw_ostream &os, const Module &m, bool pretty) {
  {
    OStream j(os, pretty ? 2 : 0);
    j.object([&] {
      j.attribute("llmflow_ir", int64_t(m.version));
      j.attribute("source", m.source);
      arrayOf(j, "records", m.records, record);
      arrayOf(j, "enums", m.enums, enumDef);
      arrayOf(j, "tools", m.tools, toolDef);
      arrayOf(j, "apps", m.apps, app);
    });
  }
  if (pretty)
    os << '\n';
}

std::string writeJSON(const Module &m, bool pretty) {
  std::string out;
  llvm::raw_string_ostream os(out);
  // Buffered: unbuffered (the default for a string stream) the writer's
  // character-at-a-time output went through a virtual call each.
  os.SetBuffered();
  writeJSON(os, m, pretty);
  os.flush();
  return out;
}

} // namespace llmflow::ir
