// text.split, text.join, text.replace, text.chunk, text.regex_*.
#include "exec_test_util.h"

#include "exec/builtins.h"

#include <doctest/doctest.h>

using namespace llmflow::exec;
using namespace llmflow::exec::test;
namespace json = llvm::json;

namespace {

json::Value call(llvm::StringRef name, std::initializer_list<json::Object::KV> kvs, const BuiltinContext &ctx = {}) {
  auto r = callBuiltin(name, json::Object(kvs), ctx);
  if (!r) {
    FAIL_CHECK("unexpected error: " << llvm::toString(r.takeError()));
    return nullptr;
  }
  return std::move(*r);
}

Failure fail(llvm::StringRef name, std::initializer_list<json::Object::KV> kvs, const BuiltinContext &ctx = {}) {
  auto r = callBuiltin(name, json::Object(kvs), ctx);
  if (r) {
    FAIL_CHECK("expected an error from " << name.str());
    return {};
  }
  return takeFailure(r.takeError());
}

json::Value strings(std::vector<std::string> items) {
  json::Array a;
  for (auto &s : items)
    a.push_back(s);
  return json::Value(std::move(a));
}

} // namespace

TEST_CASE("text.split splits at every occurrence and keeps empty fields") {
  CHECK(call("text.split", {{"text", "a,b,,c"}, {"separator", ","}}) == strings({"a", "b", "", "c"}));
  CHECK(call("text.split", {{"text", "a::b::"}, {"separator", "::"}}) == strings({"a", "b", ""}));
  CHECK(call("text.split", {{"text", "none"}, {"separator", ","}}) == strings({"none"}));
  CHECK(call("text.split", {{"text", ""}, {"separator", ","}}) == strings({""}));
  Failure f = fail("text.split", {{"text", "abc"}, {"separator", ""}});
  CHECK(f.kind == kindOf(ExecErrorKind::BadArgument));
  CHECK(f.message == "text.split: separator must not be empty");
  f = fail("text.split", {{"text", "abc"}});
  CHECK(f.message == "text.split: missing argument 'separator'");
}

TEST_CASE("text.join joins strings and rejects non-strings by index") {
  CHECK(call("text.join", {{"parts", strings({"a", "b", "c"})}, {"separator", ", "}}) == json::Value("a, b, c"));
  CHECK(call("text.join", {{"parts", strings({})}, {"separator", "-"}}) == json::Value(""));
  CHECK(call("text.join", {{"parts", strings({"solo"})}, {"separator", "-"}}) == json::Value("solo"));
  Failure f = fail("text.join", {{"parts", json::Array{"a", 1}}, {"separator", "-"}});
  CHECK(f.kind == kindOf(ExecErrorKind::BadArgument));
  CHECK(f.message == "text.join: parts[1] must be a string, got number");
  f = fail("text.join", {{"parts", "a,b"}, {"separator", "-"}});
  CHECK(f.message == "text.join: argument 'parts' must be a list of strings, got string");
}

TEST_CASE("text.replace replaces every occurrence, left to right, once") {
  CHECK(call("text.replace", {{"text", "a-b-c"}, {"from", "-"}, {"to", "+"}}) == json::Value("a+b+c"));
  CHECK(call("text.replace", {{"text", "aaa"}, {"from", "aa"}, {"to", "b"}}) == json::Value("ba"));
  CHECK(call("text.replace", {{"text", "x"}, {"from", "x"}, {"to", "xx"}}) == json::Value("xx"));
  CHECK(call("text.replace", {{"text", "abc"}, {"from", "z"}, {"to", "y"}}) == json::Value("abc"));
  CHECK(call("text.replace", {{"text", "abc"}, {"from", "b"}, {"to", ""}}) == json::Value("ac"));
  Failure f = fail("text.replace", {{"text", "abc"}, {"from", ""}, {"to", "y"}});
  CHECK(f.kind == kindOf(ExecErrorKind::BadArgument));
  CHECK(f.message == "text.replace: 'from' must not be empty");
}

