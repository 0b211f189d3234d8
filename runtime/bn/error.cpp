// BNError: names of the kinds and the log format.
#include "bn/bn.h"

#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

namespace llmflow::bn {

char BNError::ID = 0;

llvm::StringRef toString(BNErrorKind kind) {
  switch (kind) {
  case BNErrorKind::BadOptions: return "bad-options";
  case BNErrorKind::BadData: return "bad-data";
  case BNErrorKind::BadNetwork: return "bad-network";
  case BNErrorKind::BadFormat: return "bad-format";
  }
  llvm_unreachable("unknown BNErrorKind");
}

void BNError::log(llvm::raw_ostream &os) const { os << message; }

} // namespace llmflow::bn
