// A program: the main module and everything it imports, already parsed.
// Built by the driver's loader; read by sema and lowering.
#pragma once

#include "ast/ast.h"

#include "llvm/ADT/StringMap.h"

#include <string>
#include <vector>

namespace llmflow::ast {

struct LoadedModule {
  const Module *module = nullptr;
  /// Prefix of this module's names in the IR: "" for the main module, the
  /// alias it was first imported under ("http.") otherwise.
  std::string prefix;
  /// Import alias -> index into Program::modules.
  llvm::StringMap<unsigned> imports;
};

struct Program {
  std::vector<LoadedModule> modules; // [0] is the main module
};

} // namespace llmflow::ast
