// Internal: the implementation functions behind callBuiltin's table, one
// family per file (builtins_json.cpp, builtins_text.cpp, builtins_regex.cpp,
// builtins_fs.cpp).
#pragma once

#include "exec/builtins.h"

namespace llmflow::exec::impl {

using Args = llvm::json::Object;
using Result = llvm::Expected<llvm::json::Value>;

Result jsonGet(const Args &args, const BuiltinContext &ctx);
Result jsonParse(const Args &args, const BuiltinContext &ctx);

Result textRegexMatch(const Args &args, const BuiltinContext &ctx);
Result textRegexExtract(const Args &args, const BuiltinContext &ctx);

Result textSplit(const Args &args, const BuiltinContext &ctx);
Result textJoin(const Args &args, const BuiltinContext &ctx);
Result textReplace(const Args &args, const BuiltinContext &ctx);
Result textChunk(const Args &args, const BuiltinContext &ctx);

Result fsRead(const Args &args, const BuiltinContext &ctx);

} // namespace llmflow::exec::impl
