// The formatter against layouts no one wrote: every example and fmt case is
// re-spaced at random (any whitespace between tokens, comments kept in their
// places), then formatted. The result must keep every token and comment
// (formatText checks that itself and fails otherwise) and be a fixed point.
#include "format/format.h"
#include "format/format_internal.h"

#include "doctest/doctest.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <random>

using namespace llmflow;

namespace {

std::vector<std::string> programs() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const char *dir : {"/examples", "/tests/fmt/cases"})
    for (llvm::sys::fs::recursive_directory_iterator it(LLMFLOW_SOURCE_DIR + std::string(dir), ec), end;
         it != end && !ec; it.increment(ec))
      if (llvm::sys::path::extension(it->path()) == ".llmflow")
        out.push_back(it->path());
  return out;
}

/// The same tokens and comments as `tokens`, with random whitespace.
std::string respace(const std::vector<format::Token> &tokens, std::mt19937 &rng) {
  static const char *const kGaps[] = {" ", "   ", "\n", "\n\n\n", "\n        ", "\t", " \n \n"};
  auto pick = [&] { return std::string(kGaps[rng() % std::size(kGaps)]); };
  std::string out;
  bool needNewline = false;
  for (const format::Token &t : tokens) {
    for (const format::Comment &c : t.comments) {
      std::string gap = c.newlinesBefore || needNewline ? "\n" + pick() : std::string(1 + rng() % 9, ' ');
      out += out.empty() ? "" : gap;
      out += c.text;
      needNewline = c.line;
    }
    std::string gap = pick();
    if (needNewline && gap.find('\n') == std::string::npos)
      gap += "\n";
    out += out.empty() ? "" : gap;
    out += t.text;
    needNewline = false;
  }
  return out;
}

} // namespace

TEST_CASE("formatting any layout keeps every token and comment and is idempotent") {
  std::vector<std::string> files = programs();
  REQUIRE(files.size() >= 6);
  for (const std::string &file : files) {
    auto buf = llvm::MemoryBuffer::getFile(file);
    REQUIRE(buf);
    std::vector<format::Token> tokens;
    REQUIRE(format::lexSource((*buf)->getBuffer(), tokens));
    for (unsigned seed = 0; seed < 10; ++seed) {
      std::mt19937 rng(seed);
      std::string messy = respace(tokens, rng);
      auto once = format::formatText(messy);
      INFO(file << " seed " << seed << "\n" << messy);
      REQUIRE(once);
      auto twice = format::formatText(*once);
      REQUIRE(twice);
      CHECK(*twice == *once);
    }
  }
}

TEST_CASE("text that does not parse is an error, not a layout") {
  auto r = format::formatText("app a( {");
  CHECK(!r);
  llvm::consumeError(r.takeError());
  auto bad = format::formatText("app \xff() {}");
  CHECK(!bad);
  llvm::consumeError(bad.takeError());
}
