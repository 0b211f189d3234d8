// libFuzzer target: an IR file (`llmflow run app.json` reads one), read by
// the IR reader and checked by the verifier as the CLI does. A module that
// passes must survive a round trip: written out and read back, it writes
// the same text.
#include "ir/ir_json.h"
#include "ir/ir_verify.h"

#include <cstddef>
#include <cstdint>

using namespace llmflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  auto m = ir::readJSON(text);
  if (!m) {
    llvm::consumeError(m.takeError());
    return 0;
  }
  if (llvm::Error e = ir::verify(*m)) {
    llvm::consumeError(std::move(e));
    return 0;
  }
  std::string once = ir::writeJSON(*m);
  auto again = ir::readJSON(once);
  if (!again || ir::writeJSON(*again) != once)
    __builtin_trap(); // the writer and the reader disagree
  return 0;
}
