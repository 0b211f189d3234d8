// libFuzzer target: parse + check + lower any input. A crash, an assert or a
// sanitizer report is a bug; diagnostics are the expected outcome.
#include "driver/driver.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llmflow::support::CollectingDiagnosticConsumer diags;
  llmflow::driver::Options opts;
  opts.stdlibDir = LLMFLOW_SOURCE_DIR "/stdlib";
  llmflow::driver::Session session(diags, opts);
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  if (session.loadSource("fuzz.llmflow", text) && session.check()) {
    auto m = session.lower();
    if (!m) {
      // The verifier rejected lowered IR of a program sema accepted.
      __builtin_trap();
    }
  }
  return 0;
}
