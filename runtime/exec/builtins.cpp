// The table of synchronous builtins and the dispatch into it.
#include "exec/builtins.h"

#include "exec/builtin_impls.h"
#include "exec/exec_error.h"

#include <algorithm>
#include <iterator>

namespace llmflow::exec {
namespace {

struct Entry {
  llvm::StringRef name;
  impl::Result (*fn)(const impl::Args &, const BuiltinContext &);
};

// Sorted by name. http.get / http.post are asynchronous (runtime/llm's
// libcurl client) and deliberately absent.
constexpr Entry kBuiltins[] = {
    {"fs.read", impl::fsRead},
    {"json.get", impl::jsonGet},
    {"json.parse", impl::jsonParse},
    {"text.chunk", impl::textChunk},
    {"text.join", impl::textJoin},
    {"text.regex_extract", impl::textRegexExtract},
    {"text.regex_match", impl::textRegexMatch},
    {"text.replace", impl::textReplace},
    {"text.split", impl::textSplit},
};

const Entry *lookup(llvm::StringRef name) {
  auto it = std::find_if(std::begin(kBuiltins), std::end(kBuiltins),
                         [&](const Entry &e) { return e.name == name; });
  return it == std::end(kBuiltins) ? nullptr : it;
}

} // namespace

bool isSyncBuiltin(llvm::StringRef name) { return lookup(name) != nullptr; }

std::vector<llvm::StringRef> syncBuiltinNames() {
  std::vector<llvm::StringRef> names;
  for (const Entry &e : kBuiltins)
    names.push_back(e.name);
  return names;
}

llvm::Expected<llvm::json::Value> callBuiltin(llvm::StringRef name, const llvm::json::Object &args,
                                              const BuiltinContext &ctx) {
  const Entry *e = lookup(name);
  if (!e) {
    if (name.startswith("http."))
      return makeExecError(ExecErrorKind::UnknownBuiltin,
                           "'" + name.str() + "' is asynchronous: it runs through the HTTP client, not callBuiltin");
    return makeExecError(ExecErrorKind::UnknownBuiltin, "unknown builtin '" + name.str() + "'");
  }
  return e->fn(args, ctx);
}

} // namespace llmflow::exec
