// JSON Lines files: one JSON value per line, blank lines skipped, each line
// read by the bounded reader (common/json_reader.h). Errors name the file
// and the line.
#pragma once

#include "common/json_reader.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <utility>
#include <vector>

namespace llmflow::rt {

/// (line number, value) for every non-blank line.
llvm::Expected<std::vector<std::pair<unsigned, llvm::json::Value>>> readJSONLines(llvm::StringRef path,
                                                                                  const JSONLimits &limits = {});

} // namespace llmflow::rt
