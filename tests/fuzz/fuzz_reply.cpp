// libFuzzer target: a model's reply. The first byte picks how the bytes
// arrive (one streamed body cut into chunks of a fuzzed size, or a whole
// non-streamed body) and whether the call had a response schema; the
// stream goes through SSE framing and the chunk accumulator, then the
// structured-output check, as in a real call. Errors are the expected
// outcome for junk; a crash, hang, leak or sanitizer report is a bug.
#include "fuzz_support.h"

#include "llm/completion.h"

#include <algorithm>

using namespace llmflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::Input in(data, size);
  size_t mode = in.choose(256);
  bool streamed = mode & 1, hasSchema = mode & 2, small = mode & 4;
  size_t chunk = 1 + (mode >> 3);
  llm::ReplyLimits limits;
  if (small) { // reach every limit with short inputs
    limits.maxReplyBytes = 64;
    limits.json.maxDepth = 4;
    limits.json.maxBytes = 256;
    limits.json.maxStringBytes = 32;
    limits.json.maxMemoryBytes = 4096;
  }
  llm::ChatResult result;
  if (streamed) {
    llm::SSEParser sse;
    llm::StreamAccumulator acc;
    llvm::Error failed = llvm::Error::success();
    llvm::StringRef rest = in.rest();
    while (!rest.empty() && !failed && !acc.done()) {
      sse.feed(rest.take_front(chunk), [&](llvm::StringRef payload) {
        if (!failed && !acc.done())
          failed = acc.onData(payload, limits);
      });
      rest = rest.drop_front(std::min(chunk, rest.size()));
      if (sse.pendingBytes() > limits.json.maxBytes)
        return 0; // the client's bound on one unfinished event
    }
    if (failed) {
      llvm::consumeError(std::move(failed));
      return 0;
    }
    result = acc.take();
  } else {
    auto r = llm::parseCompletion(in.rest(), limits.json);
    if (!r) {
      llvm::consumeError(r.takeError());
      return 0;
    }
    result = std::move(*r);
  }
  llvm::consumeError(llm::checkStructured(result, hasSchema, limits.json));
  return 0;
}
