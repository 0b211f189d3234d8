// libFuzzer target: an inputs.jsonl file. The first byte picks an example
// application; the rest is the file, read line by line by the bounded JSON
// Lines reader, each line checked against the application's declared input
// types as a job starts.
#include "fuzz_support.h"

#include "core/job.h"
#include "core/jsonl.h"

using namespace llmflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::Input in(data, size);
  const fuzz::Example &e = fuzz::examples()[in.choose(fuzz::examples().size())];
  auto lines = rt::readJSONLines(fuzz::scratchFile(in.rest(), ".jsonl"));
  if (!lines) {
    llvm::consumeError(lines.takeError());
    return 0;
  }
  for (auto &[line, v] : *lines)
    if (llvm::json::Object *inputs = v.getAsObject())
      llvm::consumeError(rt::checkInputs(e.module, *e.app, *inputs));
  return 0;
}
