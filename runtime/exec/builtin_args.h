// Argument access for the synchronous builtins: typed lookups by parameter
// name with errors that name the builtin and the argument, and a UTF-8 guard
// for strings produced from byte-level operations.
#pragma once

#include "exec/builtins.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <string>
#include <vector>

namespace llmflow::exec {

/// "null", "boolean", "number", "string", "array" or "object".
llvm::StringRef jsonKindName(const llvm::json::Value &v);

llvm::Expected<const llvm::json::Value *> valueArg(const llvm::json::Object &args, llvm::StringRef builtin,
                                                   llvm::StringRef name);
llvm::Expected<llvm::StringRef> stringArg(const llvm::json::Object &args, llvm::StringRef builtin,
                                          llvm::StringRef name);
llvm::Expected<int64_t> intArg(const llvm::json::Object &args, llvm::StringRef builtin, llvm::StringRef name);
llvm::Expected<std::vector<llvm::StringRef>> stringListArg(const llvm::json::Object &args,
                                                           llvm::StringRef builtin, llvm::StringRef name);

/// A JSON string from bytes that may not be valid UTF-8 (invalid sequences
/// become U+FFFD).
llvm::json::Value jsonString(std::string s);

/// A JSON array of strings.
llvm::json::Value jsonStringArray(std::vector<std::string> items);

} // namespace llmflow::exec
