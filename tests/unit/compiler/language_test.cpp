// The language as a user writes it: fixes and additions checked through the
// real pipeline (values lowered to the IR, diagnostics by id).
#include "compile_helpers.h"

#include "ir/ir_json.h"
#include "ir/ir_summary.h"
#include "ir/json_text.h"

using namespace llmflow;
using support::DiagID;
using support::Severity;

TEST_CASE("language: an enum value is a constant input default") {
  auto c = test::compile(R"(
enum Depth { quick, deep }
app a(topic: string, depth: Depth = Depth.deep) -> string {
  return topic + " at " + depth;
}
)");
  REQUIRE_MESSAGE(c->module, c->messages());
  const ir::Param &depth = c->module->apps.at(0).inputs.at(1);
  REQUIRE(depth.defaultValue);
  CHECK(*depth.defaultValue == llvm::json::Value("deep"));
  // --emit=summary shows defaults.
  CHECK(llvm::StringRef(ir::writeSummary(*c->module)).contains("depth: Depth = \"deep\""));
}

TEST_CASE("language: a record literal of a declared record adds no structural copy to the IR") {
  auto c = test::compile(R"(
record Code { code: string, language: string }
app a(q: string) -> Code {
  return {code: q, language: "python"};
}
)");
  REQUIRE_MESSAGE(c->module, c->messages());
  REQUIRE(c->module->records.size() == 1);
  CHECK(c->module->records[0].name == "Code");
  CHECK(c->module->apps[0].resultExpr.type.str() == "Code");
}

TEST_CASE("language: floats are written in their shortest round-tripping form") {
  CHECK(ir::formatDouble(0.86) == "0.86");
  CHECK(ir::formatDouble(0.92) == "0.92");
  CHECK(ir::formatDouble(1e21) == "1e+21");
  CHECK(ir::toText(llvm::json::Value(llvm::json::Object{{"p", 0.1 + 0.2}, {"q", 0.5}})) ==
        "{\"p\":0.30000000000000004,\"q\":0.5}");
}

TEST_CASE("language: each cascade of the past is one error") {
  struct Case { const char *src; DiagID id; };
  const Case cases[] = {
      {"app a(t: string, n: int = len(t)) -> int { return n; }", DiagID::ErrDefaultNotConstant},
      {"app a(t: string) -> string { llm x { prompt = \"{{t}}\"; timeout = 1s; } return x;"
       " llm y { prompt = \"{{x}}\"; timeout = 1s; } }",
       DiagID::ErrMisplacedReturn},
      {"app a(t: string) -> string { llm x { prompt = \"{{t}}\"; timeout = 1s; } yield x; }", DiagID::ErrMisplacedYield},
      {"tool t(q: string) -> string { exec = [\"echo\"]; }\n"
       "app a(topic: string) -> string { tool x = t(qq: topic) return x; }",
       DiagID::ErrUnknownArgument},
      {"app a(t: string) -> string { call x = b(t: t) return x; }\n"
       "app b(t: string) -> string { call y = a(t: t) return y; }",
       DiagID::ErrRecursiveCall},
      // Alternatives that part after their first token: recovery skips the
      // item rather than parse it again (it once did, up to the error limit).
      {"import 5;\napp a() -> int { return 1; }", DiagID::ErrUnexpectedToken},
      {"import std.text as text as t;\napp a() -> int { return 1; }", DiagID::ErrExpectedToken},
      {"app a() -> int { return 1; }\napp app b() -> int { return 2; }", DiagID::ErrUnexpectedToken},
      // A statement without its name is not a keyword used as a property.
      {"app a(q: string) -> string { tool = t(x: q) return q; }", DiagID::ErrExpectedToken},
      // A statement at the top level: the keyword is the mistake, not the name.
      {"let defaults { timeout = 1s; }\napp a() -> int { return 1; }", DiagID::ErrExpectedToken},
  };
  for (const Case &k : cases) {
    CAPTURE(k.src);
    auto c = test::compile(k.src);
    CHECK(c->count(Severity::Error) == 1);
    CHECK(c->has(k.id));
  }
}

