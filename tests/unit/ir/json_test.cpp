// Unit tests for the IR's JSON form: round trips, determinism and the
// reader's error messages.
#include "sample_module.h"

#include "ir/ir_json.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <doctest/doctest.h>

using namespace llmflow::ir;
using llmflow::ir::test::sampleModule;

namespace {

/// The error message of a failed read; fails the test if the read succeeded.
std::string readError(llvm::StringRef text) {
  llvm::Expected<Module> m = readJSON(text);
  if (m) {
    FAIL_CHECK("expected a read error for: " << text.str());
    return "";
  }
  return llvm::toString(m.takeError());
}

llvm::json::Value parsed(const std::string &text) {
  llvm::Expected<llvm::json::Value> v = llvm::json::parse(text);
  REQUIRE(bool(v));
  return std::move(*v);
}

std::string print(const llvm::json::Value &v) {
  std::string s;
  llvm::raw_string_ostream(s) << v;
  return s;
}

/// The sample module as a JSON value, for tests to damage.
llvm::json::Value sampleDoc() { return parsed(writeJSON(sampleModule())); }

llvm::json::Object &appNode(llvm::json::Value &doc, size_t app, size_t node) {
  return *(*(*doc.getAsObject()->getArray("apps"))[app]
                .getAsObject()
                ->getObject("graph")
                ->getArray("nodes"))[node]
              .getAsObject();
}

bool contains(llvm::StringRef haystack, llvm::StringRef needle) {
  return haystack.contains(needle);
}

} // namespace

TEST_CASE("ir json: write, read, write gives identical text") {
  std::string first = writeJSON(sampleModule());
  llvm::Expected<Module> back = readJSON(first);
  REQUIRE_MESSAGE(bool(back), llvm::toString(back.takeError()));
  CHECK(writeJSON(*back) == first);
  // compact form round trips as well
  std::string compact = writeJSON(sampleModule(), /*pretty=*/false);
  CHECK(compact.find('\n') == std::string::npos);
  llvm::Expected<Module> back2 = readJSON(compact);
  REQUIRE_MESSAGE(bool(back2), llvm::toString(back2.takeError()));
  CHECK(writeJSON(*back2, false) == compact);
  CHECK(writeJSON(*back2) == first);
}

TEST_CASE("ir json: reading preserves structure, payloads and optional values") {
  llvm::Expected<Module> back = readJSON(writeJSON(sampleModule()));
  REQUIRE_MESSAGE(bool(back), llvm::toString(back.takeError()));
  Module &m = *back;
  CHECK(m.version == kVersion);
  CHECK(m.source == "examples/codegen.llmflow");
  REQUIRE(m.apps.size() == 2);
  const App &app = m.apps[1];
  CHECK(app.inputs[2].type == Type::list(Type::prim(Type::Kind::String)));
  REQUIRE(app.inputs[2].defaultValue);
  CHECK(*app.inputs[2].defaultValue == llvm::json::Value(llvm::json::Array{"go", "rust"}));
  CHECK_FALSE(app.inputs[0].defaultValue.has_value());
  // a JSON null default is kept distinct from "no default"
  REQUIRE(m.tools[1].params[1].defaultValue);
  CHECK(*m.tools[1].params[1].defaultValue == llvm::json::Value(nullptr));
  CHECK(m.tools[1].body.has_value());
  CHECK_FALSE(m.tools[0].body.has_value());
  CHECK(m.tools[1].policy.backoffSeconds == 0.25);

  const Node &gen = llmflow::ir::test::findNode(m, "codegen/gen");
  CHECK((gen.kind == NodeKind::LLM));
  REQUIRE(gen.llm);
  CHECK(gen.llm->maxTokens == 1024);
  CHECK(gen.llm->outputSchema.has_value());
  CHECK(gen.resultType.kind == Type::Kind::Record);
  CHECK(gen.policy.timeoutExplicit);
  CHECK(gen.loc.line == 41);

  const Node &fixes = llmflow::ir::test::findNode(m, "codegen/fixes");
  REQUIRE((fixes.dynamic != nullptr));
  CHECK((fixes.dynamic->kind == DynamicKind::Loop));
  CHECK(fixes.dynamic->maxExpansion == 5);
  REQUIRE(fixes.dynamic->bodies.size() == 1);
  CHECK(fixes.dynamic->bodies[0].nodes[1].id == "codegen/fixes/check");
  REQUIRE(fixes.dynamic->condition);
  CHECK(fixes.dynamic->condition->op == "==");
  CHECK((fixes.dynamic->condition->args[0].root == RefRoot::LoopState));
  CHECK(fixes.dynamic->condition->args[1].literal == llvm::json::Value(true));

  const Node &fix = llmflow::ir::test::findNode(m, "codegen/fixes/fix");
  REQUIRE(fix.llm);
  REQUIRE(fix.llm->prompt.size() == 4);
  CHECK(fix.llm->prompt[0].text == "Fix this code:\n");
  REQUIRE(fix.llm->prompt[1].hole);
  CHECK(fix.llm->prompt[1].hole->fields == std::vector<std::string>{"code"});

  const Node &translate = llmflow::ir::test::findNode(m, "codegen/translate");
  REQUIRE((translate.dynamic != nullptr));
  CHECK(translate.dynamic->itemName == "lang");
  CHECK(translate.dynamic->maxParallel == 3);
  CHECK(translate.hook.structure == "expansion_size");

  const Node &steps = llmflow::ir::test::findNode(m, "codegen/research.steps");
  REQUIRE((steps.dynamic != nullptr));
  CHECK(steps.dynamic->allowedTools == std::vector<std::string>{"http.search", "helper"});
  CHECK(steps.dynamic->resolvedBy == std::vector<std::string>{"codegen/research"});
  CHECK((app.resultExpr.kind == Expr::Kind::Binary));
}

