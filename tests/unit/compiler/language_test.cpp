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
  };
  for (const Case &k : cases) {
    CAPTURE(k.src);
    auto c = test::compile(k.src);
    CHECK(c->count(Severity::Error) == 1);
    CHECK(c->has(k.id));
  }
}
