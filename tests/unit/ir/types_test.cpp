// Unit tests for the IR's types: spelling and parsing, enum spellings, module
// lookups and JSON schemas.
#include "sample_module.h"

#include "ir/ir.h"

#include <doctest/doctest.h>

using namespace llmflow::ir;
using K = Type::Kind;

TEST_CASE("ir type: canonical spelling of every kind") {
  CHECK(Type::prim(K::String).str() == "string");
  CHECK(Type::prim(K::Int).str() == "int");
  CHECK(Type::prim(K::Float).str() == "float");
  CHECK(Type::prim(K::Bool).str() == "bool");
  CHECK(Type::prim(K::Json).str() == "json");
  CHECK(Type::prim(K::None).str() == "none");
  CHECK(Type::list(Type::prim(K::Int)).str() == "list<int>");
  CHECK(Type::optional(Type::named(K::Record, "Code")).str() == "optional<Code>");
  CHECK(Type::list(Type::optional(Type::named(K::Enum, "std.Verdict"))).str() ==
        "list<optional<std.Verdict>>");
}

TEST_CASE("ir type: parseType inverts str") {
  for (const char *s : {"string", "int", "float", "bool", "json", "none", "list<int>",
                        "optional<string>", "list<list<optional<json>>>", "Code",
                        "common.Code", "list<a.b.C>", "optional<_x1>"}) {
    CAPTURE(s);
    std::optional<Type> t = parseType(s);
    REQUIRE(t);
    CHECK(t->str() == s);
  }
  std::optional<Type> t = parseType("list<optional<Code>>");
  REQUIRE(t);
  CHECK(*t == Type::list(Type::optional(Type::named(K::Record, "Code"))));
}

TEST_CASE("ir type: parseType rejects malformed spellings") {
  for (const char *s : {"", "list", "list<", "list<int", "list<int>>", "list<>", "optional<>",
                        "optional int", " int", "int ", "in t", "1abc", "a..b", "a.", ".a",
                        "list<int>x", "list(int)", "int?", "map<int>x", "list<int,int>"}) {
    CAPTURE(s);
    CHECK_FALSE(parseType(s).has_value());
  }
  std::string deep;
  for (int i = 0; i < 200; ++i)
    deep += "list<";
  deep += "int";
  for (int i = 0; i < 200; ++i)
    deep += ">";
  CHECK_FALSE(parseType(deep).has_value()); // bounded nesting, no stack exhaustion
}

TEST_CASE("ir type: parseType with a module classifies records and enums") {
  Module m = llmflow::ir::test::sampleModule();
  std::optional<Type> e = parseType("list<Verdict>", &m);
  REQUIRE(e);
  CHECK(e->elem.front().kind == K::Enum);
  std::optional<Type> r = parseType("Code", &m);
  REQUIRE(r);
  CHECK(r->kind == K::Record);
  CHECK_FALSE(parseType("Nope", &m).has_value());
  std::optional<Type> noModule = parseType("Verdict", nullptr);
  REQUIRE(noModule);
  CHECK(noModule->kind == K::Record);
}

TEST_CASE("ir enums: toString spellings and their inverses") {
  CHECK(toString(NodeKind::Regular) == "regular");
  CHECK(toString(NodeKind::LLM) == "llm");
  CHECK(toString(NodeKind::Dynamic) == "dynamic");
  CHECK(toString(ExecutorClass::None) == "none");
  CHECK(toString(DynamicKind::Planner) == "planner");
  CHECK(toString(DynamicKind::Call) == "call");
  CHECK(toString(RefRoot::LoopState) == "loop_state");
  CHECK(toString(RefRoot::MapItem) == "map_item");
  CHECK(toString(ToolDef::Impl::Builtin) == "builtin");
  for (DynamicKind k : {DynamicKind::Planner, DynamicKind::Loop, DynamicKind::Branch,
                        DynamicKind::Map, DynamicKind::Call})
    CHECK((parseDynamicKind(toString(k)) == k));
  for (RefRoot k : {RefRoot::Input, RefRoot::Node, RefRoot::LoopState, RefRoot::MapItem})
    CHECK((parseRefRoot(toString(k)) == k));
  CHECK((parseExecutorClass("llm") == ExecutorClass::LLM));
  CHECK((parseToolImpl("http") == ToolDef::Impl::Http));
  CHECK((parseExprKind("binary") == Expr::Kind::Binary));
  CHECK_FALSE(parseNodeKind("LLM").has_value());
  CHECK_FALSE(parseNodeKind("").has_value());
}

