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
