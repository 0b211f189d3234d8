// TOML reading: hostile nesting is refused before toml11 (which recurses)
// sees it; ordinary files, strings and comments that look nested are fine.
#include "core/toml_json.h"

#include <doctest/doctest.h>

#include <string>

using llmflow::JSONLimits;
using llmflow::rt::parseTOML;

namespace {

std::string errorOf(const std::string &text, const JSONLimits &limits = {}) {
  auto v = parseTOML(text, "t.toml", limits);
  if (v)
    return "";
  return llvm::toString(v.takeError());
}

std::string repeat(const std::string &s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out += s;
  return out;
}

} // namespace

TEST_CASE("toml: 10,000 levels of arrays, inline tables, dotted keys or headers are an error") {
  CHECK(errorOf("x = " + repeat("[", 10000) + repeat("]", 10000) + "\n").find("t.toml:1: nested deeper than 256") !=
        std::string::npos);
  CHECK(errorOf("x = " + repeat("{a = ", 10000) + "1" + repeat("}", 10000) + "\n").find("nested deeper") !=
        std::string::npos);
  CHECK(errorOf("a" + repeat(".a", 10000) + " = 1\n").find("nested deeper") != std::string::npos);
  CHECK(errorOf("[a" + repeat(".a", 10000) + "]\nx = 1\n").find("nested deeper") != std::string::npos);
  // Depths add up across a header and the values below it.
  CHECK(errorOf("[a" + repeat(".a", 199) + "]\n\nx = " + repeat("[", 100) + repeat("]", 100) + "\n")
            .find("t.toml:3: nested deeper") != std::string::npos);
}

TEST_CASE("toml: nesting within the limit parses") {
  auto v = parseTOML("x = " + repeat("[", 255) + "1" + repeat("]", 255) + "\n", "t.toml");
  REQUIRE(bool(v));
  const llvm::json::Value *x = v->getAsObject()->get("x");
  for (int i = 0; i < 255; ++i)
    x = &(*x->getAsArray())[0];
  CHECK(x->getAsInteger().getValue() == 1);
  auto t = parseTOML("[a.b.c]\nd.e = {f = [1.5, 2.5], g = 1979-05-27T07:32:00.5}\n", "t.toml");
  CHECK(bool(t));
}

TEST_CASE("toml: brackets in strings and comments do not count") {
  std::string deep = repeat("[{", 5000);
  auto v = parseTOML("a = \"" + deep + "\"\nb = '" + deep + "'\nc = \"\"\"\n" + deep + "\n\"\"\"\nd = '''" + deep +
                         "'''\n# " + deep + "\ne = \"q\\\"[[[\"\n",
                     "t.toml");
  REQUIRE(bool(v));
  CHECK(v->getAsObject()->getString("e").getValue() == "q\"[[[");
}

TEST_CASE("toml: the size limit") {
  JSONLimits l;
  l.maxBytes = 8;
  CHECK(errorOf("x = 12345\n", l).find("over the limit of 8 bytes") != std::string::npos);
  JSONLimits d;
  d.maxDepth = 2;
  CHECK(errorOf("x = [[[1]]]\n", d).find("nested deeper than 2") != std::string::npos);
  CHECK(errorOf("x = [[1]]\n", d) == "");
}

TEST_CASE("toml: inline tables at the depth limit parse") {
  auto v = parseTOML("x = " + repeat("{a = ", 254) + "1" + repeat("}", 254) + "\n", "t.toml");
  CHECK(bool(v));
}

TEST_CASE("toml: inf and nan are refused with the key's path") {
  CHECK(errorOf("[timeouts]\nfirst_token = inf\n") == "t.toml: timeouts.first_token: inf and nan are not accepted");
  CHECK(errorOf("x = [1.0, -inf]\n").find("x[1]: inf and nan") != std::string::npos);
  CHECK(errorOf("y = nan\n").find("y: inf and nan") != std::string::npos);
  // toml11 reads 1e400 as the largest double: finite, so range checks of
  // the settings (config.cpp, behaviour models) refuse it instead.
  auto big = parseTOML("z = 1e400\n", "t.toml");
  REQUIRE(bool(big));
  CHECK(*big->getAsObject()->getNumber("z") > 1e300);
}

TEST_CASE("toml: invalid UTF-8 is refused with where it is, before toml11 reads it") {
  // toml11 read out of bounds on invalid UTF-8 inside a literal string
  // (fuzz_config); tests/fuzz/regressions/config holds the input it found.
  CHECK(errorOf("a = 1\nb = '\xd9\xd8'\n") == "t.toml: line 2, byte 6: not valid UTF-8 (a TOML file must be UTF-8)");
  CHECK(errorOf("'\xd9\xd8\xd8\xd1''''''s 2''''son\"\n?") != "");
  CHECK(errorOf("name = \"caf\xc3\xa9\"\n") == "");
}
