// The DAG IR: what the compiler produces and the runtime, profiler, Bayesian
// network and scheduler consume. Plain data addressed by stable string ids;
// no front-end types appear here, so a compiled IR file runs without the
// compiler. Serialisation is ir_json.h, checking is ir_verify.h, pictures are
// ir_dot.h. The JSON form is documented in docs/ir-schema.md.
#pragma once

#include "llvm/Support/JSON.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llmflow::ir {

/// Bumped whenever the JSON form changes incompatibly.
inline constexpr int kVersion = 1;

struct SourceLoc {
  std::string file;
  unsigned line = 0;
  unsigned col = 0;
};

/// A value type. Records and enums are referenced by name and defined in the
/// module's tables.
struct Type {
  enum class Kind { String, Int, Float, Bool, Json, None, List, Optional, Record, Enum };
  Kind kind = Kind::Json;
  std::string name;              // Record / Enum
  std::vector<Type> elem;        // List / Optional: exactly one element

  static Type prim(Kind k) { Type t; t.kind = k; return t; }
  static Type list(Type e) { Type t; t.kind = Kind::List; t.elem.push_back(std::move(e)); return t; }
  static Type optional(Type e) { Type t; t.kind = Kind::Optional; t.elem.push_back(std::move(e)); return t; }
  static Type named(Kind k, std::string n) { Type t; t.kind = k; t.name = std::move(n); return t; }

  /// Canonical spelling: string, list<Code>, optional<int>, ...
  std::string str() const;
  bool operator==(const Type &o) const { return kind == o.kind && name == o.name && elem == o.elem; }
};
/// Parses the canonical spelling back; nullopt on malformed text.
std::optional<Type> parseType(llvm::StringRef text);

/// Where a reference's root value comes from at run time.
enum class RefRoot {
  Input,     // an application input, by name
  Node,      // the result of a node, by node id
  LoopState, // inside a loop body: the previous iteration's value (or init)
  MapItem,   // inside a map body: the current element
};

/// Expressions: conditions, tool arguments, yields, results, template holes.
struct Expr {
  enum class Kind { Literal, Ref, Unary, Binary, List, Record, Call };
  Kind kind = Kind::Literal;
  llvm::json::Value literal = nullptr;   // Literal
  RefRoot root = RefRoot::Input;         // Ref
  std::string name;                      // Ref: input name / node id / loop or map name; Call: function
  std::vector<std::string> fields;       // Ref: field path; Record: field names (parallel to args)
  std::string op;                        // Unary: ! -   Binary: + - * / % == != < <= > >= && ||
  std::vector<Expr> args;                // operands, list elements, record values, call arguments
  Type type;                             // static type as checked by the compiler
};

/// A prompt or argument template: literal text interleaved with references.
struct TemplatePart {
  std::string text;          // used when !hole
  std::optional<Expr> hole;  // a {{reference}}
};
using Template = std::vector<TemplatePart>;

/// Whether the call cache (--cache) may answer a node: Default follows the
/// model's configuration, then the run's rule (calls at temperature 0 and
/// tool calls); Always caches even sampled (temperature > 0) LLM calls.
enum class CachePolicy { Default, Off, On, Always };

struct Policy {
  double timeoutSeconds = 60;
  bool timeoutExplicit = false;  // false: the default was applied
  unsigned attempts = 1;         // 1 = no retry
  double backoffSeconds = 1;     // first retry delay; doubles with jitter
  std::string executorGroup = "default";
  CachePolicy cache = CachePolicy::Default;
};

/// What the runtime records for a node (the profiler and the BN read it).
struct ProfilingHook {
  bool queueTime = true;
  bool startEnd = true;
  bool tokens = false;      // LLM nodes
  bool retries = true;
  /// For Dynamic nodes: "expansion_size" (planner, map), "branch",
  /// "iterations" (loop), "none" otherwise.
  std::string structure = "none";
};

enum class NodeKind { Regular, LLM, Dynamic };
enum class ExecutorClass { None, Regular, LLM };
enum class DynamicKind { Planner, Loop, Branch, Map, Call };

struct Graph;

struct LLMPayload {
  std::string model;
  Template system;
  Template prompt;
  unsigned maxTokens = 512;
  double temperature = 0.7;
  /// Set when the stage declares a structured output type: the JSON schema
  /// sent as response_format and used to validate the reply.
  std::optional<llvm::json::Value> outputSchema;
  /// True for the LLM half of a planner: its reply is a plan.
  bool isPlanner = false;
};

struct ToolPayload {
  std::string tool;                                   // ToolDef name
  std::vector<std::pair<std::string, Expr>> args;     // by parameter name
};

