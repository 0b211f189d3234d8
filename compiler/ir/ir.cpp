// The IR data model's small helpers: type spelling and parsing, enum
// spellings, module table lookups and JSON schemas of types. Serialisation
// (ir_json.cpp), checking (ir_verify.cpp) and pictures (ir_dot.cpp) live
// elsewhere.
#include "ir/ir.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

namespace llmflow::ir {

// ---------------------------------------------------------------------------
// Types

std::string Type::str() const {
  switch (kind) {
  case Kind::String: return "string";
  case Kind::Int: return "int";
  case Kind::Float: return "float";
  case Kind::Bool: return "bool";
  case Kind::Json: return "json";
  case Kind::None: return "none";
  case Kind::List:
    return "list<" + (elem.empty() ? std::string("json") : elem.front().str()) + ">";
  case Kind::Optional:
    return "optional<" + (elem.empty() ? std::string("json") : elem.front().str()) + ">";
  case Kind::Record:
  case Kind::Enum:
    return name;
  }
  llvm_unreachable("bad Type::Kind");
}

namespace {

/// Recursive-descent parser over the canonical spelling. Names are
/// identifiers separated by dots (imported types: "alias.Name").
class TypeParser {
public:
  TypeParser(llvm::StringRef text, const Module *m) : rest(text), module(m) {}

  std::optional<Type> parseAll() {
    std::optional<Type> t = parse(0);
    if (!t || !rest.empty())
      return std::nullopt;
    return t;
  }

private:
  static constexpr unsigned kMaxDepth = 64;

  static bool isIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  static bool isIdentChar(char c) { return isIdentStart(c) || (c >= '0' && c <= '9'); }

  /// A dotted name, or empty when the text does not start with one.
  llvm::StringRef name() {
    size_t i = 0;
    while (true) {
      if (i >= rest.size() || !isIdentStart(rest[i]))
        return {};
      while (i < rest.size() && isIdentChar(rest[i]))
        ++i;
      if (i + 1 < rest.size() && rest[i] == '.' && isIdentStart(rest[i + 1])) {
        ++i;
        continue;
      }
      break;
    }
    llvm::StringRef n = rest.take_front(i);
    rest = rest.drop_front(i);
    return n;
  }

  std::optional<Type> parse(unsigned depth) {
    if (depth > kMaxDepth)
      return std::nullopt;
    llvm::StringRef n = name();
    if (n.empty())
      return std::nullopt;
    if (n == "list" || n == "optional") {
      if (!rest.consume_front("<"))
        return std::nullopt;
      std::optional<Type> e = parse(depth + 1);
      if (!e || !rest.consume_front(">"))
        return std::nullopt;
      return n == "list" ? Type::list(std::move(*e)) : Type::optional(std::move(*e));
    }
    static const std::pair<llvm::StringRef, Type::Kind> prims[] = {
        {"string", Type::Kind::String}, {"int", Type::Kind::Int},
        {"float", Type::Kind::Float},   {"bool", Type::Kind::Bool},
        {"json", Type::Kind::Json},     {"none", Type::Kind::None}};
    for (const auto &[spelling, k] : prims)
      if (n == spelling)
        return Type::prim(k);
    if (!module)
      return Type::named(Type::Kind::Record, n.str());
    if (module->findEnum(n))
      return Type::named(Type::Kind::Enum, n.str());
    if (module->findRecord(n))
      return Type::named(Type::Kind::Record, n.str());
    return std::nullopt;
  }

