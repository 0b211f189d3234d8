// libFuzzer target: a run configuration (TOML), read by the same function
// as `llmflow run --config FILE`.
#include "fuzz_support.h"

#include "engine/config.h"

using namespace llmflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  engine::RunConfig cfg;
  llvm::consumeError(engine::loadRunConfig(fuzz::scratchFile(text, ".toml"), cfg));
  return 0;
}
