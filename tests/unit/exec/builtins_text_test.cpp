// text.split, text.join, text.replace, text.chunk, text.regex_*.
#include "exec_test_util.h"

#include "exec/builtins.h"

#include <doctest/doctest.h>

using namespace llmflow::exec;
using namespace llmflow::exec::test;
namespace json = llvm::json;

namespace {


json::Value strings(std::vector<std::string> items) {
  json::Array a;
  for (auto &s : items)
    a.push_back(s);
  return json::Value(std::move(a));
}

} // namespace

TEST_CASE("text.split splits at every occurrence and keeps empty fields") {
  CHECK(callOk("text.split", {{"text", "a,b,,c"}, {"separator", ","}}) == strings({"a", "b", "", "c"}));
  CHECK(callOk("text.split", {{"text", "a::b::"}, {"separator", "::"}}) == strings({"a", "b", ""}));
  CHECK(callOk("text.split", {{"text", "none"}, {"separator", ","}}) == strings({"none"}));
  CHECK(callOk("text.split", {{"text", ""}, {"separator", ","}}) == strings({""}));
  Failure f = callFails("text.split", {{"text", "abc"}, {"separator", ""}});
  CHECK(f.kind == kindOf(ExecErrorKind::BadArgument));
  CHECK(f.message == "text.split: separator must not be empty");
  f = callFails("text.split", {{"text", "abc"}});
  CHECK(f.message == "text.split: missing argument 'separator'");
}

TEST_CASE("text.join joins strings and rejects non-strings by index") {
  CHECK(callOk("text.join", {{"parts", strings({"a", "b", "c"})}, {"separator", ", "}}) == json::Value("a, b, c"));
  CHECK(callOk("text.join", {{"parts", strings({})}, {"separator", "-"}}) == json::Value(""));
  CHECK(callOk("text.join", {{"parts", strings({"solo"})}, {"separator", "-"}}) == json::Value("solo"));
  Failure f = callFails("text.join", {{"parts", json::Array{"a", 1}}, {"separator", "-"}});
  CHECK(f.kind == kindOf(ExecErrorKind::BadArgument));
  CHECK(f.message == "text.join: parts[1] must be a string, got number");
  f = callFails("text.join", {{"parts", "a,b"}, {"separator", "-"}});
  CHECK(f.message == "text.join: argument 'parts' must be a list of strings, got string");
}

TEST_CASE("text.replace replaces every occurrence, left to right, once") {
  CHECK(callOk("text.replace", {{"text", "a-b-c"}, {"from", "-"}, {"to", "+"}}) == json::Value("a+b+c"));
  CHECK(callOk("text.replace", {{"text", "aaa"}, {"from", "aa"}, {"to", "b"}}) == json::Value("ba"));
  CHECK(callOk("text.replace", {{"text", "x"}, {"from", "x"}, {"to", "xx"}}) == json::Value("xx"));
  CHECK(callOk("text.replace", {{"text", "abc"}, {"from", "z"}, {"to", "y"}}) == json::Value("abc"));
  CHECK(callOk("text.replace", {{"text", "abc"}, {"from", "b"}, {"to", ""}}) == json::Value("ac"));
  Failure f = callFails("text.replace", {{"text", "abc"}, {"from", ""}, {"to", "y"}});
  CHECK(f.kind == kindOf(ExecErrorKind::BadArgument));
  CHECK(f.message == "text.replace: 'from' must not be empty");
}

TEST_CASE("text.chunk makes pieces of at most size words") {
  CHECK(callOk("text.chunk", {{"text", "one two three four five"}, {"size", 2}}) ==
        strings({"one two", "three four", "five"}));
  CHECK(callOk("text.chunk", {{"text", "  one\n\ntwo\tthree  "}, {"size", 2}}) == strings({"one\n\ntwo", "three"}));
  CHECK(callOk("text.chunk", {{"text", "a b c"}, {"size", 10}}) == strings({"a b c"}));
  CHECK(callOk("text.chunk", {{"text", "a b c"}, {"size", 1}}) == strings({"a", "b", "c"}));
  CHECK(callOk("text.chunk", {{"text", ""}, {"size", 3}}) == strings({}));
  CHECK(callOk("text.chunk", {{"text", " \n\t "}, {"size", 3}}) == strings({}));
  CHECK(callOk("text.chunk", {{"text", "a b"}, {"size", 1.0}}) == strings({"a", "b"}));

  Failure f = callFails("text.chunk", {{"text", "a b"}, {"size", 0}});
  CHECK(f.kind == kindOf(ExecErrorKind::BadArgument));
  CHECK(f.message == "text.chunk: size must be at least 1, got 0");
  f = callFails("text.chunk", {{"text", "a b"}, {"size", -3}});
  CHECK(f.message == "text.chunk: size must be at least 1, got -3");
  f = callFails("text.chunk", {{"text", "a b"}, {"size", 1.5}});
  CHECK(f.message == "text.chunk: argument 'size' must be an integer");
  f = callFails("text.chunk", {{"text", "a b"}, {"size", "2"}});
  CHECK(f.message == "text.chunk: argument 'size' must be an integer, got string");
}

