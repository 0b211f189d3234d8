// The IR verifier (ir_verify.h). One pass over the module that collects
// every problem it finds. Graph structure: ids unique module-wide and shaped
// like their place ("app/..." at the top, "<dynamic id>/..." in bodies), deps
// in the same graph and earlier. References: a node reference must name a
// node that has finished when the expression is evaluated, i.e. a transitive
// dep of the evaluating node in its own graph, or a transitive dep of the
// Dynamic node enclosing it in an outer graph; a loop's until-condition and
// the yields additionally see their whole body.
#include "ir/ir_verify.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>
#include <memory>

namespace llmflow::ir {

namespace {

/// Per-graph facts: where each id sits, and which earlier nodes each node
/// transitively depends on.
struct GraphInfo {
  const Graph *graph = nullptr;
  llvm::StringMap<unsigned> index;
  std::vector<llvm::BitVector> closure; // closure[i][j]: node j is a transitive dep of i
};

/// A graph being verified, inside the bodies that enclose it.
struct Scope {
  const Scope *parent = nullptr;
  const GraphInfo *info = nullptr;
  const Node *owner = nullptr; // the Dynamic node whose body this is
  unsigned ownerIndex = 0;     // its position in the parent graph
};

/// Where an expression is evaluated.
struct Ctx {
  const App *app = nullptr;
  const Scope *scope = nullptr;
  /// The evaluating node's position in scope's graph; -1: after the whole
  /// graph has run (an application's result).
  int anchor = -1;
  /// A body whose nodes are all finished (a loop's until / a yield).
  const GraphInfo *body = nullptr;
  /// The Dynamic node owning `body`.
  const Node *bodyOwner = nullptr;
};

bool isUnaryOp(llvm::StringRef op) { return op == "!" || op == "-"; }
bool isBinaryOp(llvm::StringRef op) {
  static const llvm::StringRef ops[] = {"+",  "-", "*",  "/",  "%",  "==", "!=",
                                        "<",  "<=", ">", ">=", "&&", "||", "??"};
  return llvm::is_contained(ops, op);
}

llvm::StringRef expectedStructure(const Node &n) {
  if (n.kind != NodeKind::Dynamic || !n.dynamic)
    return "none";
  switch (n.dynamic->kind) {
  case DynamicKind::Planner:
  case DynamicKind::Map: return "expansion_size";
  case DynamicKind::Branch: return "branch";
  case DynamicKind::Loop: return "iterations";
  case DynamicKind::Call: return "none";
  }
  llvm_unreachable("bad DynamicKind");
}

class Verifier {
public:
  explicit Verifier(const Module &m) : m(m) {}

  llvm::Error run() {
    if (m.version != kVersion)
      problem("module", "version " + llvm::Twine(m.version) + " is not the supported version " +
                            llvm::Twine(kVersion));
    for (const App &a : m.apps)
      forEachNode(a.graph, [&](const Node &n) { allIds.insert(n.id); });
    checkTypeTables();
    checkTools();
    checkApps();
    if (problems.empty())
      return llvm::Error::success();
    std::string text;
    for (size_t i = 0; i < problems.size(); ++i)
      text += (i ? "\n" : "") + problems[i];
    if (total > problems.size())
      text += "\n... and " + std::to_string(total - problems.size()) + " more problems";
    return llvm::make_error<llvm::StringError>(text, llvm::inconvertibleErrorCode());
  }

private:
  const Module &m;
  std::vector<std::string> problems;
  size_t total = 0;
  llvm::StringMap<std::string> nodeOwner; // node id -> app name, for uniqueness
  llvm::StringSet<> allIds;               // every node id of the module

  void problem(const llvm::Twine &subject, const llvm::Twine &msg) {
    ++total;
    if (problems.size() < kMaxVerifyProblems)
      problems.push_back((subject + ": " + msg).str());
  }
  static std::string nodeSubject(const Node &n) { return "node '" + n.id + "'"; }

  // Types ------------------------------------------------------------------

