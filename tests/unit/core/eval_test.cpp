// Evaluating the IR expressions a compiled program holds: each test compiles
// an application whose result is one expression over its inputs and checks
// the value the job state machine computes.
#include "../compiler/compile_helpers.h"

#include "core/job.h"

using namespace llmflow;

namespace {
/// Runs an application with no stages; its result is its return expression.
llvm::json::Value resultOf(const std::string &src, std::initializer_list<llvm::json::Object::KV> inputs,
                           std::string *error = nullptr) {
  auto c = test::compile(src);
  REQUIRE_MESSAGE(c->module, c->messages());
  rt::Job job(1, *c->module, c->module->apps.back(), llvm::json::Object(inputs), nullptr);
  job.start();
  REQUIRE(job.done());
  if (error)
    *error = job.error();
  return job.failed() ? llvm::json::Value(nullptr) : job.result();
}
} // namespace

TEST_CASE("eval: str() and templates print floats in their shortest form") {
  CHECK(resultOf("app a(x: float) -> string { return str(x) + \" \" + \"{{x}}\"; }", {{"x", 0.86}}) ==
        llvm::json::Value("0.86 0.86"));
  CHECK(resultOf("app a(x: float) -> string { return str([x, 0.92]); }", {{"x", 0.1}}) ==
        llvm::json::Value("[0.1,0.92]"));
}

TEST_CASE("eval: indexing and slicing lists and strings, negative from the end, slices clamped") {
  const char *src = R"(
app a(xs: list<int>, s: string) -> json {
  return {first: xs[0], last: xs[-1], tail: xs[1:], mid: xs[1:-1], big: xs[:100], empty: xs[5:2],
          c: s[1], word: s[:3], end: s[-2:]};
}
)";
  llvm::json::Value v = resultOf(src, {{"xs", llvm::json::Array{1, 2, 3, 4}}, {"s", "héllo"}});
  CHECK(v == llvm::json::Value(llvm::json::Object{{"first", 1},
                                                  {"last", 4},
                                                  {"tail", llvm::json::Array{2, 3, 4}},
                                                  {"mid", llvm::json::Array{2, 3}},
                                                  {"big", llvm::json::Array{1, 2, 3, 4}},
                                                  {"empty", llvm::json::Array{}},
                                                  {"c", "é"},
                                                  {"word", "hél"},
                                                  {"end", "lo"}}));
  std::string error;
  resultOf("app a(xs: list<int>) -> int { return xs[4]; }", {{"xs", llvm::json::Array{1, 2}}}, &error);
  CHECK(llvm::StringRef(error).contains("index 4 is out of range for a length of 2"));
}

TEST_CASE("eval: ?? gives the default only for none, and evaluates it only then") {
  const char *src = "app a(x: int?, xs: list<int>) -> int { return x ?? xs[9]; }";
  CHECK(resultOf(src, {{"x", 7}, {"xs", llvm::json::Array{}}}) == llvm::json::Value(7));
  std::string error;
  resultOf(src, {{"x", nullptr}, {"xs", llvm::json::Array{}}}, &error);
  CHECK(llvm::StringRef(error).contains("out of range"));
}

TEST_CASE("eval: match runs the arm of the value, and only that arm") {
  const char *src = R"(
enum Route { search, answer, refuse }
app a(r: Route, xs: list<string>) -> string {
  let picked = match r { search | answer => xs[0], refuse => xs[5] };
  return match r { search => "S:" + picked, _ => "other:" + picked };
}
)";
  CHECK(resultOf(src, {{"r", "search"}, {"xs", llvm::json::Array{"q"}}}) == llvm::json::Value("S:q"));
  CHECK(resultOf(src, {{"r", "answer"}, {"xs", llvm::json::Array{"q"}}}) == llvm::json::Value("other:q"));
  std::string error;
  resultOf(src, {{"r", "refuse"}, {"xs", llvm::json::Array{"q"}}}, &error);
  CHECK(llvm::StringRef(error).contains("out of range"));
}

TEST_CASE("eval: template holes render expressions") {
  CHECK(resultOf("app a(xs: list<string>) -> string { return \"{{len(xs)}}: {{xs[0]}}..{{xs[-1:]}}\"; }",
                 {{"xs", llvm::json::Array{"a", "b"}}}) == llvm::json::Value("2: a..[\"b\"]"));
}
