// Reading chat-completion responses: the non-streaming body (parseCompletion,
// declared in llm_client.h), streamed chunks accumulated into one result, and
// the structured-output checks applied to a finished result.
//
// Not for: SSE framing (SSEParser), HTTP status handling (http_errors.h).
#pragma once

#include "llm/llm_client.h"

namespace llmflow::llm {

/// Folds the `data:` payloads of a streamed completion into a ChatResult:
/// delta.content fragments are appended, the last finish_reason kept, the
/// usage-only chunk read, `[DONE]` ends the stream.
class StreamAccumulator {
public:
  /// One SSE payload. Errors: Malformed (not JSON, not a chunk, content over
  /// limits.maxReplyBytes), ServerError (an {"error": ...} event sent mid-stream).
  [[nodiscard]] llvm::Error onData(llvm::StringRef payload, const ReplyLimits &limits = {});
  /// `[DONE]` was seen.
  bool done() const { return sawDone; }
  /// A chunk with content, a finish_reason or usage arrived (or [DONE]):
  /// generation has visibly started.
  bool started() const { return sawProgress; }
  /// True when the last onData() call added the first non-empty content.
  bool firstContentJustArrived() const { return firstContentNow; }
  /// Chunks so far that carried content, a finish_reason or usage.
  uint64_t progress() const { return progressCount; }
  /// The accumulated result (usage nullopt when no usage chunk came).
  ChatResult take() { return std::move(result); }

private:
  ChatResult result;
  bool sawDone = false;
  bool sawProgress = false;
  bool sawContent = false;
  bool firstContentNow = false;
  uint64_t progressCount = 0;
};

/// Applies the response-level rules to a complete result: finish_reason
/// "length" under a schema is Truncated; content that is not JSON under a
/// schema (read tolerantly, see parseModelJSON) is Malformed, else the value
/// is stored in result.json. Without a schema every result passes.
[[nodiscard]] llvm::Error checkStructured(ChatResult &result, bool hasSchema, const JSONLimits &limits = {});

/// Tolerant reading of a structured reply: the JSON value itself, or an
/// object wrapped in a ```json fence or surrounded by prose. Bounded by
/// `limits` like every external JSON.
llvm::Expected<llvm::json::Value> parseModelJSON(llvm::StringRef content, const JSONLimits &limits = {});

} // namespace llmflow::llm
