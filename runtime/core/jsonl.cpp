#include "core/jsonl.h"

#include "common/json_reader.h"

#include "llvm/Support/MemoryBuffer.h"

namespace llmflow::rt {

llvm::Expected<std::vector<std::pair<unsigned, llvm::json::Value>>> readJSONLines(llvm::StringRef path,
                                                                                  const JSONLimits &limits) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buf)
    return llvm::createStringError(buf.getError(), "cannot read '%s': %s", path.str().c_str(),
                                   buf.getError().message().c_str());
  std::vector<std::pair<unsigned, llvm::json::Value>> out;
  llvm::StringRef rest = (*buf)->getBuffer();
  unsigned line = 0;
  while (!rest.empty()) {
    auto [l, tail] = rest.split('\n');
    rest = tail;
    ++line;
    if (l.trim().empty())
      continue;
    auto v = parseJSON(l, limits);
    if (!v)
      return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s:%u: %s", path.str().c_str(), line,
                                     llvm::toString(v.takeError()).c_str());
    out.push_back({line, std::move(*v)});
  }
  return out;
}

} // namespace llmflow::rt
