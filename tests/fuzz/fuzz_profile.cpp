// libFuzzer target: a profile file (JSON Lines, `llmflow profile`). The
// first byte picks an example application; the rest is the file, read as
// `llmflow bn train` reads it: parsed, checked against the application,
// then turned into the training data set.
#include "fuzz_support.h"

#include "estimate/variables.h"
#include "profile/profile.h"

using namespace llmflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::Input in(data, size);
  const fuzz::Example &e = fuzz::examples()[in.choose(fuzz::examples().size())];
  auto profiles = profile::readProfiles(fuzz::scratchFile(in.rest(), ".jsonl"));
  if (!profiles) {
    llvm::consumeError(profiles.takeError());
    return 0;
  }
  (void)profile::toCSV(*profiles);
  if (llvm::Error err = profile::checkAgainst(*profiles, e.module, e.app->name)) {
    llvm::consumeError(std::move(err));
    return 0;
  }
  auto rows = estimate::dataset(estimate::appModel(e.module, *e.app), *profiles);
  if (!rows)
    llvm::consumeError(rows.takeError());
  return 0;
}