TEST_CASE("ir json: output is deterministic and ordered") {
  std::string a = writeJSON(sampleModule());
  std::string b = writeJSON(sampleModule());
  CHECK(a == b);
  CHECK(llvm::StringRef(a).startswith("{\n  \"llmflow_ir\": 1,\n  \"source\": "));
  // the tables come in a fixed order
  size_t records = a.find("\n  \"records\""), enums = a.find("\n  \"enums\""),
         tools = a.find("\n  \"tools\""), apps = a.find("\n  \"apps\"");
  CHECK(records < enums);
  CHECK(enums < tools);
  CHECK(tools < apps);
  CHECK(apps != std::string::npos);
  // id, kind and name lead a node
  CHECK(contains(a, "\"id\": \"codegen/gen\",\n            \"kind\": \"llm\",\n"
                    "            \"name\": \"gen\",\n            \"deps\": []"));
  // doubles are written in their shortest form
  CHECK(contains(a, "\"temperature\": 0.2"));
  CHECK(contains(a, "\"backoff_seconds\": 0.25"));
  CHECK(llvm::StringRef(a).endswith("}\n"));
}

TEST_CASE("ir json: a wrong version is rejected naming both versions") {
  llvm::json::Value doc = sampleDoc();
  (*doc.getAsObject())["llmflow_ir"] = 2;
  std::string msg = readError(print(doc));
  CHECK(contains(msg, "version 2"));
  CHECK(contains(msg, "version 1"));
}

TEST_CASE("ir json: a missing or mistyped version is rejected") {
  llvm::json::Value doc = sampleDoc();
  doc.getAsObject()->erase("llmflow_ir");
  CHECK(contains(readError(print(doc)), "missing 'llmflow_ir'"));
  (*doc.getAsObject())["llmflow_ir"] = "1";
  CHECK(contains(readError(print(doc)), "llmflow_ir: expected integer version"));
}

TEST_CASE("ir json: a missing field is named by its path") {
  llvm::json::Value doc = sampleDoc();
  appNode(doc, 1, 3).erase("deps");
  CHECK(readError(print(doc)) == "apps[1].graph.nodes[3].deps: missing required field");
}

TEST_CASE("ir json: an unknown node kind lists the accepted spellings") {
  llvm::json::Value doc = sampleDoc();
  appNode(doc, 1, 3)["kind"] = "robot";
  std::string msg = readError(print(doc));
  CHECK(llvm::StringRef(msg).startswith(
      "apps[1].graph.nodes[3].kind: expected one of regular, llm, dynamic"));
  CHECK(contains(msg, "'robot'"));
}

