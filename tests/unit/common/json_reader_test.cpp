// The bounded JSON reader: the grammar, the limits, duplicate keys, and
// agreement with llvm::json::parse on ordinary documents.
#include "common/json_reader.h"

#include <doctest/doctest.h>

#include <string>

using llmflow::JSONLimits;
using llmflow::parseJSON;

namespace {

std::string errorOf(llvm::StringRef text, const JSONLimits &limits = {}) {
  auto v = parseJSON(text, limits);
  if (v)
    return "";
  return llvm::toString(v.takeError());
}

std::string printed(const llvm::json::Value &v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << v;
  return os.str();
}

std::string nested(size_t depth, char open = '[', char close = ']') {
  return std::string(depth, open) + std::string(depth, close);
}

} // namespace

TEST_CASE("json reader: agrees with llvm::json on ordinary documents") {
  const char *docs[] = {
      "null", "true", "false", "0", "-0", "42", "-17", "3.5", "1e3", "-2.5E-3", "\"\"", "\"a\\nb\\t\\\"q\\\"\\\\\"",
      "[]", "{}", "[1, [2, [3, {}]], \"x\"]", "{\"a\": {\"b\": [true, null]}, \"c\": 1.25}",
      "  {\"k\" : \"v\"}  ", "\"\\u00e9\\u4e2d\\ud83d\\ude00\"", "9223372036854775807", "-9223372036854775808",
      "\"\\/\\b\\f\\r\"", "[0.1, 1e-300, 123456789012]",
  };
  for (const char *d : docs) {
    CAPTURE(d);
    auto mine = parseJSON(d);
    auto ref = llvm::json::parse(d);
    REQUIRE(bool(mine));
    REQUIRE(bool(ref));
    CHECK(printed(*mine) == printed(*ref));
  }
}

TEST_CASE("json reader: integers beyond int64 become doubles, overflow to infinity is an error") {
  auto big = parseJSON("9223372036854775808");
  REQUIRE(bool(big));
  CHECK(big->kind() == llvm::json::Value::Number);
  CHECK(big->getAsNumber().getValue() == doctest::Approx(9.223372036854775808e18));
  auto e23 = parseJSON("1e23");
  REQUIRE(bool(e23));
  CHECK(e23->getAsNumber().getValue() == doctest::Approx(1e23));
  CHECK(errorOf("1e400").find("number out of range") != std::string::npos);
  CHECK(errorOf("-1e400").find("number out of range") != std::string::npos);
  auto tiny = parseJSON("1e-400");
  REQUIRE(bool(tiny));
  CHECK(tiny->getAsNumber().getValue() == 0.0);
}

TEST_CASE("json reader: 100,000 nested brackets are a clear error, not a stack overflow") {
  for (auto [o, c] : {std::pair{'[', ']'}, std::pair{'{', '}'}}) {
    std::string text = o == '[' ? nested(100000) : "";
    if (o == '{') {
      for (int i = 0; i < 100000; ++i)
        text += "{\"a\":";
      text += "1" + std::string(100000, '}');
    }
    std::string err = errorOf(text);
    CHECK(err.find("nested deeper than 256 levels") != std::string::npos);
    CHECK(err.find(o == '[' ? "byte=256" : "byte=1280") != std::string::npos);
  }
  // Unclosed nesting, as a cut hostile stream would send it.
  CHECK(errorOf(std::string(100000, '[')).find("nested deeper") != std::string::npos);
}

TEST_CASE("json reader: the depth limit is exact and configurable") {
  CHECK(bool(parseJSON(nested(256))));
  CHECK(errorOf(nested(257)).find("nested deeper than 256 levels") != std::string::npos);
  JSONLimits small;
  small.maxDepth = 2;
  CHECK(bool(parseJSON("[[1]]", small)));
  CHECK(bool(parseJSON("{\"a\": [1]}", small)));
  CHECK(errorOf("[[[1]]]", small).find("nested deeper than 2 levels") != std::string::npos);
  // Scalars and strings that look like brackets do not count.
  CHECK(bool(parseJSON("[\"[[[[[[\"]", small)));
}