  void checkType(const Type &t, const llvm::Twine &subject, const llvm::Twine &what) {
    switch (t.kind) {
    case Type::Kind::List:
    case Type::Kind::Optional:
      if (t.elem.size() != 1) {
        problem(subject, what + ": " + (t.kind == Type::Kind::List ? "list" : "optional") +
                             " type must have exactly one element type");
        return;
      }
      checkType(t.elem.front(), subject, what);
      return;
    case Type::Kind::Record:
      if (!m.findRecord(t.name))
        problem(subject, what + ": type names unknown record '" + t.name + "'");
      return;
    case Type::Kind::Enum:
      if (!m.findEnum(t.name))
        problem(subject, what + ": type names unknown enum '" + t.name + "'");
      return;
    default:
      return;
    }
  }

  void checkTypeTables() {
    llvm::StringSet<> names;
    for (const RecordDef &r : m.records) {
      std::string subject = "record '" + r.name + "'";
      if (r.name.empty())
        problem(subject, "record has no name");
      if (!names.insert(r.name).second)
        problem(subject, "duplicate record or enum name");
      llvm::StringSet<> fields;
      for (const auto &[field, type] : r.fields) {
        if (!fields.insert(field).second)
          problem(subject, "duplicate field '" + field + "'");
        checkType(type, subject, "field '" + field + "'");
      }
    }
    for (const EnumDef &e : m.enums) {
      std::string subject = "enum '" + e.name + "'";
      if (e.name.empty())
        problem(subject, "enum has no name");
      if (!names.insert(e.name).second)
        problem(subject, "duplicate record or enum name");
      if (e.values.empty())
        problem(subject, "enum has no values");
      llvm::StringSet<> values;
      for (const std::string &v : e.values)
        if (!values.insert(v).second)
          problem(subject, "duplicate value '" + v + "'");
    }
  }

  void checkPolicy(const Policy &p, const llvm::Twine &subject) {
    if (!std::isfinite(p.timeoutSeconds) || p.timeoutSeconds <= 0)
      problem(subject, "policy timeout must be a positive number of seconds");
    if (p.attempts < 1)
      problem(subject, "policy attempts must be at least 1");
    if (!std::isfinite(p.backoffSeconds) || p.backoffSeconds < 0)
      problem(subject, "policy backoff must be a non-negative number of seconds");
    if (p.executorGroup.empty())
      problem(subject, "policy executor group is empty");
  }

  void checkParams(const std::vector<Param> &params, const llvm::Twine &subject) {
    llvm::StringSet<> seen;
    for (const Param &p : params) {
      if (!seen.insert(p.name).second)
        problem(subject, "duplicate parameter '" + p.name + "'");
      checkType(p.type, subject, "parameter '" + p.name + "'");
    }
  }

  // Tools ------------------------------------------------------------------

  void checkTemplateText(const Template &t, const llvm::Twine &subject, const llvm::Twine &what,
                         const ToolDef &tool) {
    // Holes in a tool's templates refer to its parameters (as inputs).
    for (const TemplatePart &part : t)
      if (part.hole && part.hole->kind == Expr::Kind::Ref &&
          part.hole->root == RefRoot::Input &&
          !llvm::any_of(tool.params, [&](const Param &p) { return p.name == part.hole->name; }))
        problem(subject, what + " refers to unknown parameter '" + part.hole->name + "'");
  }

  void checkTools() {
    llvm::StringSet<> names;
    for (const ToolDef &t : m.tools) {
      std::string subject = "tool '" + t.name + "'";
      if (t.name.empty())
        problem(subject, "tool has no name");
      if (!names.insert(t.name).second)
        problem(subject, "duplicate tool name");
      checkParams(t.params, subject);
      checkType(t.result, subject, "result");
      checkPolicy(t.policy, subject);
      if (t.impl != ToolDef::Impl::Exec && !t.env.empty())
        problem(subject, "only exec tools have an env");
      switch (t.impl) {
      case ToolDef::Impl::Exec:
        if (t.argv.empty())
          problem(subject, "exec tool has an empty argv");
        for (size_t i = 0; i < t.argv.size(); ++i)
          checkTemplateText(t.argv[i], subject, "argv[" + llvm::Twine(i) + "]", t);
        if (t.stdinMode != "json" && t.stdinMode != "none" &&
            !llvm::any_of(t.params, [&](const Param &p) { return p.name == t.stdinMode; }))
          problem(subject, "stdin mode '" + t.stdinMode +
                               "' is neither json, none nor a parameter name");
        for (const std::string &name : t.env)
          if (name.empty() || llvm::isDigit(name.front()) ||
              !llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; }))
            problem(subject, "env entry '" + name + "' is not a variable name");
        break;
      case ToolDef::Impl::Http:
        if (t.method != "GET" && t.method != "POST")
          problem(subject, "http method must be GET or POST, not '" + t.method + "'");
        if (t.url.empty())
          problem(subject, "http tool has no url");
        checkTemplateText(t.url, subject, "url", t);
        if (t.body)
          checkTemplateText(*t.body, subject, "body", t);
        break;
      case ToolDef::Impl::Builtin:
        if (t.builtin.empty())
          problem(subject, "builtin tool names no builtin");
        break;
      }
    }
  }