TEST_CASE("text.regex_match finds a match anywhere (ECMAScript syntax)") {
  CHECK(callOk("text.regex_match", {{"text", "order #1234 shipped"}, {"pattern", "#\\d{4}\\b"}}) == json::Value(true));
  CHECK(callOk("text.regex_match", {{"text", "order shipped"}, {"pattern", "\\d"}}) == json::Value(false));
  CHECK(callOk("text.regex_match", {{"text", "abc"}, {"pattern", "^b"}}) == json::Value(false));
  CHECK(callOk("text.regex_match", {{"text", "abc"}, {"pattern", "^abc$"}}) == json::Value(true));
  CHECK(callOk("text.regex_match", {{"text", "ABC"}, {"pattern", "(?=A)A\\w+"}}) == json::Value(true)); // lookahead
}

TEST_CASE("text.regex_extract returns group 1 or the whole match, for every match") {
  CHECK(callOk("text.regex_extract", {{"text", "a=1, b=22, c=333"}, {"pattern", "=(\\d+)"}}) ==
        strings({"1", "22", "333"}));
  CHECK(callOk("text.regex_extract", {{"text", "a=1, b=22"}, {"pattern", "\\w=\\d+"}}) == strings({"a=1", "b=22"}));
  CHECK(callOk("text.regex_extract", {{"text", "y xy"}, {"pattern", "(x)?y"}}) == strings({"", "x"}));
  CHECK(callOk("text.regex_extract", {{"text", "nothing"}, {"pattern", "\\d+"}}) == strings({}));
  CHECK(callOk("text.regex_extract", {{"text", "k1=v1;k2=v2"}, {"pattern", "(\\w+)=(\\w+)"}}) ==
        strings({"k1", "k2"}));
  // Empty matches advance instead of looping forever.
  auto empty = callOk("text.regex_extract", {{"text", "bab"}, {"pattern", "a*"}});
  REQUIRE(empty.getAsArray());
  CHECK(empty.getAsArray()->size() <= 4);
  // A byte-level match cannot produce invalid UTF-8 in the result.
  auto bytes = callOk("text.regex_extract", {{"text", "\xc3\xa9"}, {"pattern", "."}});
  REQUIRE(bytes.getAsArray());
  CHECK(bytes.getAsArray()->size() == 2);
}

TEST_CASE("a bad pattern is an error naming it") {
  Failure f = callFails("text.regex_match", {{"text", "x"}, {"pattern", "(unclosed"}});
  CHECK(f.kind == kindOf(ExecErrorKind::BadRegex));
  CHECK(f.message.rfind("text.regex_match: bad pattern '(unclosed': ", 0) == 0);
  f = callFails("text.regex_extract", {{"text", "x"}, {"pattern", "[z-a]"}});
  CHECK(f.kind == kindOf(ExecErrorKind::BadRegex));
  CHECK(f.message.find("'[z-a]'") != std::string::npos);
  f = callFails("text.regex_extract", {{"text", "x"}});
  CHECK(f.message == "text.regex_extract: missing argument 'pattern'");
}

TEST_CASE("long texts match on the big stack and texts over the limit are refused") {
  // ~300 bytes of stack per character: this overflows an 8 MB thread stack.
  std::string text(200000, 'a');
  text += " tail";
  CHECK(callOk("text.regex_match", {{"text", text}, {"pattern", "^.*tail$"}}) == json::Value(true));
  BuiltinContext small;
  small.maxRegexTextBytes = 1000;
  Failure f = callFails("text.regex_match", {{"text", text}, {"pattern", "a"}}, small);
  CHECK(f.kind == kindOf(ExecErrorKind::BadArgument));
  CHECK(f.message.find("200005 bytes is longer than the 1000-byte limit") != std::string::npos);
}
