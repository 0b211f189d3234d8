// Small helpers over llvm::SourceMgr shared by the compiler stages.
#pragma once

#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"

#include <string>

namespace llmflow::support {

struct LineCol {
  std::string file;
  unsigned line = 0;
  unsigned col = 0;
};

/// File, line and column of a location; empty when the location is invalid.
LineCol lineCol(const llvm::SourceMgr &sm, llvm::SMLoc loc);

} // namespace llmflow::support
