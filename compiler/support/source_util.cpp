#include "support/source_util.h"

namespace llmflow::support {

LineCol lineCol(const llvm::SourceMgr &sm, llvm::SMLoc loc) {
  LineCol lc;
  if (!loc.isValid())
    return lc;
  unsigned buf = sm.FindBufferContainingLoc(loc);
  if (!buf)
    return lc;
  auto [line, col] = sm.getLineAndColumn(loc, buf);
  lc.file = sm.getMemoryBuffer(buf)->getBufferIdentifier().str();
  lc.line = line;
  lc.col = col;
  return lc;
}

} // namespace llmflow::support
