// TOML files read into llvm::json values, so configuration and behaviour
// models are interpreted by one set of JSON helpers. toml11's exceptions stop
// here and become llvm::Errors with the file's line and column.
#pragma once

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

namespace llmflow::rt {

llvm::Expected<llvm::json::Value> readTOMLFile(llvm::StringRef path);
llvm::Expected<llvm::json::Value> parseTOML(llvm::StringRef text, llvm::StringRef name);

} // namespace llmflow::rt
