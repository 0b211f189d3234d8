// ErrorKind as text for doctest comparisons: doctest's unqualified toString
// finds llm::toString(ErrorKind) by ADL and cannot use its StringRef, so tests
// compare kind names (which also print well when a check fails).
#pragma once

#include "llm/llm_client.h"

#include <optional>
#include <string>

namespace llmflow::llm::testing {

inline std::string kindName(ErrorKind k) { return toString(k).str(); }
inline std::string kindName(std::optional<ErrorKind> k) {
  return k ? toString(*k).str() : std::string("(success)");
}

} // namespace llmflow::llm::testing