TEST_CASE("text.chunk makes pieces of at most size words") {
  CHECK(call("text.chunk", {{"text", "one two three four five"}, {"size", 2}}) ==
        strings({"one two", "three four", "five"}));
  CHECK(call("text.chunk", {{"text", "  one\n\ntwo\tthree  "}, {"size", 2}}) == strings({"one\n\ntwo", "three"}));
  CHECK(call("text.chunk", {{"text", "a b c"}, {"size", 10}}) == strings({"a b c"}));
  CHECK(call("text.chunk", {{"text", "a b c"}, {"size", 1}}) == strings({"a", "b", "c"}));
  CHECK(call("text.chunk", {{"text", ""}, {"size", 3}}) == strings({}));
  CHECK(call("text.chunk", {{"text", " \n\t "}, {"size", 3}}) == strings({}));
  CHECK(call("text.chunk", {{"text", "a b"}, {"size", 1.0}}) == strings({"a", "b"}));

  Failure f = fail("text.chunk", {{"text", "a b"}, {"size", 0}});
  CHECK(f.kind == kindOf(ExecErrorKind::BadArgument));
  CHECK(f.message == "text.chunk: size must be at least 1, got 0");
  f = fail("text.chunk", {{"text", "a b"}, {"size", -3}});
  CHECK(f.message == "text.chunk: size must be at least 1, got -3");
  f = fail("text.chunk", {{"text", "a b"}, {"size", 1.5}});
  CHECK(f.message == "text.chunk: argument 'size' must be an integer");
  f = fail("text.chunk", {{"text", "a b"}, {"size", "2"}});
  CHECK(f.message == "text.chunk: argument 'size' must be an integer, got string");
}

TEST_CASE("text.regex_match finds a match anywhere (ECMAScript syntax)") {
  CHECK(call("text.regex_match", {{"text", "order #1234 shipped"}, {"pattern", "#\\d{4}\\b"}}) == json::Value(true));
  CHECK(call("text.regex_match", {{"text", "order shipped"}, {"pattern", "\\d"}}) == json::Value(false));
  CHECK(call("text.regex_match", {{"text", "abc"}, {"pattern", "^b"}}) == json::Value(false));
  CHECK(call("text.regex_match", {{"text", "abc"}, {"pattern", "^abc$"}}) == json::Value(true));
  CHECK(call("text.regex_match", {{"text", "ABC"}, {"pattern", "(?=A)A\\w+"}}) == json::Value(true)); // lookahead
}

TEST_CASE("text.regex_extract returns group 1 or the whole match, for every match") {
  CHECK(call("text.regex_extract", {{"text", "a=1, b=22, c=333"}, {"pattern", "=(\\d+)"}}) ==
        strings({"1", "22", "333"}));
  CHECK(call("text.regex_extract", {{"text", "a=1, b=22"}, {"pattern", "\\w=\\d+"}}) == strings({"a=1", "b=22"}));
  CHECK(call("text.regex_extract", {{"text", "y xy"}, {"pattern", "(x)?y"}}) == strings({"", "x"}));
  CHECK(call("text.regex_extract", {{"text", "nothing"}, {"pattern", "\\d+"}}) == strings({}));
  CHECK(call("text.regex_extract", {{"text", "k1=v1;k2=v2"}, {"pattern", "(\\w+)=(\\w+)"}}) ==
        strings({"k1", "k2"}));
  // Empty matches advance instead of looping forever.
  auto empty = call("text.regex_extract", {{"text", "bab"}, {"pattern", "a*"}});
  REQUIRE(empty.getAsArray());
  CHECK(empty.getAsArray()->size() <= 4);
  // A byte-level match cannot produce invalid UTF-8 in the result.
  auto bytes = call("text.regex_extract", {{"text", "\xc3\xa9"}, {"pattern", "."}});
  REQUIRE(bytes.getAsArray());
  CHECK(bytes.getAsArray()->size() == 2);
}

TEST_CASE("a bad pattern is an error naming it") {
  Failure f = fail("text.regex_match", {{"text", "x"}, {"pattern", "(unclosed"}});
  CHECK(f.kind == kindOf(ExecErrorKind::BadRegex));
  CHECK(f.message.rfind("text.regex_match: bad pattern '(unclosed': ", 0) == 0);
  f = fail("text.regex_extract", {{"text", "x"}, {"pattern", "[z-a]"}});
  CHECK(f.kind == kindOf(ExecErrorKind::BadRegex));
  CHECK(f.message.find("'[z-a]'") != std::string::npos);
  f = fail("text.regex_extract", {{"text", "x"}});
  CHECK(f.message == "text.regex_extract: missing argument 'pattern'");
}

TEST_CASE("long texts match on the big stack and texts over the limit are refused") {
  // ~300 bytes of stack per character: this overflows an 8 MB thread stack.
  std::string text(200000, 'a');
  text += " tail";
  CHECK(call("text.regex_match", {{"text", text}, {"pattern", "^.*tail$"}}) == json::Value(true));
  BuiltinContext small;
  small.maxRegexTextBytes = 1000;
  Failure f = fail("text.regex_match", {{"text", text}, {"pattern", "a"}}, small);
  CHECK(f.kind == kindOf(ExecErrorKind::BadArgument));
  CHECK(f.message.find("200005 bytes is longer than the 1000-byte limit") != std::string::npos);
}