TEST_CASE("ir module: find functions look tables up by name") {
  Module m = llmflow::ir::test::sampleModule();
  REQUIRE(m.findApp("codegen"));
  CHECK(m.findApp("codegen")->name == "codegen");
  CHECK(m.findTool("http.search") == &m.tools[1]);
  CHECK(m.findRecord("Report") == &m.records[1]);
  CHECK(m.findEnum("Verdict") == &m.enums[0]);
  CHECK(m.findApp("nope") == nullptr);
  CHECK(m.findTool("search") == nullptr);
  CHECK(m.findRecord("Verdict") == nullptr);
  CHECK(m.findEnum("Code") == nullptr);
}

TEST_CASE("ir jsonSchema: a record inlines nested records and requires every field") {
  Module m = llmflow::ir::test::sampleModule();
  llvm::json::Value expected = llvm::json::Object{
      {"type", "object"},
      {"properties",
       llvm::json::Object{
           {"code", llvm::json::Object{{"type", "string"}}},
           {"report", llvm::json::Object{
                          {"type", "object"},
                          {"properties",
                           llvm::json::Object{{"passed", llvm::json::Object{{"type", "boolean"}}},
                                              {"log", llvm::json::Object{{"type", "string"}}}}},
                          {"required", llvm::json::Array{"passed", "log"}},
                          {"additionalProperties", false}}}}},
      {"required", llvm::json::Array{"code", "report"}},
      {"additionalProperties", false}};
  CHECK(jsonSchema(Type::named(K::Record, "Attempt"), m) == expected);
}

TEST_CASE("ir jsonSchema: primitives, lists, optionals and enums") {
  Module m = llmflow::ir::test::sampleModule();
  using llvm::json::Array;
  using llvm::json::Object;
  CHECK(jsonSchema(Type::prim(K::Int), m) == llvm::json::Value(Object{{"type", "integer"}}));
  CHECK(jsonSchema(Type::prim(K::Float), m) == llvm::json::Value(Object{{"type", "number"}}));
  CHECK(jsonSchema(Type::prim(K::Json), m) == llvm::json::Value(Object{}));
  CHECK(jsonSchema(Type::list(Type::prim(K::Bool)), m) ==
        llvm::json::Value(Object{{"type", "array"}, {"items", Object{{"type", "boolean"}}}}));
  CHECK(jsonSchema(Type::optional(Type::prim(K::String)), m) ==
        llvm::json::Value(
            Object{{"anyOf", Array{Object{{"type", "string"}}, Object{{"type", "null"}}}}}));
  CHECK(jsonSchema(Type::named(K::Enum, "Verdict"), m) ==
        llvm::json::Value(Object{{"type", "string"}, {"enum", Array{"pass", "fail"}}}));
}

TEST_CASE("ir jsonSchema: a self-referential record terminates") {
  Module m;
  m.records.push_back(
      {"Tree", {{"label", Type::prim(K::String)},
                {"kids", Type::list(Type::named(K::Record, "Tree"))}}});
  llvm::json::Value s = jsonSchema(Type::named(K::Record, "Tree"), m);
  const llvm::json::Object *kids =
      s.getAsObject()->getObject("properties")->getObject("kids");
  REQUIRE(kids);
  CHECK(*kids->get("items") == llvm::json::Value(llvm::json::Object{}));
}
