// Reading the IR's JSON form (readJSON, readJSONFile), strictly: the version
// must match, every field ir_json.cpp writes must be present with the right
// JSON type, spellings must be known, and unknown fields are rejected. The
// first problem is reported with its JSON path. Semantic checks (ids, deps,
// payloads matching kinds) are left to ir_verify.cpp.
#include "ir/ir_json.h"

#include "common/json_reader.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/MemoryBuffer.h"

#include <climits>

namespace llmflow::ir {

namespace {

using llvm::json::Array;
using llvm::json::Object;
using llvm::json::Value;

/// IR documents nest deeper than replies (expressions, nested bodies); the
/// reader below recurses, so the bounded parser keeps depth at this limit.
constexpr unsigned kMaxJSONDepth = 1000;

llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::make_error<llvm::StringError>(msg.str(), llvm::inconvertibleErrorCode());
}

/// A position in the document, linked to its parent and formatted only when
/// a problem is reported: "apps[0].graph.nodes[3].kind".
struct JPath {
  const JPath *parent = nullptr;
  llvm::StringRef key;
  size_t index = 0;
  bool isIndex = false;

  JPath field(llvm::StringRef k) const {
    JPath p;
    p.parent = this;
    p.key = k;
    return p;
  }
  JPath at(size_t i) const {
    JPath p;
    p.parent = this;
    p.index = i;
    p.isIndex = true;
    return p;
  }
  void print(std::string &out) const {
    if (!parent)
      return;
    parent->print(out);
    if (isIndex) {
      out += "[" + std::to_string(index) + "]";
    } else {
      if (!out.empty())
        out += '.';
      out += key.str();
    }
  }
};

class Reader;

/// The fields of one JSON object: hands out required and optional members
/// and, at the end, rejects members nobody asked for.
class Fields {
public:
  Fields(Reader &r, const Value &v, const JPath &p);
  explicit operator bool() const { return obj != nullptr; }

  const Value *required(llvm::StringRef k);
  const Value *optional(llvm::StringRef k) {
    used.push_back(k);
    return obj->get(k);
  }
  template <typename T> bool req(llvm::StringRef k, T &out);
  /// Absent: out is reset. Present: read as T (a JSON null is a value too).
  template <typename T> bool opt(llvm::StringRef k, std::optional<T> &out);
  /// Fails on a member that was never asked for.
  bool done();
  const JPath &path() const { return p; }

private:
  Reader &r;
  JPath p;
  const Object *obj;
  llvm::SmallVector<llvm::StringRef, 16> used;
};

class Reader {
public:
  std::string error; // the first problem, "path: message"
  /// Classifies record and enum names while reading types.
  const Module *types = nullptr;

  bool fail(const JPath &p, const llvm::Twine &msg) {
    if (error.empty()) {
      std::string where;
      p.print(where);
      error = (where.empty() ? std::string("(root)") : where) + ": " + msg.str();
    }
    return false;
  }

  // Scalars ----------------------------------------------------------------

  bool read(const Value &v, const JPath &p, std::string &out) {
    if (auto s = v.getAsString()) {
      out = s->str();
      return true;
    }
    return fail(p, "expected string");
  }
  bool read(const Value &v, const JPath &p, bool &out) {
    if (auto b = v.getAsBoolean()) {
      out = *b;
      return true;
    }
    return fail(p, "expected boolean");
  }
  bool read(const Value &v, const JPath &p, unsigned &out) {
    auto i = v.getAsInteger();
    if (!i || *i < 0 || *i > int64_t(UINT_MAX))
      return fail(p, "expected non-negative integer");
    out = unsigned(*i);
    return true;
  }
  bool read(const Value &v, const JPath &p, double &out) {
    if (auto d = v.getAsNumber()) {
      out = *d;
      return true;
    }
    return fail(p, "expected number");
  }
  bool read(const Value &v, const JPath &, Value &out) {
    out = v;
    return true;
  }

  template <typename T> bool read(const Value &v, const JPath &p, std::vector<T> &out) {
    const Array *a = v.getAsArray();
    if (!a)
      return fail(p, "expected array");
    out.clear();
    out.resize(a->size());
    for (size_t i = 0; i < a->size(); ++i)
      if (!read((*a)[i], p.at(i), out[i]))
        return false;
    return true;
  }

  // Spellings --------------------------------------------------------------

