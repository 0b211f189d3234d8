// Unit tests for the IR verifier: the sample module passes, and each broken
// variant fails with a message naming the node at fault.
#include "sample_module.h"

#include "ir/ir_json.h"
#include "ir/ir_verify.h"

#include <doctest/doctest.h>

using namespace llmflow::ir;
using llmflow::ir::test::findNode;
using llmflow::ir::test::sampleModule;

namespace {

/// The verifier's message; fails the test if the module verified.
std::string problems(const Module &m) {
  llvm::Error e = verify(m);
  if (!e) {
    FAIL_CHECK("expected the verifier to reject the module");
    return "";
  }
  return llvm::toString(std::move(e));
}

bool has(const std::string &msg, llvm::StringRef needle) {
  bool found = llvm::StringRef(msg).contains(needle);
  if (!found)
    MESSAGE("'" << needle.str() << "' not in:\n" << msg);
  return found;
}

} // namespace

TEST_CASE("ir verify: the sample module is well formed") {
  Module m = sampleModule();
  llvm::Error e = verify(m);
  CHECK_MESSAGE(!e, llvm::toString(std::move(e)));
}

TEST_CASE("ir verify: a module read back from JSON is well formed") {
  llvm::Expected<Module> m = readJSON(writeJSON(sampleModule()));
  REQUIRE_MESSAGE(bool(m), llvm::toString(m.takeError()));
  llvm::Error e = verify(*m);
  CHECK_MESSAGE(!e, llvm::toString(std::move(e)));
}

TEST_CASE("ir verify: duplicate node ids are rejected") {
  Module m = sampleModule();
  findNode(m, "codegen/decide/explain").id = "codegen/fixes/fix";
  std::string msg = problems(m);
  CHECK(has(msg, "node 'codegen/fixes/fix': duplicate node id"));
}

TEST_CASE("ir verify: duplicate ids across apps are rejected") {
  Module m = sampleModule();
  m.apps[0].name = "codegen";
  m.apps[0].graph.nodes[0].id = "codegen/gen";
  m.apps[0].resultExpr.name = "codegen/gen";
  std::string msg = problems(m);
  CHECK(has(msg, "node 'codegen/gen': duplicate node id"));
  CHECK(has(msg, "app 'codegen': duplicate app name"));
}

TEST_CASE("ir verify: a dep on an unknown id is rejected") {
  Module m = sampleModule();
  findNode(m, "codegen/first").deps.push_back("codegen/nope");
  CHECK(has(problems(m), "node 'codegen/first': dep 'codegen/nope' names no node"));
}

TEST_CASE("ir verify: a dep on a node of another graph is rejected") {
  Module m = sampleModule();
  findNode(m, "codegen/fixes/check").deps.push_back("codegen/gen");
  CHECK(has(problems(m), "node 'codegen/fixes/check': dep 'codegen/gen' is not in the same graph"));
}

TEST_CASE("ir verify: a dep that appears later (a cycle) is rejected") {
  Module m = sampleModule();
  findNode(m, "codegen/gen").deps.push_back("codegen/first");
  CHECK(has(problems(m), "node 'codegen/gen': dep 'codegen/first' does not appear earlier"));
  Module self = sampleModule();
  findNode(self, "codegen/first").deps.push_back("codegen/first");
  CHECK(has(problems(self), "node 'codegen/first': depends on itself"));
}

TEST_CASE("ir verify: a loop without an iteration bound is rejected") {
  Module m = sampleModule();
  findNode(m, "codegen/fixes").dynamic->maxExpansion = 0;
  CHECK(has(problems(m), "node 'codegen/fixes': loop needs a positive iteration bound"));
}