struct DynamicPayload {
  DynamicKind kind = DynamicKind::Loop;
  /// Nodes whose results decide the expansion (planner: its LLM node; branch
  /// and map: the nodes their condition / list read; loop: the body nodes its
  /// until-condition reads, by body id).
  std::vector<std::string> resolvedBy;
  /// Bound on the expansion: loop iterations, planner steps, map items
  /// (0 = unbounded, only allowed for map).
  unsigned maxExpansion = 0;
  /// Parallelism cap: planner max parallel steps, map concurrency (0 = none).
  unsigned maxParallel = 0;
  std::optional<Expr> condition;      // branch: if; loop: until
  std::optional<Expr> init;           // loop: initial state
  std::optional<Expr> list;           // map: the list to fan out over
  std::string itemName;               // map: item variable
  std::vector<Graph> bodies;          // template sub-graphs (branch: then, else)
  std::vector<std::optional<Expr>> yields; // one per body: the body's value
  std::vector<std::string> allowedTools;   // planner: tool or app names
  std::string callee;                 // call: application name
  std::vector<std::pair<std::string, Expr>> args; // call: arguments
};

struct Node {
  std::string id;       // stable: "app/stage", nested "app/loop/stage"
  std::string name;     // the stage's name in the source
  NodeKind kind = NodeKind::Regular;
  ExecutorClass executor = ExecutorClass::Regular;
  SourceLoc loc;
  /// Ids of nodes in the same graph that must finish first (data or `after`).
  /// References to nodes of enclosing graphs appear as deps of the enclosing
  /// Dynamic node instead.
  std::vector<std::string> deps;
  Type resultType;
  Policy policy;
  ProfilingHook hook;
  std::optional<LLMPayload> llm;
  std::optional<ToolPayload> tool;
  std::shared_ptr<DynamicPayload> dynamic; // shared: Graph is incomplete here
};

/// Nodes in a topological order (every dep appears earlier).
struct Graph {
  std::vector<Node> nodes;
};

struct Param {
  std::string name;
  Type type;
  std::optional<llvm::json::Value> defaultValue;
};

struct ToolDef {
  enum class Impl { Exec, Http, Builtin };
  std::string name;      // qualified for imports: "http.get"
  std::vector<Param> params;
  Type result;
  Impl impl = Impl::Exec;
  std::vector<Template> argv;   // Exec: argv, each element a template over params
  std::string stdinMode = "json"; // Exec: "json" (params object), "none", or a param name
  std::vector<std::string> env;  // Exec: variables passed on besides PATH, HOME, LANG, LC_ALL, TZ
  std::string method;           // Http
  Template url;                 // Http
  std::optional<Template> body; // Http
  std::string builtin;          // Builtin: runtime builtin name, e.g. "json.get"
  Policy policy;
  SourceLoc loc;
};

struct RecordDef {
  std::string name;
  std::vector<std::pair<std::string, Type>> fields;
};

struct EnumDef {
  std::string name;
  std::vector<std::string> values;
};

struct App {
  std::string name;
  std::vector<Param> inputs;
  Type result;
  Expr resultExpr;
  Graph graph;
  SourceLoc loc;
};

struct Module {
  int version = kVersion;
  std::string source;   // main file path as given to the compiler
  std::vector<RecordDef> records;
  std::vector<EnumDef> enums;
  std::vector<ToolDef> tools;
  std::vector<App> apps;

  const App *findApp(llvm::StringRef name) const;
  const ToolDef *findTool(llvm::StringRef name) const;
  const RecordDef *findRecord(llvm::StringRef name) const;
  const EnumDef *findEnum(llvm::StringRef name) const;
};

/// Like parseType(text), but classifies names with the module's tables: an
/// enum name gives an Enum type, a record name a Record type. With m null
/// every name is a Record; with m set, a name in neither table gives nullopt.
std::optional<Type> parseType(llvm::StringRef text, const Module *m);

/// Lowercase spellings used in the JSON form and in messages.
llvm::StringRef toString(NodeKind k);
llvm::StringRef toString(ExecutorClass k);
llvm::StringRef toString(DynamicKind k);
llvm::StringRef toString(RefRoot k);
llvm::StringRef toString(ToolDef::Impl k);
llvm::StringRef toString(Expr::Kind k);
llvm::StringRef toString(CachePolicy c);

/// Inverses of toString; nullopt on an unknown spelling.
std::optional<NodeKind> parseNodeKind(llvm::StringRef s);
std::optional<ExecutorClass> parseExecutorClass(llvm::StringRef s);
std::optional<DynamicKind> parseDynamicKind(llvm::StringRef s);
std::optional<RefRoot> parseRefRoot(llvm::StringRef s);
std::optional<ToolDef::Impl> parseToolImpl(llvm::StringRef s);
std::optional<Expr::Kind> parseExprKind(llvm::StringRef s);

/// The JSON schema of a type, with record and enum definitions inlined;
/// used for LLM structured outputs.
llvm::json::Value jsonSchema(const Type &t, const Module &m);

/// Visits every node of a graph and of all nested bodies, parents first.
template <typename F> void forEachNode(const Graph &g, F &&f) {
  for (const Node &n : g.nodes) {
    f(n);
    if (n.dynamic)
      for (const Graph &b : n.dynamic->bodies)
        forEachNode(b, f);
  }
}

} // namespace llmflow::ir
