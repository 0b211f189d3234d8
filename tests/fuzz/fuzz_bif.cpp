// libFuzzer target: a Bayesian network in BIF (the interchange format of
// published networks; tests read tests/unit/bn/data/asia.bif), read
// by the BIF parser; a network that reads must also survive being written
// as BIF and read again.
#include "fuzz_support.h"

#include "bn/bn.h"

using namespace llmflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  auto n = bn::fromBIF(text);
  if (!n) {
    llvm::consumeError(n.takeError());
    return 0;
  }
  fuzz::exerciseNetwork(*n);
  auto again = bn::fromBIF(bn::toBIF(*n));
  if (!again)
    __builtin_trap(); // the writer produced what the reader refuses
  return 0;
}