TEST_CASE("ir verify: a loop without condition, yield or body is rejected") {
  Module m = sampleModule();
  DynamicPayload &d = *findNode(m, "codegen/fixes").dynamic;
  d.condition.reset();
  d.yields[0].reset();
  std::string msg = problems(m);
  CHECK(has(msg, "node 'codegen/fixes': loop has no until condition"));
  CHECK(has(msg, "node 'codegen/fixes': loop body 0 has no yield"));
  Module m2 = sampleModule();
  findNode(m2, "codegen/fixes").dynamic->bodies.clear();
  CHECK(has(problems(m2), "node 'codegen/fixes': loop node must have 1 template bodies, has 0"));
}

TEST_CASE("ir verify: a planner without allowed tools is rejected") {
  Module m = sampleModule();
  findNode(m, "codegen/research.steps").dynamic->allowedTools.clear();
  CHECK(has(problems(m), "node 'codegen/research.steps': planner has no allowed tools"));
}

TEST_CASE("ir verify: planner tools, bounds and resolvers are checked") {
  Module m = sampleModule();
  DynamicPayload &d = *findNode(m, "codegen/research.steps").dynamic;
  d.allowedTools.push_back("teleport");
  d.maxExpansion = 0;
  std::string msg = problems(m);
  CHECK(has(msg, "node 'codegen/research.steps': allowed tool 'teleport' names no tool or app"));
  CHECK(has(msg, "node 'codegen/research.steps': planner needs a positive step bound"));

  Module noResolver = sampleModule();
  findNode(noResolver, "codegen/research.steps").dynamic->resolvedBy.clear();
  CHECK(has(problems(noResolver), "node 'codegen/research.steps': planner has no resolving"));

  Module notPlanner = sampleModule();
  findNode(notPlanner, "codegen/research").llm->isPlanner = false;
  CHECK(has(problems(notPlanner),
            "node 'codegen/research.steps': planner is not resolved by an llm node marked"));

  Module badResolver = sampleModule();
  findNode(badResolver, "codegen/decide").dynamic->resolvedBy = {"codegen/ghost"};
  CHECK(has(problems(badResolver), "node 'codegen/decide': resolved_by names unknown node"));
}

TEST_CASE("ir verify: an LLM node without its payload is rejected") {
  Module m = sampleModule();
  findNode(m, "codegen/gen").llm.reset();
  CHECK(has(problems(m), "node 'codegen/gen': llm node has no llm payload"));
}

TEST_CASE("ir verify: payloads and executors must match node kinds") {
  Module m = sampleModule();
  findNode(m, "codegen/first").executor = ExecutorClass::LLM;
  findNode(m, "codegen/decide").executor = ExecutorClass::Regular;
  findNode(m, "codegen/translate/port").tool = ToolPayload{"run_tests", {}};
  findNode(m, "codegen/fixes/check").tool->tool = "run_testz";
  std::string msg = problems(m);
  CHECK(has(msg, "node 'codegen/first': regular node must use the regular executor, not 'llm'"));
  CHECK(has(msg, "node 'codegen/decide': dynamic node must have executor 'none'"));
  CHECK(has(msg, "node 'codegen/translate/port': llm node has a tool payload"));
  CHECK(has(msg, "node 'codegen/fixes/check': calls unknown tool 'run_testz'"));
}

TEST_CASE("ir verify: a reference to an unknown node is rejected") {
  Module m = sampleModule();
  findNode(m, "codegen/first").tool->args[0].second.name = "codegen/ghost";
  CHECK(has(problems(m), "node 'codegen/first': argument 'code' refers to unknown node "
                         "'codegen/ghost'"));
}

TEST_CASE("ir verify: a reference to a node that is not a dependency is rejected") {
  Module m = sampleModule();
  findNode(m, "codegen/first").deps.clear();
  CHECK(has(problems(m), "node 'codegen/first': argument 'code' refers to node 'codegen/gen', "
                         "which is not a (transitive) dependency here"));
  // a body node reading an outer node needs the enclosing dynamic node to depend on it
  Module outer = sampleModule();
  findNode(outer, "codegen/decide").deps = {"codegen/fixes"};
  CHECK(has(problems(outer), "node 'codegen/decide/polish': prompt refers to node "
                             "'codegen/research.steps'"));
  // body nodes are not visible outside their body
  Module inner = sampleModule();
  findNode(inner, "codegen/translate").dynamic->list =
      llmflow::ir::test::nodeRef("codegen/fixes/fix", {}, Type::prim(Type::Kind::String));
  CHECK(has(problems(inner), "node 'codegen/translate': list refers to node 'codegen/fixes/fix'"));
}

