// How `llmflow test` compares an expected value with an actual one: objects
// match when every expected field matches (the actual value may have more),
// lists when they have the same length and their items match in order,
// numbers by value (1 matches 1.0), everything else by equality. A mismatch
// says where it is ("code", "hits[0].url") and what differs there.
#pragma once

#include "llvm/Support/JSON.h"

#include <optional>
#include <string>

namespace llmflow::testing {

struct Mismatch {
  std::string where;      // "" = the value itself
  std::string expected;   // compact JSON at that place
  std::string actual;     // compact JSON there, or "nothing"
};

/// Nothing if `actual` matches `expected`, else the first difference.
std::optional<Mismatch> mismatch(const llvm::json::Value &expected, const llvm::json::Value &actual);

/// Follows a path of fields and list indices; null if it leads nowhere.
const llvm::json::Value *follow(const llvm::json::Value &v, const std::vector<std::string> &path);

/// Compact JSON text, cut to `max` characters, for messages.
std::string show(const llvm::json::Value &v, size_t max = 300);

} // namespace llmflow::testing