  llvm::StringRef rest;
  const Module *module;
};

} // namespace

std::optional<Type> parseType(llvm::StringRef text) { return parseType(text, nullptr); }

std::optional<Type> parseType(llvm::StringRef text, const Module *m) {
  return TypeParser(text, m).parseAll();
}

// ---------------------------------------------------------------------------
// Enum spellings

llvm::StringRef toString(NodeKind k) {
  switch (k) {
  case NodeKind::Regular: return "regular";
  case NodeKind::LLM: return "llm";
  case NodeKind::Dynamic: return "dynamic";
  }
  llvm_unreachable("bad NodeKind");
}

llvm::StringRef toString(ExecutorClass k) {
  switch (k) {
  case ExecutorClass::None: return "none";
  case ExecutorClass::Regular: return "regular";
  case ExecutorClass::LLM: return "llm";
  }
  llvm_unreachable("bad ExecutorClass");
}

llvm::StringRef toString(DynamicKind k) {
  switch (k) {
  case DynamicKind::Planner: return "planner";
  case DynamicKind::Loop: return "loop";
  case DynamicKind::Branch: return "branch";
  case DynamicKind::Map: return "map";
  case DynamicKind::Call: return "call";
  }
  llvm_unreachable("bad DynamicKind");
}

llvm::StringRef toString(RefRoot k) {
  switch (k) {
  case RefRoot::Input: return "input";
  case RefRoot::Node: return "node";
  case RefRoot::LoopState: return "loop_state";
  case RefRoot::MapItem: return "map_item";
  }
  llvm_unreachable("bad RefRoot");
}

llvm::StringRef toString(CachePolicy c) {
  switch (c) {
  case CachePolicy::Default: return "default";
  case CachePolicy::Off: return "off";
  case CachePolicy::On: return "on";
  case CachePolicy::Always: return "always";
  }
  llvm_unreachable("cache policy");
}

llvm::StringRef toString(ToolDef::Impl k) {
  switch (k) {
  case ToolDef::Impl::Exec: return "exec";
  case ToolDef::Impl::Http: return "http";
  case ToolDef::Impl::Builtin: return "builtin";
  }
  llvm_unreachable("bad ToolDef::Impl");
}

llvm::StringRef toString(Expr::Kind k) {
  switch (k) {
  case Expr::Kind::Literal: return "literal";
  case Expr::Kind::Ref: return "ref";
  case Expr::Kind::Unary: return "unary";
  case Expr::Kind::Binary: return "binary";
  case Expr::Kind::List: return "list";
  case Expr::Kind::Record: return "record";
  case Expr::Kind::Call: return "call";
  }
  llvm_unreachable("bad Expr::Kind");
}

namespace {
/// Finds the enumerator of E (values 0..Count-1) whose spelling is s.
template <typename E, unsigned Count> std::optional<E> parseEnum(llvm::StringRef s) {
  for (unsigned i = 0; i < Count; ++i)
    if (toString(static_cast<E>(i)) == s)
      return static_cast<E>(i);
  return std::nullopt;
}
} // namespace

std::optional<NodeKind> parseNodeKind(llvm::StringRef s) { return parseEnum<NodeKind, 3>(s); }
std::optional<ExecutorClass> parseExecutorClass(llvm::StringRef s) {
  return parseEnum<ExecutorClass, 3>(s);
}
std::optional<DynamicKind> parseDynamicKind(llvm::StringRef s) {
  return parseEnum<DynamicKind, 5>(s);
}
std::optional<RefRoot> parseRefRoot(llvm::StringRef s) { return parseEnum<RefRoot, 4>(s); }
std::optional<ToolDef::Impl> parseToolImpl(llvm::StringRef s) {
  return parseEnum<ToolDef::Impl, 3>(s);
}
std::optional<Expr::Kind> parseExprKind(llvm::StringRef s) {
  return parseEnum<Expr::Kind, 7>(s);
}

// ---------------------------------------------------------------------------
// Module lookups

namespace {
template <typename T> const T *findByName(const std::vector<T> &v, llvm::StringRef name) {
  auto it = llvm::find_if(v, [&](const T &x) { return x.name == name; });
  return it == v.end() ? nullptr : &*it;
}
} // namespace

const App *Module::findApp(llvm::StringRef name) const { return findByName(apps, name); }
const ToolDef *Module::findTool(llvm::StringRef name) const { return findByName(tools, name); }
const RecordDef *Module::findRecord(llvm::StringRef name) const {
  return findByName(records, name);
}
const EnumDef *Module::findEnum(llvm::StringRef name) const { return findByName(enums, name); }

// ---------------------------------------------------------------------------
// JSON schemas

namespace {

/// Records currently being inlined; a record reached again through itself
/// becomes {} (any value) instead of recursing forever.
llvm::json::Value schemaOf(const Type &t, const Module &m, llvm::StringSet<> &open) {
  using llvm::json::Array;
  using llvm::json::Object;
  switch (t.kind) {
  case Type::Kind::String: return Object{{"type", "string"}};
  case Type::Kind::Int: return Object{{"type", "integer"}};
  case Type::Kind::Float: return Object{{"type", "number"}};
  case Type::Kind::Bool: return Object{{"type", "boolean"}};
  case Type::Kind::Json: return Object{};
  case Type::Kind::None: return Object{{"type", "null"}};
  case Type::Kind::List: {
    llvm::json::Value items =
        t.elem.empty() ? llvm::json::Value(Object{}) : schemaOf(t.elem.front(), m, open);
    return Object{{"type", "array"}, {"items", std::move(items)}};
  }
  case Type::Kind::Optional: {
    llvm::json::Value inner =
        t.elem.empty() ? llvm::json::Value(Object{}) : schemaOf(t.elem.front(), m, open);
    return Object{{"anyOf", Array{std::move(inner), Object{{"type", "null"}}}}};
  }
  case Type::Kind::Enum: {
    Array values;
    if (const EnumDef *e = m.findEnum(t.name))
      for (const std::string &v : e->values)
        values.push_back(v);
    return Object{{"type", "string"}, {"enum", std::move(values)}};
  }
  case Type::Kind::Record: {
    const RecordDef *r = m.findRecord(t.name);
    if (!r || !open.insert(t.name).second)
      return Object{};
    Object props;
    Array required;
    for (const auto &[field, ft] : r->fields) {
      props[field] = schemaOf(ft, m, open);
      required.push_back(field);
    }
    open.erase(t.name);
    return Object{{"type", "object"},
                  {"properties", std::move(props)},
                  {"required", std::move(required)},
                  {"additionalProperties", false}};
  }
  }
  llvm_unreachable("bad Type::Kind");
}

} // namespace

llvm::json::Value jsonSchema(const Type &t, const Module &m) {
  llvm::StringSet<> open;
  return schemaOf(t, m, open);
}

} // namespace llmflow::ir
