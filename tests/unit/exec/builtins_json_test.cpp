// json.get, json.parse, the builtin table and its agreement with stdlib.
#include "exec_test_util.h"

#include "exec/builtins.h"

#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace llmflow::exec;
using namespace llmflow::exec::test;
namespace json = llvm::json;

namespace {

json::Value doc() {
  return json::Object{{"a", json::Object{{"b", json::Array{json::Object{{"c", 42}}, "second"}}}},
                      {"name", "x"},
                      {"0", "zero-key"}};
}

} // namespace

TEST_CASE("json.get follows dotted paths through objects and arrays") {
  CHECK(callOk("json.get", {{"value", doc()}, {"path", "a.b.0.c"}}) == json::Value(42));
  CHECK(callOk("json.get", {{"value", doc()}, {"path", "a.b.1"}}) == json::Value("second"));
  CHECK(callOk("json.get", {{"value", doc()}, {"path", "name"}}) == json::Value("x"));
  CHECK(callOk("json.get", {{"value", doc()}, {"path", "0"}}) == json::Value("zero-key")); // object key, not index
  CHECK(callOk("json.get", {{"value", doc()}, {"path", ""}}) == doc());
}

TEST_CASE("json.get errors name the missing segment and where it was looked for") {
  Failure f = callFails("json.get", {{"value", doc()}, {"path", "a.x.c"}});
  CHECK(f.kind == kindOf(ExecErrorKind::PathNotFound));
  CHECK(f.message == "json.get: path 'a.x.c' not found: no key 'x' in the object at 'a'");

  f = callFails("json.get", {{"value", doc()}, {"path", "a.b.5"}});
  CHECK(f.kind == kindOf(ExecErrorKind::PathNotFound));
  CHECK(f.message.find("index 5 is out of range for the array of 2 at 'a.b'") != std::string::npos);

  f = callFails("json.get", {{"value", doc()}, {"path", "a.b.first"}});
  CHECK(f.message.find("'first' is not an index into the array at 'a.b'") != std::string::npos);

  f = callFails("json.get", {{"value", doc()}, {"path", "name.length"}});
  CHECK(f.message.find("cannot look up 'length' in the string at 'name'") != std::string::npos);

  f = callFails("json.get", {{"value", doc()}, {"path", "missing"}});
  CHECK(f.message.find("no key 'missing' in the object at the top level") != std::string::npos);

  f = callFails("json.get", {{"value", doc()}, {"path", "a..b"}});
  CHECK(f.kind == kindOf(ExecErrorKind::BadArgument));
  CHECK(f.message.find("empty segment after 'a'") != std::string::npos);

  f = callFails("json.get", {{"value", doc()}});
  CHECK(f.kind == kindOf(ExecErrorKind::BadArgument));
  CHECK(f.message == "json.get: missing argument 'path'");

  f = callFails("json.get", {{"value", doc()}, {"path", 3}});
  CHECK(f.message == "json.get: argument 'path' must be a string, got number");
}

TEST_CASE("json.parse parses and reports malformed text with its position") {
  CHECK(callOk("json.parse", {{"text", "{\"k\": [1, true, null]}"}}) ==
        json::Value(json::Object{{"k", json::Array{1, true, nullptr}}}));
  CHECK(callOk("json.parse", {{"text", " \"s\" "}}) == json::Value("s"));

  Failure f = callFails("json.parse", {{"text", "{\"k\": 1,\n  oops}"}});
  CHECK(f.kind == kindOf(ExecErrorKind::MalformedJSON));
  CHECK(f.message.rfind("json.parse: malformed JSON [2:", 0) == 0);
  CHECK(f.message.find("byte=") != std::string::npos);

  f = callFails("json.parse", {{"text", ""}});
  CHECK(f.kind == kindOf(ExecErrorKind::MalformedJSON));

  f = callFails("json.parse", {{"text", json::Array{}}});
  CHECK(f.kind == kindOf(ExecErrorKind::BadArgument));
  CHECK(f.message == "json.parse: argument 'text' must be a string, got array");
}

TEST_CASE("http builtins and unknown names are not synchronous") {
  CHECK_FALSE(isSyncBuiltin("http.get"));
  CHECK_FALSE(isSyncBuiltin("http.post"));
  CHECK_FALSE(isSyncBuiltin("json.nope"));
  CHECK(isSyncBuiltin("json.get"));
  Failure f = callFails("http.get", {{"url", "http://x"}});
  CHECK(f.kind == kindOf(ExecErrorKind::UnknownBuiltin));
  CHECK(f.message.find("asynchronous") != std::string::npos);
  f = callFails("json.nope", {});
  CHECK(f.message == "unknown builtin 'json.nope'");
}

TEST_CASE("every builtin the standard library declares is implemented here or is http") {
  std::set<std::string> declared;
  std::regex builtinDecl("builtin\\s*=\\s*\"([^\"]+)\"");
  for (auto &entry : std::filesystem::directory_iterator(std::string(LLMFLOW_SOURCE_DIR) + "/stdlib/std")) {
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    for (std::sregex_iterator it(text.begin(), text.end(), builtinDecl), end; it != end; ++it)
      declared.insert((*it)[1].str());
  }
  REQUIRE(declared.size() >= 10);
  std::set<std::string> implemented;
  for (llvm::StringRef n : syncBuiltinNames())
    implemented.insert(n.str());
  for (const std::string &name : declared) {
    CAPTURE(name);
    CHECK(isSyncBuiltin(name) == (name.rfind("http.", 0) != 0));
  }
  for (const std::string &name : implemented) {
    CAPTURE(name);
    CHECK(declared.count(name) == 1);
  }
}

TEST_CASE("json.parse: hostile nesting and duplicate keys fail the call, not the process") {
  Failure f = callFails("json.parse", {{"text", std::string(100000, '[') + std::string(100000, ']')}});
  CHECK(f.kind == kindOf(ExecErrorKind::MalformedJSON));
  CHECK(f.message.find("nested deeper than 256 levels") != std::string::npos);
  f = callFails("json.parse", {{"text", "{\"a\": 1, \"a\": 2}"}});
  CHECK(f.kind == kindOf(ExecErrorKind::MalformedJSON));
  CHECK(f.message.find("duplicate key 'a'") != std::string::npos);
}
