// Keeps the example in docs/ir-schema.md honest: it must read, verify and be
// exactly what the writer produces.
#include "ir/ir_json.h"
#include "ir/ir_verify.h"

#include "llvm/Support/MemoryBuffer.h"

#include <doctest/doctest.h>

using namespace llmflow::ir;

TEST_CASE("ir docs: the example in ir-schema.md reads, verifies and round trips") {
  auto buf = llvm::MemoryBuffer::getFile(LLMFLOW_SOURCE_DIR "/docs/ir-schema.md");
  REQUIRE_MESSAGE(bool(buf), "cannot read docs/ir-schema.md");
  // std::string, not StringRef: ODR-using llvm::StringRef::npos (as REQUIRE
  // does) clashes with LLVM 14's out-of-line definition at link time.
  std::string doc = (*buf)->getBuffer().str();
  const std::string fence = "\n```json\n";
  size_t start = doc.find(fence);
  REQUIRE(start != std::string::npos);
  start += fence.size();
  size_t end = doc.find("\n```", start);
  REQUIRE(end != std::string::npos);
  std::string example = doc.substr(start, end + 1 - start); // keep the final newline

  llvm::Expected<Module> m = readJSON(example);
  REQUIRE_MESSAGE(bool(m), llvm::toString(m.takeError()));
  llvm::Error e = verify(*m);
  CHECK_MESSAGE(!e, llvm::toString(std::move(e)));
  CHECK(writeJSON(*m) == example);
  CHECK(m->apps.size() == 1);
}
