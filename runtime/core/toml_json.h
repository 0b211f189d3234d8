// TOML files read into llvm::json values, so configuration and behaviour
// models are interpreted by one set of JSON helpers. toml11's exceptions stop
// here and become llvm::Errors with the file's line and column. Like every
// external format the text is bounded first (size, nesting depth: the
// limits of common/json_reader.h), since toml11 parses recursively.
#pragma once

#include "common/json_reader.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

namespace llmflow::rt {

llvm::Expected<llvm::json::Value> readTOMLFile(llvm::StringRef path, const JSONLimits &limits = {});
llvm::Expected<llvm::json::Value> parseTOML(llvm::StringRef text, llvm::StringRef name,
                                            const JSONLimits &limits = {});

} // namespace llmflow::rt
