// Runs the fuzz target over files given on the command line, without
// libFuzzer: every input that ever crashed stays a regression test in the
// normal (g++) build.
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  int replayed = 0;
  for (int i = 1; i < argc; ++i) {
    if (llvm::sys::fs::is_directory(argv[i]))
      continue; // e.g. the golden test that checks unreadable inputs
    ++replayed;
    auto buf = llvm::MemoryBuffer::getFile(argv[i]);
    if (!buf) {
      llvm::errs() << argv[i] << ": " << buf.getError().message() << "\n";
      return 1;
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>((*buf)->getBufferStart()), (*buf)->getBufferSize());
  }
  llvm::outs() << "replayed " << replayed << " inputs\n";
  return 0;
}