  // Apps and graphs ----------------------------------------------------------

  void checkApps() {
    llvm::StringSet<> names;
    for (const App &a : m.apps) {
      std::string subject = "app '" + a.name + "'";
      if (a.name.empty())
        problem(subject, "app has no name");
      if (!names.insert(a.name).second)
        problem(subject, "duplicate app name");
      checkParams(a.inputs, subject);
      checkType(a.result, subject, "result");
      std::unique_ptr<GraphInfo> info = verifyGraph(a, a.graph, nullptr, nullptr, 0);
      Scope top;
      top.info = info.get();
      bool canBeNull = a.result.kind == Type::Kind::None ||
                       a.result.kind == Type::Kind::Optional ||
                       a.result.kind == Type::Kind::Json;
      if (a.resultExpr.kind == Expr::Kind::Literal && a.resultExpr.literal.kind() ==
                                                          llvm::json::Value::Null &&
          !canBeNull)
        problem(subject, "missing result expression");
      Ctx c;
      c.app = &a;
      c.scope = &top;
      c.anchor = -1;
      checkExpr(a.resultExpr, c, subject, "result expression");
    }
  }

  /// Indexes a graph, checks its deps, then verifies its nodes.
  std::unique_ptr<GraphInfo> verifyGraph(const App &app, const Graph &g, const Scope *parent,
                                         const Node *owner, unsigned ownerIndex) {
    auto info = std::make_unique<GraphInfo>();
    info->graph = &g;
    const std::string prefix = (owner ? owner->id : app.name) + "/";
    for (unsigned i = 0; i < g.nodes.size(); ++i) {
      const Node &n = g.nodes[i];
      std::string subject = nodeSubject(n);
      if (n.id.empty())
        problem("node '" + n.name + "' in app '" + app.name + "'", "node has an empty id");
      else if (!llvm::StringRef(n.id).startswith(prefix) || n.id.size() == prefix.size())
        problem(subject, "id must start with '" + prefix + "'");
      auto [it, fresh] = nodeOwner.try_emplace(n.id, app.name);
      if (!fresh)
        problem(subject, "duplicate node id (also defined in app '" + it->second + "')");
      info->index.try_emplace(n.id, i);
    }
    info->closure.assign(g.nodes.size(), llvm::BitVector(g.nodes.size()));
    for (unsigned i = 0; i < g.nodes.size(); ++i) {
      const Node &n = g.nodes[i];
      llvm::StringSet<> seen;
      for (const std::string &d : n.deps) {
        if (!seen.insert(d).second) {
          problem(nodeSubject(n), "dep '" + d + "' is listed twice");
          continue;
        }
        auto it = info->index.find(d);
        if (it == info->index.end()) {
          if (allIds.count(d))
            problem(nodeSubject(n), "dep '" + d +
                                        "' is not in the same graph (a dep on an outer node "
                                        "belongs on the enclosing dynamic node)");
          else
            problem(nodeSubject(n), "dep '" + d + "' names no node");
          continue;
        }
        unsigned j = it->second;
        if (j == i) {
          problem(nodeSubject(n), "depends on itself");
          continue;
        }
        if (j > i) {
          problem(nodeSubject(n), "dep '" + d +
                                      "' does not appear earlier (nodes must be in "
                                      "topological order; a cycle is an error)");
          continue;
        }
        info->closure[i].set(j);
        info->closure[i] |= info->closure[j];
      }
    }
    Scope scope;
    scope.parent = parent;
    scope.info = info.get();
    scope.owner = owner;
    scope.ownerIndex = ownerIndex;
    for (unsigned i = 0; i < g.nodes.size(); ++i)
      verifyNode(app, g.nodes[i], scope, i);
    return info;
  }

