#include "compile_helpers.h"

#include "ir/ir_json.h"

using namespace llmflow;
using support::DiagID;
using support::Severity;

static std::string kindOf(const ir::Node &n) { return ir::toString(n.kind).str(); }
static std::string kindOf(const ir::DynamicPayload &d) { return ir::toString(d.kind).str(); }

static const char *kSmall = R"(
defaults { timeout = 30s; }
record Answer { text: string, confident: bool }
tool search(query: string) -> list<string> { exec = ["python3", "search.py"]; }
app qa(question: string) -> string {
  tool hits = search(query: question)
  llm answer -> Answer {
    prompt = """Question: {{question}} Passages: {{hits}}""";
  }
  if verify (!answer.confident) {
    llm check { prompt = "Is {{answer.text}} right?"; }
    yield check;
  } else {
    yield answer.text;
  }
  return verify;
}
)";

TEST_CASE("pipeline: a clean program lowers to the expected nodes") {
  auto c = test::compile(kSmall);
  REQUIRE_MESSAGE(c->module, c->messages());
  CHECK(c->count(Severity::Error) == 0);
  const ir::App &app = c->module->apps.at(0);
  CHECK(app.name == "qa");
  REQUIRE(app.graph.nodes.size() == 3);
  // Topological order: search before the LLM that reads it, branch last.
  CHECK(app.graph.nodes[0].id == "qa/hits");
  CHECK(kindOf(app.graph.nodes[0]) == "regular");
  CHECK(app.graph.nodes[1].id == "qa/answer");
  CHECK(kindOf(app.graph.nodes[1]) == "llm");
  CHECK(app.graph.nodes[1].deps == std::vector<std::string>{"qa/hits"});
  CHECK(app.graph.nodes[1].llm->outputSchema.has_value());
  const ir::Node &branch = app.graph.nodes[2];
  CHECK(kindOf(branch) == "dynamic");
  CHECK(kindOf(*branch.dynamic) == "branch");
  CHECK(branch.dynamic->resolvedBy == std::vector<std::string>{"qa/answer"});
  REQUIRE(branch.dynamic->bodies.size() == 2);
  CHECK(branch.dynamic->bodies[0].nodes.at(0).id == "qa/verify/check");
  CHECK(branch.resultType.str() == "string");
  CHECK(branch.hook.structure == "branch");
  CHECK(app.graph.nodes[1].policy.timeoutSeconds == 30);
}

TEST_CASE("pipeline: node ids survive adding unrelated stages and reordering") {
  auto a = test::compile(kSmall);
  std::string changed = kSmall;
  // Add an unrelated stage before everything else and use it.
  changed.replace(changed.find("  tool hits"), 0,
                  "  llm extra { prompt = \"unrelated\"; }\n");
  changed.replace(changed.find("return verify;"), std::string("return verify;").size(),
                  "return verify + extra;");
  auto b = test::compile(changed);
  REQUIRE(a->module);
  REQUIRE_MESSAGE(b->module, b->messages());
  for (const char *id : {"qa/hits", "qa/answer", "qa/verify", "qa/verify/check"}) {
    CHECK(test::findNode(*a->module, id) != nullptr);
    CHECK(test::findNode(*b->module, id) != nullptr);
  }
  CHECK(test::findNode(*b->module, "qa/extra") != nullptr);
}

TEST_CASE("pipeline: IR JSON is deterministic across compilations") {
  auto a = test::compile(kSmall), b = test::compile(kSmall);
  REQUIRE(a->module);
  REQUIRE(b->module);
  CHECK(ir::writeJSON(*a->module) == ir::writeJSON(*b->module));
}

TEST_CASE("pipeline: planner lowers to an LLM node and a Dynamic node") {
  auto c = test::compile(R"(
tool search(q: string) -> string { builtin = "http.get"; }
tool calc(expr: string) -> float { exec = ["calc"]; }
app p(goal: string) -> list<json> {
  planner plan {
    prompt = "Plan for {{goal}}";
    tools = [search, calc];
    max_steps = 6;
    max_parallel = 3;
    timeout = 20s;
  }
  return plan;
}
)");
  REQUIRE_MESSAGE(c->module, c->messages());
  const ir::Graph &g = c->module->apps[0].graph;
  REQUIRE(g.nodes.size() == 2);
  CHECK(g.nodes[0].id == "p/plan");
  CHECK(g.nodes[0].llm->isPlanner);
  CHECK(g.nodes[1].id == "p/plan.steps");
  CHECK(g.nodes[1].dynamic->maxExpansion == 6);
  CHECK(g.nodes[1].dynamic->maxParallel == 3);
  CHECK(g.nodes[1].dynamic->allowedTools == std::vector<std::string>{"search", "calc"});
  CHECK(g.nodes[1].dynamic->bodies[0].nodes.size() == 2);
  CHECK(c->module->apps[0].resultExpr.name == "p/plan.steps");
}

