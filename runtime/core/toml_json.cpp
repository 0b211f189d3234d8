#include "core/toml_json.h"

#include <toml.hpp>

#include "llvm/Support/ConvertUTF.h"

#include <cmath>
#include <fstream>
#include <sstream>

namespace llmflow::rt {
namespace {

/// TOML values as JSON. TOML's inf and nan are refused here, once for every
/// file llmflow reads: no setting means "infinitely long" or "not a
/// number", and letting them through would spin timers and break sums.
llvm::Expected<llvm::json::Value> convert(const toml::value &v, const std::string &at) {
  switch (v.type()) {
  case toml::value_t::boolean: return v.as_boolean();
  case toml::value_t::integer: return int64_t(v.as_integer());
  case toml::value_t::floating: {
    double d = v.as_floating();
    if (!std::isfinite(d))
      return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s: inf and nan are not accepted",
                                     at.c_str());
    return d;
  }
  case toml::value_t::string: return std::string(v.as_string().str);
  case toml::value_t::array: {
    llvm::json::Array a;
    size_t i = 0;
    for (const toml::value &x : v.as_array()) {
      auto c = convert(x, at + "[" + std::to_string(i++) + "]");
      if (!c)
        return c.takeError();
      a.push_back(std::move(*c));
    }
    return a;
  }
  case toml::value_t::table: {
    llvm::json::Object o;
    for (const auto &[k, x] : v.as_table()) {
      auto c = convert(x, at.empty() ? k : at + "." + k);
      if (!c)
        return c.takeError();
      o[k] = std::move(*c);
    }
    return o;
  }
  default: {
    std::ostringstream os;
    os << v;
    return os.str(); // dates and times as their TOML text
  }
  }
}

/// toml11 parses (and convert() walks) nested arrays, inline tables and
/// dotted keys recursively, so hostile nesting would overflow the stack.
/// This scan over-approximates the nesting of every value without parsing:
/// the components of the last [table] header, plus open brackets and
/// braces, plus the dots of the key being read. Strings and comments are
/// skipped. The count can exceed the true depth by one (the dot of a float
/// or a time), never fall below it.
llvm::Error checkNesting(llvm::StringRef text, llvm::StringRef name, unsigned maxDepth) {
  unsigned line = 1, header = 0, brackets = 0, dots = 0;
  bool inHeader = false, lineStart = true;
  auto tooDeep = [&] {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s:%u: nested deeper than %u levels",
                                   name.str().c_str(), line, maxDepth);
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool wasLineStart = lineStart;
    lineStart = false;
    switch (c) {
    case '\n':
      ++line;
      lineStart = true;
      dots = 0;
      break;
    case ' ':
    case '\t':
    case '\r': lineStart = wasLineStart; break;
    case '#': i = std::min(text.size(), text.find('\n', i)) - 1; break;
    case '"':
    case '\'': {
      bool multi = text.substr(i, 3) == std::string(3, c);
      llvm::StringRef close = multi ? text.substr(i, 3) : text.substr(i, 1);
      size_t j = i + close.size();
      for (; j < text.size(); ++j) {
        if (c == '"' && text[j] == '\\') {
          ++j;
          continue;
        }
        if (text[j] == '\n') {
          if (!multi)
            break; // an unterminated string: toml11 reports it
          ++line;
        }
        if (text.substr(j).startswith(close))
          break;
      }
      i = std::min(text.size(), j + close.size()) - 1;
      break;
    }
    case '[':
      if (wasLineStart && brackets == 0) { // a [table] or [[array]] header
        inHeader = true;
        header = 0;
        dots = 0;
        if (i + 1 < text.size() && text[i + 1] == '[')
          ++i;
        break;
      }
      [[fallthrough]];
    case '{':
      ++brackets;
      dots = 0;
      break;
    case ']':
      if (inHeader && brackets == 0) {
        inHeader = false;
        header += dots + 1;
        dots = 0;
        if (i + 1 < text.size() && text[i + 1] == ']')
          ++i;
        break;
      }
      [[fallthrough]];
    case '}':
      if (brackets)
        --brackets;
      break;
    case '.': ++dots; break;
    case '=':
    case ',': dots = 0; break;
    default: break;
    }
    if (header + brackets + dots + (inHeader ? 1 : 0) > maxDepth)
      return tooDeep();
  }
  return llvm::Error::success();
}

} // namespace

llvm::Expected<llvm::json::Value> parseTOML(llvm::StringRef text, llvm::StringRef name, const JSONLimits &limits) {
  if (text.size() > limits.maxBytes)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s: %zu bytes is over the limit of %zu bytes",
                                   name.str().c_str(), text.size(), limits.maxBytes);
  if (llvm::Error e = checkNesting(text, name, limits.maxDepth))
    return std::move(e);
  // TOML is UTF-8 by definition, and toml11 reads out of bounds on some
  // invalid sequences inside strings (found by fuzzing): refuse them first.
  const auto *begin = reinterpret_cast<const llvm::UTF8 *>(text.begin());
  if (!llvm::isLegalUTF8String(&begin, reinterpret_cast<const llvm::UTF8 *>(text.end()))) {
    llvm::StringRef before = text.take_front(size_t(reinterpret_cast<const char *>(begin) - text.begin()));
    size_t line = before.count('\n') + 1, lineStart = before.rfind('\n');
    size_t col = before.size() - (lineStart == llvm::StringRef::npos ? 0 : lineStart + 1) + 1;
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "%s: line %zu, byte %zu: not valid UTF-8 (a TOML file must be UTF-8)",
                                   name.str().c_str(), line, col);
  }
  try {
    std::istringstream in{std::string(text)};
    toml::value v = toml::parse(in, name.str());
    auto out = convert(v, "");
    if (!out)
      return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s: %s", name.str().c_str(),
                                     llvm::toString(out.takeError()).c_str());
    return out;
  } catch (const std::exception &e) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s", e.what());
  }
}

llvm::Expected<llvm::json::Value> readTOMLFile(llvm::StringRef path, const JSONLimits &limits) {
  std::ifstream in(path.str(), std::ios::binary);
  if (!in)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "cannot read '%s'", path.str().c_str());
  std::stringstream ss;
  ss << in.rdbuf();
  return parseTOML(ss.str(), path, limits);
}

} // namespace llmflow::rt