  void verifyNode(const App &app, const Node &n, const Scope &scope, unsigned index) {
    std::string subject = nodeSubject(n);
    if (n.name.empty())
      problem(subject, "node has no name");
    checkType(n.resultType, subject, "result type");
    checkPolicy(n.policy, subject);
    llvm::StringRef structure = expectedStructure(n);
    if (n.hook.structure != structure)
      problem(subject, "profiling hook structure is '" + n.hook.structure + "', expected '" +
                           structure + "'");

    Ctx c;
    c.app = &app;
    c.scope = &scope;
    c.anchor = int(index);

    switch (n.kind) {
    case NodeKind::LLM:
      if (n.executor != ExecutorClass::LLM)
        problem(subject, "llm node must use the llm executor, not '" + toString(n.executor) + "'");
      if (n.tool)
        problem(subject, "llm node has a tool payload");
      if (n.dynamic)
        problem(subject, "llm node has a dynamic payload");
      if (!n.llm)
        problem(subject, "llm node has no llm payload");
      else
        checkLLM(*n.llm, c, subject);
      break;
    case NodeKind::Regular:
      if (n.executor != ExecutorClass::Regular)
        problem(subject,
                "regular node must use the regular executor, not '" + toString(n.executor) + "'");
      if (n.llm)
        problem(subject, "regular node has an llm payload");
      if (n.dynamic)
        problem(subject, "regular node has a dynamic payload");
      if (!n.tool)
        problem(subject, "regular node has no tool payload");
      else
        checkToolCall(*n.tool, c, subject);
      break;
    case NodeKind::Dynamic:
      if (n.executor != ExecutorClass::None)
        problem(subject,
                "dynamic node must have executor 'none', not '" + toString(n.executor) + "'");
      if (n.llm)
        problem(subject, "dynamic node has an llm payload");
      if (n.tool)
        problem(subject, "dynamic node has a tool payload");
      if (!n.dynamic)
        problem(subject, "dynamic node has no dynamic payload");
      else
        checkDynamic(app, n, scope, index, c, subject);
      break;
    }
  }

  void checkTemplate(const Template &t, const Ctx &c, const std::string &subject,
                     const llvm::Twine &what) {
    for (const TemplatePart &p : t)
      if (p.hole)
        checkExpr(*p.hole, c, subject, what);
  }

  void checkLLM(const LLMPayload &l, const Ctx &c, const std::string &subject) {
    if (l.model.empty())
      problem(subject, "llm payload names no model");
    if (l.maxTokens == 0)
      problem(subject, "max_tokens must be positive");
    if (!(l.temperature >= 0 && l.temperature <= 2))
      problem(subject, "temperature must be in [0, 2]");
    if (l.outputSchema && !l.outputSchema->getAsObject())
      problem(subject, "output schema must be a JSON object");
    checkTemplate(l.system, c, subject, "system prompt");
    checkTemplate(l.prompt, c, subject, "prompt");
  }

  void checkArgs(const std::vector<std::pair<std::string, Expr>> &args,
                 const std::vector<Param> &params, const Ctx &c, const std::string &subject,
                 llvm::StringRef calleeWhat) {
    llvm::StringSet<> seen;
    for (const auto &arg : args) {
      const std::string &name = arg.first;
      const Expr &e = arg.second;
      if (!seen.insert(name).second)
        problem(subject, "argument '" + name + "' is given twice");
      if (!llvm::any_of(params, [&](const Param &p) { return p.name == name; }))
        problem(subject, "argument '" + name + "' names no parameter of " + calleeWhat);
      checkExpr(e, c, subject, "argument '" + name + "'");
    }
  }

  void checkToolCall(const ToolPayload &t, const Ctx &c, const std::string &subject) {
    const ToolDef *def = m.findTool(t.tool);
    if (!def) {
      problem(subject, "calls unknown tool '" + t.tool + "'");
      return;
    }
    checkArgs(t.args, def->params, c, subject, "tool '" + t.tool + "'");
  }