TEST_CASE("ir verify: loop state and map items are only read inside their block") {
  Module m = sampleModule();
  findNode(m, "codegen/decide/polish").llm->prompt[1].hole =
      llmflow::ir::test::loopRef("fixes", {"code"}, Type::prim(Type::Kind::String));
  findNode(m, "codegen/fixes/fix").llm->prompt[1].hole =
      llmflow::ir::test::itemRef("translate", Type::prim(Type::Kind::String));
  std::string msg = problems(m);
  CHECK(has(msg, "node 'codegen/decide/polish': prompt reads the state of loop 'fixes' outside"));
  CHECK(has(msg, "node 'codegen/fixes/fix': prompt reads the item of map 'translate' outside"));
}

TEST_CASE("ir verify: branch, map and call shapes are checked") {
  Module m = sampleModule();
  DynamicPayload &branch = *findNode(m, "codegen/decide").dynamic;
  branch.condition.reset();
  branch.bodies.push_back(Graph{});
  DynamicPayload &map = *findNode(m, "codegen/translate").dynamic;
  map.list.reset();
  DynamicPayload &call = *findNode(m, "codegen/again").dynamic;
  call.callee = "nowhere";
  std::string msg = problems(m);
  CHECK(has(msg, "node 'codegen/decide': branch has no condition"));
  CHECK(has(msg, "node 'codegen/decide': branch node must have 1 to 2 template bodies, has 3"));
  CHECK(has(msg, "node 'codegen/decide': branch node must have one yield per body"));
  CHECK(has(msg, "node 'codegen/translate': map has no list"));
  CHECK(has(msg, "node 'codegen/again': calls unknown app 'nowhere'"));

  Module args = sampleModule();
  findNode(args, "codegen/again").dynamic->args[0].first = "txt";
  CHECK(has(problems(args), "node 'codegen/again': argument 'txt' names no parameter of app "
                            "'helper'"));
}

TEST_CASE("ir verify: ids must follow the app/stage path rule") {
  Module m = sampleModule();
  findNode(m, "codegen/fixes/check").id = "codegen/check";
  findNode(m, "codegen/fixes").dynamic->resolvedBy = {"codegen/check"};
  std::string msg = problems(m);
  CHECK(has(msg, "node 'codegen/check': id must start with 'codegen/fixes/'"));
}

TEST_CASE("ir verify: every problem is reported, capped with a count") {
  Module m = sampleModule();
  findNode(m, "codegen/gen").llm.reset();
  findNode(m, "codegen/fixes").dynamic->maxExpansion = 0;
  std::string two = problems(m);
  CHECK(has(two, "node 'codegen/gen'"));
  CHECK(has(two, "node 'codegen/fixes'"));
  CHECK(std::count(two.begin(), two.end(), '\n') == 1);

  Module many = sampleModule();
  for (int i = 0; i < 60; ++i)
    findNode(many, "codegen/first").deps.push_back("codegen/missing" + std::to_string(i));
  std::string capped = problems(many);
  CHECK(std::count(capped.begin(), capped.end(), '\n') == int(kMaxVerifyProblems));
  CHECK(has(capped, "... and 10 more problems"));
}

TEST_CASE("ir verify: result expressions and types must resolve") {
  Module m = sampleModule();
  m.apps[1].resultExpr = Expr{};
  findNode(m, "codegen/first").resultType = Type::named(Type::Kind::Record, "Nope");
  std::string msg = problems(m);
  CHECK(has(msg, "app 'codegen': missing result expression"));
  CHECK(has(msg, "node 'codegen/first': result type: type names unknown record 'Nope'"));
}