  template <typename E, unsigned Count> bool readEnum(const Value &v, const JPath &p, E &out) {
    auto s = v.getAsString();
    for (unsigned i = 0; s && i < Count; ++i)
      if (toString(static_cast<E>(i)) == *s) {
        out = static_cast<E>(i);
        return true;
      }
    std::string expected;
    for (unsigned i = 0; i < Count; ++i)
      expected += (i ? ", " : "") + toString(static_cast<E>(i)).str();
    std::string got = s ? ", got '" + s->str() + "'" : std::string();
    return fail(p, "expected one of " + expected + got);
  }
  bool read(const Value &v, const JPath &p, NodeKind &out) {
    return readEnum<NodeKind, 3>(v, p, out);
  }
  bool read(const Value &v, const JPath &p, ExecutorClass &out) {
    return readEnum<ExecutorClass, 3>(v, p, out);
  }
  bool read(const Value &v, const JPath &p, DynamicKind &out) {
    return readEnum<DynamicKind, 5>(v, p, out);
  }
  bool read(const Value &v, const JPath &p, RefRoot &out) {
    return readEnum<RefRoot, 4>(v, p, out);
  }
  bool read(const Value &v, const JPath &p, CachePolicy &out) {
    return readEnum<CachePolicy, 4>(v, p, out);
  }
  bool read(const Value &v, const JPath &p, ToolDef::Impl &out) {
    return readEnum<ToolDef::Impl, 3>(v, p, out);
  }
  bool read(const Value &v, const JPath &p, Expr::Kind &out) {
    return readEnum<Expr::Kind, 7>(v, p, out);
  }

  bool read(const Value &v, const JPath &p, Type &out) {
    auto s = v.getAsString();
    if (!s)
      return fail(p, "expected type string");
    if (std::optional<Type> t = parseType(*s, types)) {
      out = std::move(*t);
      return true;
    }
    if (parseType(*s))
      return fail(p, "type '" + *s + "' names no record or enum of the module");
    return fail(p, "malformed type '" + *s + "'");
  }

  // Structures -------------------------------------------------------------

  bool read(const Value &v, const JPath &p, SourceLoc &out) {
    Fields f(*this, v, p);
    return f && f.req("file", out.file) && f.req("line", out.line) && f.req("col", out.col) &&
           f.done();
  }

  bool read(const Value &v, const JPath &p, Expr &out) {
    Fields f(*this, v, p);
    if (!f || !f.req("kind", out.kind) || !f.req("type", out.type))
      return false;
    bool ok = true;
    switch (out.kind) {
    case Expr::Kind::Literal: {
      const Value *lit = f.required("value");
      ok = lit != nullptr;
      if (ok)
        out.literal = *lit;
      break;
    }
    case Expr::Kind::Ref:
      ok = f.req("root", out.root) && f.req("name", out.name) && f.req("fields", out.fields);
      break;
    case Expr::Kind::Unary:
    case Expr::Kind::Binary:
      ok = f.req("op", out.op) && f.req("args", out.args);
      break;
    case Expr::Kind::List:
      ok = f.req("args", out.args);
      break;
    case Expr::Kind::Record:
      ok = f.req("fields", out.fields) && f.req("args", out.args);
      break;
    case Expr::Kind::Call:
      ok = f.req("name", out.name) && f.req("args", out.args);
      break;
    }
    return ok && f.done();
  }

  /// A yield: an expression or null.
  bool read(const Value &v, const JPath &p, std::optional<Expr> &out) {
    if (v.getAsNull()) {
      out.reset();
      return true;
    }
    Expr e;
    if (!read(v, p, e))
      return false;
    out = std::move(e);
    return true;
  }

  /// A template part: a string of text or an expression object (a hole).
  bool read(const Value &v, const JPath &p, TemplatePart &out) {
    if (auto s = v.getAsString()) {
      out.text = s->str();
      out.hole.reset();
      return true;
    }
    if (!v.getAsObject())
      return fail(p, "expected string or expression object");
    Expr e;
    if (!read(v, p, e))
      return false;
    out.hole = std::move(e);
    return true;
  }

  /// A named argument: {"name": ..., "value": expr}.
  bool read(const Value &v, const JPath &p, std::pair<std::string, Expr> &out) {
    Fields f(*this, v, p);
    return f && f.req("name", out.first) && f.req("value", out.second) && f.done();
  }

