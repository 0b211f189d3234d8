#include "core/toml_json.h"

#include <toml.hpp>

#include <fstream>
#include <sstream>

namespace llmflow::rt {
namespace {

llvm::json::Value convert(const toml::value &v) {
  switch (v.type()) {
  case toml::value_t::boolean: return v.as_boolean();
  case toml::value_t::integer: return int64_t(v.as_integer());
  case toml::value_t::floating: return double(v.as_floating());
  case toml::value_t::string: return std::string(v.as_string().str);
  case toml::value_t::array: {
    llvm::json::Array a;
    for (const toml::value &x : v.as_array())
      a.push_back(convert(x));
    return a;
  }
  case toml::value_t::table: {
    llvm::json::Object o;
    for (const auto &[k, x] : v.as_table())
      o[k] = convert(x);
    return o;
  }
  default: {
    std::ostringstream os;
    os << v;
    return os.str(); // dates and times as their TOML text
  }
  }
}

} // namespace

llvm::Expected<llvm::json::Value> parseTOML(llvm::StringRef text, llvm::StringRef name) {
  try {
    std::istringstream in{std::string(text)};
    toml::value v = toml::parse(in, name.str());
    return convert(v);
  } catch (const std::exception &e) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s", e.what());
  }
}

llvm::Expected<llvm::json::Value> readTOMLFile(llvm::StringRef path) {
  std::ifstream in(path.str(), std::ios::binary);
  if (!in)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "cannot read '%s'", path.str().c_str());
  std::stringstream ss;
  ss << in.rdbuf();
  return parseTOML(ss.str(), path);
}

} // namespace llmflow::rt
