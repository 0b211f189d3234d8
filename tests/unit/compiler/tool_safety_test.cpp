// Tool declarations and safety: the `env` property (checked, lowered into
// the IR, read back) and the warning for a program named by a template.
#include "compile_helpers.h"

#include "ir/ir_json.h"

using namespace llmflow;
using support::DiagID;
using support::Severity;

TEST_CASE("env: names lower into the IR and survive a JSON round trip") {
  auto c = test::compile(R"(
tool show(x: string) -> string { exec = ["env"]; env = ["GITHUB_TOKEN", "_PRIVATE2"]; timeout = 5s; }
tool plain(x: string) -> string { exec = ["env"]; timeout = 5s; }
app a(x: string) -> string {
  tool s = show(x: x)
  tool p = plain(x: s)
  return p;
}
)");
  REQUIRE_MESSAGE(c->module, c->messages());
  CHECK(c->count(Severity::Warning) == 0);
  const auto &tools = c->module->tools;
  auto find = [&](llvm::StringRef name) {
    return std::find_if(tools.begin(), tools.end(), [&](const ir::ToolDef &t) { return t.name == name; });
  };
  REQUIRE(find("show") != tools.end());
  CHECK(find("show")->env == std::vector<std::string>{"GITHUB_TOKEN", "_PRIVATE2"});
  CHECK(find("plain")->env.empty());
  std::string text = ir::writeJSON(*c->module);
  CHECK(text.find("\"env\"") != std::string::npos);
  CHECK(text.find("\"_PRIVATE2\"") != std::string::npos);
  auto back = ir::readJSON(text);
  REQUIRE_MESSAGE(back, (back ? "" : llvm::toString(back.takeError())));
  CHECK(ir::writeJSON(*back) == text);
}

TEST_CASE("env: only exec tools, a list of distinct variable names") {
  for (const char *decl : {R"(tool t(x: string) -> string { http = "GET"; url = "https://e.org/{{x}}"; env = ["A"]; })",
                           R"(tool t(x: string) -> string { exec = ["env"]; env = "A"; })",
                           R"(tool t(x: string) -> string { exec = ["env"]; env = ["1A"]; })",
                           R"(tool t(x: string) -> string { exec = ["env"]; env = ["A=1"]; })",
                           R"(tool t(x: string) -> string { exec = ["env"]; env = [""]; })",
                           R"(tool t(x: string) -> string { exec = ["env"]; env = ["{{x}}"]; })",
                           R"(tool t(x: string) -> string { exec = ["env"]; env = [1]; })",
                           R"(tool t(x: string) -> string { exec = ["env"]; env = ["A", "B", "A"]; })"}) {
    CAPTURE(decl);
    auto c = test::compile(std::string(decl) + "\napp a(x: string) -> string {\n  tool s = t(x: x)\n  return s;\n}\n");
    CHECK_FALSE(c->module);
    CHECK(c->has(DiagID::ErrPropertyValue));
    CHECK(c->count(Severity::Error) == 1);
    CHECK(c->messages().find("'env'") != std::string::npos);
  }
}

TEST_CASE("a program named by a template is a warning; arguments are not") {
  for (const char *argv : {R"(["{{p}}"])", R"(["/opt/{{p}}/bin/tool", "x"])", R"(["{{p}}.sh"])"}) {
    CAPTURE(argv);
    auto c = test::compile(std::string("tool t(p: string) -> string { exec = ") + argv +
                           "; timeout = 5s; }\napp a(p: string) -> string {\n  tool s = t(p: p)\n  return s;\n}\n");
    CHECK(c->module);
    CHECK(c->has(DiagID::WarnTemplatedProgram));
  }
  auto c = test::compile("tool t(p: string) -> string { exec = [\"echo\", \"{{p}}\"]; timeout = 5s; }\n"
                         "app a(p: string) -> string {\n  tool s = t(p: p)\n  return s;\n}\n");
  CHECK(c->module);
  CHECK_FALSE(c->has(DiagID::WarnTemplatedProgram));
}