  /// A record field: {"name": ..., "type": ...}.
  bool read(const Value &v, const JPath &p, std::pair<std::string, Type> &out) {
    Fields f(*this, v, p);
    return f && f.req("name", out.first) && f.req("type", out.second) && f.done();
  }

  bool read(const Value &v, const JPath &p, Policy &out) {
    Fields f(*this, v, p);
    std::optional<CachePolicy> cache;
    bool ok = f && f.req("timeout_seconds", out.timeoutSeconds) &&
              f.req("timeout_explicit", out.timeoutExplicit) && f.req("attempts", out.attempts) &&
              f.req("backoff_seconds", out.backoffSeconds) &&
              f.req("executor_group", out.executorGroup) && f.opt("cache", cache) && f.done();
    out.cache = cache.value_or(CachePolicy::Default);
    return ok;
  }

  bool read(const Value &v, const JPath &p, ProfilingHook &out) {
    Fields f(*this, v, p);
    return f && f.req("queue_time", out.queueTime) && f.req("start_end", out.startEnd) &&
           f.req("tokens", out.tokens) && f.req("retries", out.retries) &&
           f.req("structure", out.structure) && f.done();
  }

  bool read(const Value &v, const JPath &p, Param &out) {
    Fields f(*this, v, p);
    return f && f.req("name", out.name) && f.req("type", out.type) &&
           f.opt("default", out.defaultValue) && f.done();
  }

  bool read(const Value &v, const JPath &p, LLMPayload &out) {
    Fields f(*this, v, p);
    return f && f.req("model", out.model) && f.req("system", out.system) &&
           f.req("prompt", out.prompt) && f.req("max_tokens", out.maxTokens) &&
           f.req("temperature", out.temperature) && f.opt("output_schema", out.outputSchema) &&
           f.req("is_planner", out.isPlanner) && f.done();
  }

  bool read(const Value &v, const JPath &p, ToolPayload &out) {
    Fields f(*this, v, p);
    return f && f.req("tool", out.tool) && f.req("args", out.args) && f.done();
  }

  bool read(const Value &v, const JPath &p, DynamicPayload &out) {
    Fields f(*this, v, p);
    return f && f.req("kind", out.kind) && f.req("resolved_by", out.resolvedBy) &&
           f.req("max_expansion", out.maxExpansion) && f.req("max_parallel", out.maxParallel) &&
           f.opt("condition", out.condition) && f.opt("init", out.init) &&
           f.opt("list", out.list) && f.req("item_name", out.itemName) &&
           f.req("bodies", out.bodies) && f.req("yields", out.yields) &&
           f.req("allowed_tools", out.allowedTools) && f.req("callee", out.callee) &&
           f.req("args", out.args) && f.done();
  }

  bool read(const Value &v, const JPath &p, Node &out) {
    Fields f(*this, v, p);
    if (!f || !f.req("id", out.id) || !f.req("name", out.name) || !f.req("kind", out.kind) ||
        !f.req("executor", out.executor) || !f.req("loc", out.loc) ||
        !f.req("deps", out.deps) || !f.req("result_type", out.resultType) ||
        !f.req("policy", out.policy) || !f.req("hook", out.hook) || !f.opt("llm", out.llm) ||
        !f.opt("tool", out.tool))
      return false;
    std::optional<DynamicPayload> dyn;
    if (!f.opt("dynamic", dyn))
      return false;
    out.dynamic = dyn ? std::make_shared<DynamicPayload>(std::move(*dyn)) : nullptr;
    return f.done();
  }

  bool read(const Value &v, const JPath &p, Graph &out) {
    Fields f(*this, v, p);
    return f && f.req("nodes", out.nodes) && f.done();
  }

  bool read(const Value &v, const JPath &p, ToolDef &out) {
    Fields f(*this, v, p);
    std::optional<std::vector<std::string>> env;
    bool ok = f && f.req("name", out.name) && f.req("params", out.params) &&
              f.req("result", out.result) && f.req("impl", out.impl) && f.req("argv", out.argv) &&
              f.req("stdin_mode", out.stdinMode) && f.opt("env", env) && f.req("method", out.method) &&
              f.req("url", out.url) && f.opt("body", out.body) && f.req("builtin", out.builtin) &&
              f.req("policy", out.policy) && f.req("loc", out.loc) && f.done();
    out.env = env.value_or(std::vector<std::string>{});
    return ok;
  }

  bool read(const Value &v, const JPath &p, RecordDef &out) {
    Fields f(*this, v, p);
    return f && f.req("name", out.name) && f.req("fields", out.fields) && f.done();
  }