TEST_CASE("pipeline: loop state, until and map item lower to typed references") {
  auto c = test::compile(R"(
tool t(x: string) -> bool { builtin = "text.regex_match"; }
app l(items: list<string>) -> list<int> {
  loop fix (max = 3, init = {n: 0, ok: false}) {
    tool probe = t(x: "{{fix.n}}")
    yield {n: fix.n + 1, ok: probe};
  } until (fix.ok || fix.n > 2)
  map each (it in items, concurrency = 2) {
    llm sz { prompt = "{{it}} {{fix.n}}"; timeout = 5s; }
    yield len(sz);
  }
  return each;
}
)");
  REQUIRE_MESSAGE(c->module, c->messages());
  const ir::Node *loop = test::findNode(*c->module, "l/fix");
  REQUIRE(loop);
  CHECK(loop->dynamic->maxExpansion == 3);
  // until reads the loop state, so the body node feeding the yield resolves it.
  CHECK(loop->dynamic->resolvedBy == std::vector<std::string>{"l/fix/probe"});
  CHECK(loop->hook.structure == "iterations");
  const ir::Node *map = test::findNode(*c->module, "l/each");
  REQUIRE(map);
  CHECK(map->deps == std::vector<std::string>{"l/fix"}); // hoisted from the body
  CHECK(map->dynamic->maxParallel == 2);
  CHECK(map->resultType.str() == "list<int>");
}

TEST_CASE("sema: errors are reported with the right ids and no lowering happens") {
  auto c = test::compile(R"(
app a(x: string) -> int {
  llm one { prompt = "{{nope}}"; timeout = 1s; }
  tool t = missing(q: x)
  loop l () { yield 1; } until (true)
  return one;
}
)");
  CHECK_FALSE(c->module);
  CHECK(c->has(DiagID::ErrUndefinedName));
  CHECK(c->has(DiagID::ErrUndefinedTool));
  CHECK(c->has(DiagID::ErrLoopWithoutBound));
  CHECK(c->has(DiagID::ErrTypeMismatch)); // string returned as int
}

TEST_CASE("sema: a dependency cycle is an error naming every stage") {
  auto c = test::compile(R"(
app a(x: string) -> string {
  llm p { prompt = "{{q}}"; timeout = 1s; }
  llm q { prompt = "{{r}}"; timeout = 1s; }
  llm r { prompt = "{{p}}"; timeout = 1s; }
  return p;
}
)");
  CHECK_FALSE(c->module);
  REQUIRE(c->has(DiagID::ErrDependencyCycle));
  std::string m = c->messages();
  CHECK(m.find("'p'") != std::string::npos);
  CHECK(m.find("'q'") != std::string::npos);
  CHECK(m.find("'r'") != std::string::npos);
}

TEST_CASE("parse: 100,000 nested brackets are rejected without a crash") {
  std::string deep = "app a() -> int { return " + std::string(100000, '(') + "1" + std::string(100000, ')') + "; }";
  auto c = test::compile(deep);
  CHECK_FALSE(c->module);
  CHECK(c->has(DiagID::ErrNestingTooDeep));
  std::string bangs = "app a() -> bool { return " + std::string(100000, '!') + "true; }";
  auto d = test::compile(bangs);
  CHECK(d->has(DiagID::ErrNestingTooDeep));
  std::string chain = "app a(x: int) -> int { return x";
  for (int i = 0; i < 100000; ++i)
    chain += " + x";
  chain += "; }";
  auto e = test::compile(chain);
  CHECK(e->has(DiagID::ErrNestingTooDeep));
}

TEST_CASE("parse: syntax errors recover and stop at the error limit") {
  std::string bad;
  for (int i = 0; i < 50; ++i)
    bad += "app a" + std::to_string(i) + "( -> { }\n";
  auto c = std::make_unique<test::Compiled>();
  driver::Options opts;
  opts.stdlibDir = LLMFLOW_SOURCE_DIR "/stdlib";
  opts.errorLimit = 20;
  driver::Session s(c->diags, opts);
  CHECK_FALSE(s.loadSource("bad.llmflow", bad));
  size_t syntax = 0;
  for (auto &d : c->diags.diags)
    syntax += d.id == DiagID::ErrExpectedToken || d.id == DiagID::ErrMissingToken ||
              d.id == DiagID::ErrUnexpectedToken || d.id == DiagID::ErrExpectedAfter;
  CHECK(syntax > 1);   // recovery: more than the first error
  CHECK(syntax <= 20); // bounded
}

TEST_CASE("parse: a source over the size limit is an error naming the file, not parsed") {
  // The default limit (2 GiB: token positions are 31 bits) is lowered so
  // that the test need not write a 2 GiB file.
  support::CollectingDiagnosticConsumer diags;
  driver::Options opts;
  opts.stdlibDir = LLMFLOW_SOURCE_DIR "/stdlib";
  opts.parse.maxBytes = 64;
  driver::Session session(diags, opts);
  std::string text = "app a(x: string) -> string {\n  return x;\n}\n";
  CHECK(session.loadSource("small.llmflow", text));
  driver::Session big(diags, opts);
  CHECK_FALSE(big.loadSource("big.llmflow", text + std::string(64, ' ')));
  REQUIRE(diags.diags.size() == 1);
  CHECK(diags.diags[0].id == support::DiagID::ErrFileNotReadable);
  CHECK(diags.diags[0].message == "cannot read 'big.llmflow': 107 bytes is more than a source file may hold (64)");
}
