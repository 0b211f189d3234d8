// The runtime side of the standard library (stdlib/std/*.llmflow declares
// these with `builtin = "NAME"`). Pure functions of their arguments except
// fs.read (confined to a configured directory) and http.* (async, through
// the LLM client's libcurl multi; see runtime/llm — not implemented here,
// isSyncBuiltin is false for them).
//
// Semantics of the synchronous builtins (arguments by parameter name):
//  json.get(value, path)      value at a dotted path "a.b.0.c"; "" = value itself;
//                             numeric segments index arrays; object keys are
//                             matched literally (keys containing '.' cannot be
//                             addressed).
//  json.parse(text)           JSON text to a value (bounded by BuiltinContext::json;
//                             duplicate keys are an error).
//  text.regex_match(text, pattern)
//                             true if the ECMAScript pattern matches anywhere
//                             in the text (anchor with ^...$ for a full match).
//  text.regex_extract(text, pattern)
//                             every non-overlapping match, left to right: group 1
//                             when the pattern has a group ("" if it did not
//                             take part), else the whole match.
//  text.split(text, separator)  every occurrence; empty fields kept; "" -> [""].
//  text.join(parts, separator)
//  text.replace(text, from, to) every occurrence, left to right, non-recursive.
//  text.chunk(text, size)     pieces of at most `size` whitespace-separated
//                             words, each the original text from its first to
//                             its last word (inner whitespace kept); blank
//                             text -> [].
//  fs.read(path)              a UTF-8 text file under BuiltinContext::dataDir
//                             (relative to it, or absolute inside it; no
//                             escape through '..' or symlinks).
// Errors are ExecErrors (exec_error.h) whose message starts with the
// builtin's name.
#pragma once

#include "common/json_reader.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstddef>
#include <string>
#include <vector>

namespace llmflow::exec {

struct BuiltinContext {
  std::string dataDir;                     // fs.read is confined here ("" = fs.read disabled)
  size_t maxFileBytes = 16 << 20;
  /// std::regex matches recursively (stack use grows with the text); it runs
  /// on a helper thread with a large stack, and longer texts are refused.
  size_t maxRegexTextBytes = 256 << 10;
  /// json.parse, tool output and HTTP tool bodies.
  JSONLimits json;
};

/// True for builtins callBuiltin implements synchronously.
bool isSyncBuiltin(llvm::StringRef name);

/// Names of every synchronous builtin, sorted.
std::vector<llvm::StringRef> syncBuiltinNames();

/// Runs a synchronous builtin on its arguments (by parameter name). Errors
/// name the builtin and the problem (missing path, bad regex, file outside
/// the data directory, ...). Thread-safe.
[[nodiscard]] llvm::Expected<llvm::json::Value> callBuiltin(llvm::StringRef name, const llvm::json::Object &args,
                                                            const BuiltinContext &ctx);

} // namespace llmflow::exec