TEST_CASE("json reader: size and string limits") {
  JSONLimits l;
  l.maxBytes = 10;
  CHECK(bool(parseJSON("[1,2,3,4]", l)));
  CHECK(errorOf("[1,2,3,4,5]", l).find("over the limit of 10 bytes") != std::string::npos);
  JSONLimits s;
  s.maxStringBytes = 4;
  CHECK(bool(parseJSON("\"abcd\"", s)));
  CHECK(errorOf("\"abcde\"", s).find("string longer than 4 bytes") != std::string::npos);
  CHECK(errorOf("{\"abcde\": 1}", s).find("string longer than 4 bytes") != std::string::npos);
  // Escapes count after unescaping.
  CHECK(bool(parseJSON("\"\\u0041\\u0042\\u0043\\u0044\"", s)));
}

TEST_CASE("json reader: duplicate keys are an error") {
  std::string err = errorOf(R"({"a": 1, "b": 2, "a": 3})");
  CHECK(err.find("duplicate key 'a'") != std::string::npos);
  CHECK(err.find("[1:18, byte=17]") != std::string::npos);
  CHECK(errorOf(R"({"x": {"a": 1, "a": 1}})").find("duplicate key 'a'") != std::string::npos);
  // The same key in sibling objects is fine.
  CHECK(bool(parseJSON(R"([{"a": 1}, {"a": 2}])")));
}

TEST_CASE("json reader: malformed documents name the place") {
  CHECK(errorOf("").find("unexpected end of input") != std::string::npos);
  CHECK(errorOf("[1,]").find("[1:4, byte=3]: invalid JSON value") != std::string::npos);
  CHECK(errorOf("[1 2]").find("expected ',' or ']'") != std::string::npos);
  CHECK(errorOf("{\"a\" 1}").find("expected ':'") != std::string::npos);
  CHECK(errorOf("{1: 2}").find("expected an object key") != std::string::npos);
  CHECK(errorOf("{\"a\": 1,}").find("expected an object key") != std::string::npos);
  CHECK(errorOf("[1]\n x").find("[2:2, byte=5]: text after the end") != std::string::npos);
  CHECK(errorOf("\"abc").find("unterminated string") != std::string::npos);
  CHECK(errorOf("\"a\nb\"").find("control character") != std::string::npos);
  CHECK(errorOf("\"\\x\"").find("invalid escape") != std::string::npos);
  CHECK(errorOf("\"\\u12g4\"").find("invalid \\u escape") != std::string::npos);
  CHECK(errorOf("01").find("text after the end") != std::string::npos);
  CHECK(errorOf("1.").find("digits must follow '.'") != std::string::npos);
  CHECK(errorOf("1e").find("digits must follow the exponent") != std::string::npos);
  CHECK(errorOf("-").find("invalid number") != std::string::npos);
  CHECK(errorOf("tru").find("invalid JSON value") != std::string::npos);
  CHECK(errorOf("NaN").find("invalid JSON value") != std::string::npos);
  CHECK(errorOf("\"\xff\"").find("invalid UTF-8") != std::string::npos);
}

TEST_CASE("json reader: lone surrogates become U+FFFD") {
  auto v = parseJSON("\"\\ud800x\\udc00\"");
  REQUIRE(bool(v));
  CHECK(*v->getAsString() == "\xef\xbf\xbdx\xef\xbf\xbd");
}

TEST_CASE("json reader: the memory estimate stops object-dense documents early") {
  // 100,000 one-member objects: about 2 MB of text, 400 MB as llvm::json values.
  std::string text = "[";
  for (int i = 0; i < 100000; ++i)
    text += std::string(i ? "," : "") + "{\"a\":1}";
  text += "]";
  std::string err = errorOf(text);
  CHECK(err.find("would take more than 268435456 bytes in memory") != std::string::npos);
  JSONLimits roomy;
  roomy.maxMemoryBytes = size_t(1) << 30;
  CHECK(errorOf(text, roomy) == "");
  // Arrays and strings are charged by what they hold.
  JSONLimits tight;
  tight.maxMemoryBytes = 1000;
  CHECK(bool(parseJSON("[1, 2, 3]", tight)));
  CHECK(errorOf("[\"" + std::string(2000, 'x') + "\"]", tight).find("bytes in memory") != std::string::npos);
  CHECK(errorOf("{\"a\": 1}", tight).find("bytes in memory") != std::string::npos); // 64 buckets
}