TEST_CASE("ir json: mistyped fields are named by their path") {
  {
    llvm::json::Value doc = sampleDoc();
    (*appNode(doc, 1, 0).getObject("llm"))["max_tokens"] = "many";
    CHECK(readError(print(doc)) ==
          "apps[1].graph.nodes[0].llm.max_tokens: expected non-negative integer");
  }
  {
    llvm::json::Value doc = sampleDoc();
    (*appNode(doc, 1, 0).getObject("policy"))["attempts"] = -1;
    CHECK(contains(readError(print(doc)), "apps[1].graph.nodes[0].policy.attempts"));
  }
  {
    llvm::json::Value doc = sampleDoc();
    appNode(doc, 1, 1)["deps"] = "codegen/gen";
    CHECK(readError(print(doc)) == "apps[1].graph.nodes[1].deps: expected array");
  }
  {
    llvm::json::Value doc = sampleDoc();
    appNode(doc, 1, 1)["result_type"] = "list<Report";
    CHECK(readError(print(doc)) ==
          "apps[1].graph.nodes[1].result_type: malformed type 'list<Report'");
  }
  {
    llvm::json::Value doc = sampleDoc();
    appNode(doc, 1, 1)["result_type"] = "Missing";
    CHECK(contains(readError(print(doc)), "names no record or enum"));
  }
  {
    // deep inside a body: the path goes through dynamic.bodies
    llvm::json::Value doc = sampleDoc();
    llvm::json::Object &fixes = appNode(doc, 1, 2);
    llvm::json::Object &check = *(*fixes.getObject("dynamic")
                                       ->getArray("bodies")
                                       ->front()
                                       .getAsObject()
                                       ->getArray("nodes"))[1]
                                     .getAsObject();
    (*check.getObject("tool"))["args"] = llvm::json::Array{llvm::json::Object{{"name", "code"}}};
    CHECK(readError(print(doc)) ==
          "apps[1].graph.nodes[2].dynamic.bodies[0].nodes[1].tool.args[0].value: missing "
          "required field");
  }
}

TEST_CASE("ir json: unknown fields are rejected") {
  llvm::json::Value doc = sampleDoc();
  appNode(doc, 0, 0)["colour"] = "blue";
  CHECK(readError(print(doc)) == "apps[0].graph.nodes[0].colour: unknown field");
}

TEST_CASE("ir json: garbage and non-objects give errors, never crashes") {
  CHECK(contains(readError("{not json"), "invalid JSON"));
  CHECK(contains(readError(""), "invalid JSON"));
  CHECK(contains(readError("[1, 2]"), "expected a JSON object"));
  CHECK(contains(readError("42"), "expected a JSON object"));
  CHECK(contains(readError("{\"llmflow_ir\": 1}"), "source: missing required field"));
  CHECK(contains(readError(std::string(100000, '[')), "nested deeper"));
  CHECK(contains(readError("\"\xff\xfe\""), "invalid JSON"));

  // Every truncation of a valid file is an error; none crashes.
  std::string good = writeJSON(sampleModule(), false);
  for (size_t n = 0; n < good.size(); n += 13) {
    llvm::Expected<Module> m = readJSON(llvm::StringRef(good).take_front(n));
    CHECK_FALSE(bool(m));
    llvm::consumeError(m.takeError());
  }
  // Type confusion anywhere: replace each value in turn by a wrong one.
  // Inserting an unknown member after every member is rejected, except inside
  // free-form JSON (literals, defaults, output schemas).
  size_t failures = 0, total = 0;
  for (size_t pos = good.find(':'); pos != std::string::npos; pos = good.find(':', pos + 1)) {
    std::string bad = good;
    bad.insert(pos + 1, "[0],\"zz\":");
    llvm::Expected<Module> m = readJSON(bad);
    ++total;
    failures += !m;
    llvm::consumeError(m.takeError());
  }
  CHECK(total > 500);
  CHECK(failures * 10 >= total * 9);
}

TEST_CASE("ir json: readJSONFile reads a file and names it in errors") {
  llvm::SmallString<128> path;
  REQUIRE(!llvm::sys::fs::createTemporaryFile("llmflow-ir-test", "json", path));
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    REQUIRE(!ec);
    os << writeJSON(sampleModule());
  }
  llvm::Expected<Module> m = readJSONFile(path);
  REQUIRE_MESSAGE(bool(m), llvm::toString(m.takeError()));
  CHECK(m->apps.size() == 2);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    os << "{}";
  }
  llvm::Expected<Module> bad = readJSONFile(path);
  REQUIRE_FALSE(bool(bad));
  CHECK(contains(llvm::toString(bad.takeError()), path.str()));
  llvm::sys::fs::remove(path);
  llvm::Expected<Module> missing = readJSONFile(path);
  REQUIRE_FALSE(bool(missing));
  CHECK(contains(llvm::toString(missing.takeError()), "cannot read"));
}
