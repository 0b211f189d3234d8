// libFuzzer target: a trained-model file (APP.bn.json, `llmflow bn train`),
// read as `llmflow estimate` reads it. A network that reads (fromJSON only
// returns verified networks) must write out in every format, read back the
// same, and, when small enough to compile quickly, answer queries.
#include "fuzz_support.h"

#include "estimate/model_file.h"

using namespace llmflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  auto f = estimate::readModelFile(fuzz::scratchFile(text, ".bn.json"));
  if (!f) {
    llvm::consumeError(f.takeError());
    return 0;
  }
  fuzz::exerciseNetwork(f->net);
  return 0;
}