TEST_CASE("language: let values are checked and computed where they are used") {
  auto c = test::compile(R"(
tool search(q: string) -> list<string> { exec = ["search"]; }
app a(topic: string) -> string {
  tool hits = search(q: topic)
  let first: string = hits[0];
  let shout = upper(first);
  llm answer {
    prompt = "About {{shout}}: {{hits[1:]}}";
    timeout = 10s;
  }
  return answer + shout;
}
)");
  REQUIRE_MESSAGE(c->module, c->messages());
  CHECK(c->count(Severity::Warning) == 0);
  // No node for a let: the LLM stage depends on what the let reads.
  const ir::Node *answer = test::findNode(*c->module, "a/answer");
  REQUIRE(answer);
  CHECK(answer->deps == std::vector<std::string>{"a/hits"});
  CHECK_FALSE(test::findNode(*c->module, "a/shout"));
  // The hole {{shout}} is upper(index(hits, 0)), computed in place.
  const ir::Expr &hole = *answer->llm->prompt.at(1).hole;
  CHECK((hole.kind == ir::Expr::Kind::Call));
  CHECK(hole.name == "upper");
  CHECK(hole.args.at(0).name == "index");
  CHECK(answer->llm->prompt.at(3).hole->name == "slice");
}

TEST_CASE("language: indexing, slicing and ?? are typed") {
  auto c = test::compile(R"(
record Hit { url: string, score: float }
app a(hits: list<Hit>, note: string?, n: int) -> string {
  let best = hits[0].url;
  let rest: list<Hit> = hits[1:n];
  let head = best[:8];
  return head + (note ?? "none") + str(len(rest));
}
)");
  REQUIRE_MESSAGE(c->module, c->messages());
  const ir::Expr &r = c->module->apps[0].resultExpr;
  CHECK(r.type.str() == "string");
}

TEST_CASE("language: match on an enum needs every value once, and is lowered without a new node kind") {
  auto c = test::compile(R"(
enum Route { search, answer, refuse }
app a(r: Route, q: string) -> string {
  return match r {
    search => "looking up " + q,
    Route.answer => q,
    _ => "no",
  };
}
)");
  REQUIRE_MESSAGE(c->module, c->messages());
  const ir::Expr &m = c->module->apps[0].resultExpr;
  CHECK((m.kind == ir::Expr::Kind::Call));
  CHECK(m.name == "match");
  REQUIRE(m.args.size() == 6); // subject, [search], v, [answer], v, default
  CHECK(m.args[1].args.at(0).literal == llvm::json::Value("search"));
  CHECK(m.args[3].args.at(0).literal == llvm::json::Value("answer"));

  auto bad = test::compile("enum E { a, b, c }\napp x(e: E) -> int { return match e { a => 1, b => 2 }; }");
  CHECK(bad->has(DiagID::ErrMatchNotExhaustive));
  CHECK(bad->count(Severity::Error) == 1);
}

TEST_CASE("language: a loop's state can be declared, and a declared record built from a literal") {
  auto c = test::compile(R"(
record Code { code: string, language: string }
record State { code: Code, tries: int }
app a(q: string) -> string {
  llm gen -> Code { prompt = "{{q}}"; timeout = 10s; }
  loop fix -> State (max = 3, init = {code: gen, tries: 0}) {
    llm better -> Code { prompt = "Improve {{fix.code.code}}"; timeout = 10s; }
    yield {code: better, tries: fix.tries + 1};
  } until (fix.tries >= 2)
  loop plain (max = 2, init = {code: {code: q, language: "py"}, tries: 0}) {
    yield {code: gen, tries: plain.tries + 1};
  } until (plain.tries > 1)
  return fix.code.code + plain.code.language;
}
)");
  REQUIRE_MESSAGE(c->module, c->messages());
  CHECK(test::findNode(*c->module, "a/fix")->resultType.str() == "State");
  // Only declared records in the IR, and the structural one of `plain`.
  for (const ir::RecordDef &r : c->module->records)
    CHECK((r.name == "Code" || r.name == "State" || llvm::StringRef(r.name).startswith("__rec")));
}

TEST_CASE("language: template holes hold expressions") {
  auto c = test::compile(R"(
record Doc { title: string, tags: list<string> }
app a(docs: list<Doc>) -> string {
  return "{{len(docs)}} docs; first: {{docs[0].title}}; tags {{ docs[0].tags[:2] }}";
}
)");
  REQUIRE_MESSAGE(c->module, c->messages());
  const ir::Expr &r = c->module->apps[0].resultExpr;
  REQUIRE((r.kind == ir::Expr::Kind::Call));
  CHECK(r.name == "concat");
  CHECK(r.args.at(0).name == "len");
  auto bad = test::compile("app a(xs: list<int>) -> string { return \"{{xs[0}}\"; }");
  CHECK(bad->has(DiagID::ErrMissingToken));
  CHECK(bad->count(Severity::Error) == 1);
}
