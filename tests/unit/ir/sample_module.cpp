// The sample module of sample_module.h.
#include "sample_module.h"

#include <cassert>
#include <cstdlib>

namespace llmflow::ir::test {

using K = Type::Kind;
using llvm::json::Array;
using llvm::json::Object;

Expr lit(llvm::json::Value v, Type t) {
  Expr e;
  e.kind = Expr::Kind::Literal;
  e.literal = std::move(v);
  e.type = std::move(t);
  return e;
}

static Expr ref(RefRoot root, std::string name, std::vector<std::string> fields, Type t) {
  Expr e;
  e.kind = Expr::Kind::Ref;
  e.root = root;
  e.name = std::move(name);
  e.fields = std::move(fields);
  e.type = std::move(t);
  return e;
}

Expr inputRef(std::string name, Type t) { return ref(RefRoot::Input, std::move(name), {}, t); }
Expr nodeRef(std::string id, std::vector<std::string> fields, Type t) {
  return ref(RefRoot::Node, std::move(id), std::move(fields), std::move(t));
}
Expr loopRef(std::string loop, std::vector<std::string> fields, Type t) {
  return ref(RefRoot::LoopState, std::move(loop), std::move(fields), std::move(t));
}
Expr itemRef(std::string map, Type t) { return ref(RefRoot::MapItem, std::move(map), {}, t); }

Template text(std::string s) {
  TemplatePart p;
  p.text = std::move(s);
  return {p};
}

Template textAndHole(std::string s, Expr hole) {
  Template t = text(std::move(s));
  TemplatePart h;
  h.hole = std::move(hole);
  t.push_back(std::move(h));
  return t;
}

static SourceLoc at(unsigned line, unsigned col) { return {"examples/codegen.llmflow", line, col}; }

static Node llmNode(std::string id, std::string name, Template prompt) {
  Node n;
  n.id = std::move(id);
  n.name = std::move(name);
  n.kind = NodeKind::LLM;
  n.executor = ExecutorClass::LLM;
  n.resultType = Type::prim(K::String);
  n.hook.tokens = true;
  LLMPayload l;
  l.model = "coder";
  l.prompt = std::move(prompt);
  n.llm = std::move(l);
  return n;
}

static Node toolNode(std::string id, std::string name, std::string tool,
                     std::vector<std::pair<std::string, Expr>> args, Type result) {
  Node n;
  n.id = std::move(id);
  n.name = std::move(name);
  n.kind = NodeKind::Regular;
  n.executor = ExecutorClass::Regular;
  n.resultType = std::move(result);
  ToolPayload t;
  t.tool = std::move(tool);
  t.args = std::move(args);
  n.tool = std::move(t);
  return n;
}

static Node dynNode(std::string id, std::string name, DynamicKind kind, std::string structure) {
  Node n;
  n.id = std::move(id);
  n.name = std::move(name);
  n.kind = NodeKind::Dynamic;
  n.executor = ExecutorClass::None;
  n.hook.structure = std::move(structure);
  n.dynamic = std::make_shared<DynamicPayload>();
  n.dynamic->kind = kind;
  return n;
}

Module sampleModule() {
  Module m;
  m.source = "examples/codegen.llmflow";
  const Type code = Type::named(K::Record, "Code");
  const Type report = Type::named(K::Record, "Report");
  const Type str = Type::prim(K::String);
  const Type boolean = Type::prim(K::Bool);

  m.records.push_back({"Code", {{"code", str}, {"language", str}}});
  m.records.push_back({"Report", {{"passed", boolean}, {"log", str}}});
  m.records.push_back({"Attempt", {{"code", str}, {"report", report}}});
  m.enums.push_back({"Verdict", {"pass", "fail"}});

  ToolDef runTests;
  runTests.name = "run_tests";
  runTests.params = {{"code", str, std::nullopt}, {"tests", str, std::nullopt}};
  runTests.result = report;
  runTests.impl = ToolDef::Impl::Exec;
  runTests.argv = {text("python3"), text("tools/run_tests.py"),
                   textAndHole("--lang=", inputRef("lang", str))};
  runTests.params.push_back({"lang", str, llvm::json::Value("python")});
  runTests.policy.timeoutSeconds = 10;
  runTests.policy.timeoutExplicit = true;
  runTests.loc = at(12, 1);
  m.tools.push_back(runTests);

  ToolDef search;
  search.name = "http.search";
  search.params = {{"query", str, std::nullopt},
                   {"limit", Type::optional(Type::prim(K::Int)), llvm::json::Value(nullptr)}};
  search.result = Type::prim(K::Json);
  search.impl = ToolDef::Impl::Http;
  search.method = "POST";
  search.url = text("https://search.example/api");
  search.body = textAndHole("q=", inputRef("query", str));
  search.policy.attempts = 3;
  search.policy.backoffSeconds = 0.25;
  search.loc = at(20, 1);
  m.tools.push_back(search);

  // app helper(text: string) -> string
  App helper;
  helper.name = "helper";
  helper.inputs = {{"text", str, std::nullopt}};
  helper.result = str;
  helper.loc = at(30, 1);
  {
    Node s = llmNode("helper/summarize", "summarize",
                     textAndHole("Summarize:\n", inputRef("text", str)));
    s.llm->system = text("You are terse.");
    s.llm->temperature = 0.2;
    s.loc = at(31, 3);
    helper.graph.nodes.push_back(std::move(s));
  }
  helper.resultExpr = nodeRef("helper/summarize", {}, str);
  m.apps.push_back(std::move(helper));

  // app codegen(problem: string, tests: string, langs: list<string>) -> string
  App app;
  app.name = "codegen";
  app.inputs = {{"problem", str, std::nullopt},
                {"tests", str, std::nullopt},
                {"langs", Type::list(str), llvm::json::Array{"go", "rust"}}};
  app.result = str;
  app.loc = at(40, 1);
  std::vector<Node> &g = app.graph.nodes;

  Node gen = llmNode("codegen/gen", "gen", textAndHole("Write code for:\n", inputRef("problem", str)));
  gen.resultType = code;
  gen.llm->maxTokens = 1024;
  gen.llm->temperature = 0.7;
  gen.llm->outputSchema = jsonSchema(code, m);
  gen.policy.timeoutSeconds = 30;
  gen.policy.timeoutExplicit = true;
  gen.loc = at(41, 3);
  g.push_back(std::move(gen));

  Node first = toolNode("codegen/first", "first", "run_tests",
                        {{"code", nodeRef("codegen/gen", {"code"}, str)},
                         {"tests", inputRef("tests", str)}},
                        report);
  first.deps = {"codegen/gen"};
  first.loc = at(45, 3);
  g.push_back(std::move(first));

  // loop fixes (max = 5, init = {code: gen.code, report: first}) { fix; check; yield } until
  Node fixes = dynNode("codegen/fixes", "fixes", DynamicKind::Loop, "iterations");
  fixes.resultType = Type::named(K::Record, "Attempt");
  fixes.deps = {"codegen/gen", "codegen/first"};
  fixes.loc = at(47, 3);
  {
    DynamicPayload &d = *fixes.dynamic;
    d.maxExpansion = 5;
    Expr init;
    init.kind = Expr::Kind::Record;
    init.fields = {"code", "report"};
    init.args = {nodeRef("codegen/gen", {"code"}, str), nodeRef("codegen/first", {}, report)};
    init.type = Type::named(K::Record, "Attempt");
    d.init = init;
    Graph body;
    Node fix = llmNode("codegen/fixes/fix", "fix",
                       textAndHole("Fix this code:\n", loopRef("codegen/fixes", {"code"}, str)));
    fix.llm->prompt.push_back(text("\nReport: ").front());
    TemplatePart hole;
    hole.hole = loopRef("codegen/fixes", {"report", "log"}, str);
    fix.llm->prompt.push_back(hole);
    fix.resultType = code;
    fix.loc = at(48, 5);
    body.nodes.push_back(std::move(fix));
    Node check = toolNode("codegen/fixes/check", "check", "run_tests",
                          {{"code", nodeRef("codegen/fixes/fix", {"code"}, str)},
                           {"tests", inputRef("tests", str)}},
                          report);
    check.deps = {"codegen/fixes/fix"};
    check.loc = at(53, 5);
    body.nodes.push_back(std::move(check));
    d.bodies.push_back(std::move(body));
    Expr yield = init;
    yield.args = {nodeRef("codegen/fixes/fix", {"code"}, str),
                  nodeRef("codegen/fixes/check", {}, report)};
    d.yields.push_back(yield);
    Expr until;
    until.kind = Expr::Kind::Binary;
    until.op = "==";
    until.args = {loopRef("codegen/fixes", {"report", "passed"}, boolean), lit(true, boolean)};
    until.type = boolean;
    d.condition = until;
    d.resolvedBy = {"codegen/fixes/check"};
  }
  g.push_back(std::move(fixes));

  // planner research { tools = [http.search, helper]; max_steps = 4; max_parallel = 2 }
  Node research = llmNode("codegen/research", "research",
                          textAndHole("Plan research steps for:\n", inputRef("problem", str)));
  research.llm->isPlanner = true;
  research.llm->temperature = 0;
  research.loc = at(60, 3);
  g.push_back(std::move(research));
  Node steps = dynNode("codegen/research.steps", "research.steps", DynamicKind::Planner,
                       "expansion_size");
  steps.resultType = Type::list(Type::prim(K::Json));
  steps.deps = {"codegen/research"};
  steps.loc = at(60, 3);
  {
    DynamicPayload &d = *steps.dynamic;
    d.maxExpansion = 4;
    d.maxParallel = 2;
    d.allowedTools = {"http.search", "helper"};
    d.resolvedBy = {"codegen/research"};
    Graph body;
    body.nodes.push_back(toolNode("codegen/research.steps/http.search", "http.search",
                                  "http.search", {}, Type::prim(K::Json)));
    Node call = dynNode("codegen/research.steps/helper", "helper", DynamicKind::Call, "none");
    call.resultType = str;
    call.dynamic->callee = "helper";
    body.nodes.push_back(std::move(call));
    d.bodies.push_back(std::move(body));
  }
  g.push_back(std::move(steps));

  // if decide (fixes.report.passed) { polish } else { explain }
  Node decide = dynNode("codegen/decide", "decide", DynamicKind::Branch, "branch");
  decide.resultType = str;
  decide.deps = {"codegen/fixes", "codegen/research.steps"};
  decide.loc = at(66, 3);
  {
    DynamicPayload &d = *decide.dynamic;
    d.condition = nodeRef("codegen/fixes", {"report", "passed"}, boolean);
    d.resolvedBy = {"codegen/fixes"};
    Graph then, otherwise;
    Node polish = llmNode("codegen/decide/polish", "polish",
                          textAndHole("Polish:\n", nodeRef("codegen/fixes", {"code"}, str)));
    TemplatePart notes;
    notes.hole = nodeRef("codegen/research.steps", {}, Type::list(Type::prim(K::Json)));
    polish.llm->prompt.push_back(notes);
    then.nodes.push_back(std::move(polish));
    Node explain = llmNode("codegen/decide/explain", "explain",
                           textAndHole("Explain the failure:\n",
                                       nodeRef("codegen/fixes", {"report", "log"}, str)));
    explain.policy.executorGroup = "cheap";
    otherwise.nodes.push_back(std::move(explain));
    d.bodies = {std::move(then), std::move(otherwise)};
    d.yields = {nodeRef("codegen/decide/polish", {}, str),
                nodeRef("codegen/decide/explain", {}, str)};
  }
  g.push_back(std::move(decide));

  // map translate (lang in langs, concurrency = 3) { port; yield port; }
  Node translate = dynNode("codegen/translate", "translate", DynamicKind::Map, "expansion_size");
  translate.resultType = Type::list(str);
  translate.deps = {"codegen/decide"};
  translate.loc = at(75, 3);
  {
    DynamicPayload &d = *translate.dynamic;
    d.list = inputRef("langs", Type::list(str));
    d.itemName = "lang";
    d.maxParallel = 3;
    Graph body;
    Node port = llmNode("codegen/translate/port", "port",
                        textAndHole("Port this to ", itemRef("codegen/translate", str)));
    port.llm->prompt.push_back(text(":\n").front());
    TemplatePart src;
    src.hole = nodeRef("codegen/decide", {}, str);
    port.llm->prompt.push_back(src);
    body.nodes.push_back(std::move(port));
    d.bodies.push_back(std::move(body));
    d.yields.push_back(nodeRef("codegen/translate/port", {}, str));
  }
  g.push_back(std::move(translate));

  // A call with an argument expression mixing operators.
  Node again = dynNode("codegen/again", "again", DynamicKind::Call, "none");
  again.resultType = str;
  again.deps = {"codegen/decide"};
  {
    Expr upper;
    upper.kind = Expr::Kind::Call;
    upper.name = "upper";
    upper.args = {nodeRef("codegen/decide", {}, str)};
    upper.type = str;
    Expr neg;
    neg.kind = Expr::Kind::Unary;
    neg.op = "!";
    neg.args = {lit(false, boolean)};
    neg.type = boolean;
    Expr list;
    list.kind = Expr::Kind::List;
    list.args = {upper, lit(Object{{"k", 1.5}, {"a", Array{1, nullptr}}}, Type::prim(K::Json)),
                 neg};
    list.type = Type::list(Type::prim(K::Json));
    again.dynamic->callee = "helper";
    Expr text_;
    text_.kind = Expr::Kind::Call;
    text_.name = "str";
    text_.args = {list};
    text_.type = str;
    again.dynamic->args = {{"text", text_}};
  }
  g.push_back(std::move(again));

  Expr result;
  result.kind = Expr::Kind::Binary;
  result.op = "+";
  result.args = {nodeRef("codegen/decide", {}, str), nodeRef("codegen/again", {}, str)};
  result.type = str;
  app.resultExpr = result;
  m.apps.push_back(std::move(app));
  return m;
}

static Node *findIn(Graph &g, llvm::StringRef id) {
  for (Node &n : g.nodes) {
    if (n.id == id)
      return &n;
    if (n.dynamic)
      for (Graph &b : n.dynamic->bodies)
        if (Node *found = findIn(b, id))
          return found;
  }
  return nullptr;
}

Node &findNode(Module &m, llvm::StringRef id) {
  for (App &a : m.apps)
    if (Node *n = findIn(a.graph, id))
      return *n;
  assert(false && "no such node in the sample module");
  std::abort();
}

} // namespace llmflow::ir::test