  void checkDynamic(const App &app, const Node &n, const Scope &scope, unsigned index,
                    const Ctx &c, const std::string &subject) {
    const DynamicPayload &d = *n.dynamic;
    llvm::StringRef kind = toString(d.kind);
    auto bodiesMustBe = [&](size_t lo, size_t hi) {
      if (d.bodies.size() < lo || d.bodies.size() > hi) {
        std::string count =
            lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi);
        problem(subject, kind + " node must have " + count + " template bodies, has " +
                             std::to_string(d.bodies.size()));
      }
    };
    auto yieldsMatchBodies = [&](bool required) {
      if (d.yields.size() != d.bodies.size())
        problem(subject, kind + " node must have one yield per body (" +
                             llvm::Twine(d.bodies.size()) + " bodies, " +
                             llvm::Twine(d.yields.size()) + " yields)");
      else if (required)
        for (size_t i = 0; i < d.yields.size(); ++i)
          if (!d.yields[i])
            problem(subject, kind + " body " + llvm::Twine(i) + " has no yield");
    };

    switch (d.kind) {
    case DynamicKind::Loop:
      if (d.maxExpansion == 0)
        problem(subject, "loop needs a positive iteration bound (max_expansion is 0)");
      bodiesMustBe(1, 1);
      if (!d.condition)
        problem(subject, "loop has no until condition");
      yieldsMatchBodies(true);
      break;
    case DynamicKind::Planner: {
      if (d.maxExpansion == 0)
        problem(subject, "planner needs a positive step bound (max_expansion is 0)");
      bodiesMustBe(0, 1);
      if (!d.yields.empty())
        problem(subject, "planner node has yields");
      if (d.allowedTools.empty())
        problem(subject, "planner has no allowed tools");
      for (const std::string &t : d.allowedTools)
        if (!m.findTool(t) && !m.findApp(t))
          problem(subject, "allowed tool '" + t + "' names no tool or app");
      if (d.resolvedBy.empty())
        problem(subject, "planner has no resolving llm node (resolved_by is empty)");
      bool hasPlannerLLM = false;
      for (const std::string &r : d.resolvedBy) {
        auto it = scope.info->index.find(r);
        if (it != scope.info->index.end()) {
          const Node &rn = scope.info->graph->nodes[it->second];
          hasPlannerLLM |= rn.kind == NodeKind::LLM && rn.llm && rn.llm->isPlanner;
        }
      }
      if (!d.resolvedBy.empty() && !hasPlannerLLM)
        problem(subject, "planner is not resolved by an llm node marked as planner");
      break;
    }
    case DynamicKind::Branch:
      bodiesMustBe(1, 2);
      if (!d.condition)
        problem(subject, "branch has no condition");
      yieldsMatchBodies(false);
      break;
    case DynamicKind::Map:
      if (!d.list)
        problem(subject, "map has no list to fan out over");
      if (d.itemName.empty())
        problem(subject, "map has no item name");
      bodiesMustBe(1, 1);
      yieldsMatchBodies(true);
      break;
    case DynamicKind::Call: {
      bodiesMustBe(0, 0);
      if (!d.yields.empty())
        problem(subject, "call node has yields");
      const App *callee = m.findApp(d.callee);
      if (!callee)
        problem(subject, "calls unknown app '" + d.callee + "'");
      else
        checkArgs(d.args, callee->inputs, c, subject, "app '" + d.callee + "'");
      break;
    }
    }

    // Expressions evaluated before the expansion, at the Dynamic node.
    if (d.kind != DynamicKind::Loop && d.condition)
      checkExpr(*d.condition, c, subject, "condition");
    if (d.init)
      checkExpr(*d.init, c, subject, "init");
    if (d.list)
      checkExpr(*d.list, c, subject, "list");

    // The template bodies, then what is evaluated after them.
    std::vector<std::unique_ptr<GraphInfo>> bodies;
    for (const Graph &b : d.bodies)
      bodies.push_back(verifyGraph(app, b, &scope, &n, index));
    for (size_t i = 0; i < d.yields.size() && i < bodies.size(); ++i) {
      if (!d.yields[i])
        continue;
      Ctx yc = c;
      yc.body = bodies[i].get();
      yc.bodyOwner = &n;
      checkExpr(*d.yields[i], yc, subject, "yield " + llvm::Twine(i));
    }
    if (d.kind == DynamicKind::Loop && d.condition) {
      Ctx uc = c;
      if (!bodies.empty()) {
        uc.body = bodies.front().get();
        uc.bodyOwner = &n;
      }
      checkExpr(*d.condition, uc, subject, "until condition");
    }

