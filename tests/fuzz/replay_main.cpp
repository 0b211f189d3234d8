// Runs one fuzz target over files, without libFuzzer, so that every input
// that ever crashed stays a regression test in the normal (g++) build:
//   fuzz_replay TARGET FILE_OR_DIR...
// All targets live in this one binary; the build renames each target's
// LLVMFuzzerTestOneInput to llmflow_fuzz_TARGET (fuzz_targets.inc lists them).
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#define X(name) extern "C" int llmflow_fuzz_##name(const uint8_t *data, size_t size);
#include "fuzz_targets.inc"
#undef X

namespace {
using Target = int (*)(const uint8_t *, size_t);

Target find(llvm::StringRef name) {
#define X(n) if (name == #n) return llmflow_fuzz_##n;
#include "fuzz_targets.inc"
#undef X
  return nullptr;
}

/// The files to replay, directories expanded (one level, sorted).
bool collect(llvm::StringRef path, std::vector<std::string> &out) {
  if (!llvm::sys::fs::is_directory(path)) {
    out.push_back(path.str());
    return true;
  }
  std::vector<std::string> inDir;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(path, ec), end; it != end && !ec; it.increment(ec))
    if (!llvm::sys::fs::is_directory(it->path()))
      inDir.push_back(it->path());
  if (ec) {
    llvm::errs() << path << ": " << ec.message() << "\n";
    return false;
  }
  std::sort(inDir.begin(), inDir.end());
  out.insert(out.end(), inDir.begin(), inDir.end());
  return true;
}
} // namespace

int main(int argc, char **argv) {
  Target target = argc > 1 ? find(argv[1]) : nullptr;
  if (!target) {
    llvm::errs() << "usage: fuzz_replay TARGET FILE_OR_DIR... (targets:";
#define X(n) llvm::errs() << " " #n;
#include "fuzz_targets.inc"
#undef X
    llvm::errs() << ")\n";
    return 2;
  }
  std::vector<std::string> files;
  for (int i = 2; i < argc; ++i)
    if (!collect(argv[i], files))
      return 1;
  for (const std::string &f : files) {
    auto buf = llvm::MemoryBuffer::getFile(f);
    if (!buf) {
      llvm::errs() << f << ": " << buf.getError().message() << "\n";
      return 1;
    }
    target(reinterpret_cast<const uint8_t *>((*buf)->getBufferStart()), (*buf)->getBufferSize());
  }
  llvm::outs() << "replayed " << files.size() << " inputs on " << argv[1] << "\n";
  return 0;
}