  bool read(const Value &v, const JPath &p, EnumDef &out) {
    Fields f(*this, v, p);
    return f && f.req("name", out.name) && f.req("values", out.values) && f.done();
  }

  bool read(const Value &v, const JPath &p, App &out) {
    Fields f(*this, v, p);
    return f && f.req("name", out.name) && f.req("inputs", out.inputs) &&
           f.req("result", out.result) && f.req("result_expr", out.resultExpr) &&
           f.req("graph", out.graph) && f.req("loc", out.loc) && f.done();
  }
};

Fields::Fields(Reader &r, const Value &v, const JPath &p) : r(r), p(p), obj(v.getAsObject()) {
  if (!obj)
    r.fail(p, "expected object");
}

const Value *Fields::required(llvm::StringRef k) {
  used.push_back(k);
  const Value *v = obj->get(k);
  if (!v)
    r.fail(p.field(k), "missing required field");
  return v;
}

template <typename T> bool Fields::req(llvm::StringRef k, T &out) {
  const Value *v = required(k);
  return v && r.read(*v, p.field(k), out);
}

template <typename T> T blank() { return T(); }
template <> Value blank<Value>() { return nullptr; }

template <typename T> bool Fields::opt(llvm::StringRef k, std::optional<T> &out) {
  const Value *v = optional(k);
  if (!v) {
    out.reset();
    return true;
  }
  T t = blank<T>();
  if (!r.read(*v, p.field(k), t))
    return false;
  out = std::move(t);
  return true;
}

bool Fields::done() {
  std::vector<llvm::StringRef> unknown;
  for (const auto &kv : *obj)
    if (!llvm::is_contained(used, llvm::StringRef(kv.first)))
      unknown.push_back(kv.first);
  if (unknown.empty())
    return true;
  llvm::sort(unknown);
  return r.fail(p.field(unknown.front()), "unknown field");
}

/// The record names of the document, read leniently so that types can be
/// classified before the records themselves are read.
std::vector<RecordDef> recordNames(const Object &top) {
  std::vector<RecordDef> out;
  if (const Array *records = top.getArray("records"))
    for (const Value &r : *records)
      if (const Object *o = r.getAsObject())
        if (auto name = o->getString("name")) {
          out.emplace_back();
          out.back().name = name->str();
        }
  return out;
}

} // namespace

llvm::Expected<Module> readJSON(llvm::StringRef text) {
  JSONLimits limits;
  limits.maxDepth = kMaxJSONDepth;
  llvm::Expected<Value> doc = parseJSON(text, limits);
  if (!doc)
    return makeError("invalid JSON: " + llvm::toString(doc.takeError()));
  const Object *top = doc->getAsObject();
  if (!top)
    return makeError("not an llmflow IR file: expected a JSON object at the top level");

  const Value *version = top->get("llmflow_ir");
  if (!version)
    return makeError("not an llmflow IR file: missing 'llmflow_ir' version field (expected "
                     "version " + llvm::Twine(kVersion) + ")");
  auto found = version->getAsInteger();
  if (!found)
    return makeError("llmflow_ir: expected integer version (this reader reads version " +
                     llvm::Twine(kVersion) + ")");
  if (*found != kVersion)
    return makeError("unsupported llmflow_ir version " + llvm::Twine(*found) +
                     " (this reader reads version " + llvm::Twine(kVersion) + ")");

  Module m;
  m.version = kVersion;
  Reader r;
  JPath root;
  Fields f(r, *doc, root);
  f.optional("llmflow_ir");
  Module shapes; // names only, for classifying types
  bool ok = f.req("source", m.source) && f.req("enums", m.enums);
  if (ok) {
    shapes.enums = m.enums;
    shapes.records = recordNames(*top);
    r.types = &shapes;
    ok = f.req("records", m.records) && f.req("tools", m.tools) && f.req("apps", m.apps) &&
         f.done();
  }
  if (!ok)
    return makeError(r.error);
  return m;
}

llvm::Expected<Module> readJSONFile(llvm::StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buf =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buf)
    return makeError("cannot read '" + path + "': " + buf.getError().message());
  llvm::Expected<Module> m = readJSON((*buf)->getBuffer());
  if (!m)
    return makeError(path + ": " + llvm::toString(m.takeError()));
  return m;
}

} // namespace llmflow::ir