    // Resolvers: visible from the node, or (loop) in its body.
    for (const std::string &r : d.resolvedBy) {
      Ctx rc = c;
      if (d.kind == DynamicKind::Loop && !bodies.empty()) {
        rc.body = bodies.front().get();
        rc.bodyOwner = &n;
      }
      if (!allIds.count(r))
        problem(subject, "resolved_by names unknown node '" + r + "'");
      else if (!visible(rc, r))
        problem(subject, "resolved_by node '" + r +
                             "' is not a dependency of this node (nor in its body)");
    }
  }

  // References -------------------------------------------------------------

  /// Whether node `id` has finished whenever an expression in context c runs.
  bool visible(const Ctx &c, llvm::StringRef id) const {
    if (c.body && c.body->index.count(id))
      return true;
    const Scope *s = c.scope;
    int anchor = c.anchor;
    while (s) {
      auto it = s->info->index.find(id);
      if (it != s->info->index.end())
        return anchor < 0 || s->info->closure[unsigned(anchor)].test(it->second);
      if (!s->owner)
        return false;
      anchor = int(s->ownerIndex);
      s = s->parent;
    }
    return false;
  }

  /// Whether the context is inside the loop or map whose node id is `name`.
  static bool inside(const Ctx &c, DynamicKind kind, llvm::StringRef name) {
    auto is = [&](const Node *n) {
      return n && n->dynamic && n->dynamic->kind == kind && n->id == name;
    };
    if (is(c.bodyOwner))
      return true;
    for (const Scope *s = c.scope; s; s = s->parent)
      if (is(s->owner))
        return true;
    return false;
  }

  void checkExpr(const Expr &e, const Ctx &c, const std::string &subject,
                 const llvm::Twine &what) {
    checkType(e.type, subject, what);
    switch (e.kind) {
    case Expr::Kind::Literal:
      break;
    case Expr::Kind::Ref:
      switch (e.root) {
      case RefRoot::Input:
        if (!llvm::any_of(c.app->inputs, [&](const Param &p) { return p.name == e.name; }))
          problem(subject, what + " refers to unknown input '" + e.name + "' of app '" +
                               c.app->name + "'");
        break;
      case RefRoot::Node:
        if (!allIds.count(e.name))
          problem(subject, what + " refers to unknown node '" + e.name + "'");
        else if (!visible(c, e.name))
          problem(subject, what + " refers to node '" + e.name +
                               "', which is not a (transitive) dependency here");
        break;
      case RefRoot::LoopState:
        if (!inside(c, DynamicKind::Loop, e.name))
          problem(subject, what + " reads the state of loop '" + e.name +
                               "' outside that loop's body and until condition");
        break;
      case RefRoot::MapItem:
        if (!inside(c, DynamicKind::Map, e.name))
          problem(subject, what + " reads the item of map '" + e.name +
                               "' outside that map's body");
        break;
      }
      break;
    case Expr::Kind::Unary:
      if (e.args.size() != 1 || !isUnaryOp(e.op))
        problem(subject, what + ": malformed unary expression '" + e.op + "' with " +
                             llvm::Twine(e.args.size()) + " operands");
      break;
    case Expr::Kind::Binary:
      if (e.args.size() != 2 || !isBinaryOp(e.op))
        problem(subject, what + ": malformed binary expression '" + e.op + "' with " +
                             llvm::Twine(e.args.size()) + " operands");
      break;
    case Expr::Kind::List:
      break;
    case Expr::Kind::Record:
      if (e.fields.size() != e.args.size())
        problem(subject, what + ": record expression has " + llvm::Twine(e.fields.size()) +
                             " field names but " + llvm::Twine(e.args.size()) + " values");
      break;
    case Expr::Kind::Call:
      if (e.name.empty())
        problem(subject, what + ": call expression names no function");
      break;
    }
    for (const Expr &a : e.args)
      checkExpr(a, c, subject, what);
  }
};

} // namespace

llvm::Error verify(const Module &m) { return Verifier(m).run(); }

} // namespace llmflow::ir
