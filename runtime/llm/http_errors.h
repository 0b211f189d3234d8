// Classifying a non-200 HTTP answer into an ErrorKind (the retry classes of
// docs/servers.md, "Retries"), extracting a readable message from OpenAI/vLLM error
// bodies, and parsing Retry-After.
//
// Not for: transport failures (libcurl codes are mapped in chat_attempt.cpp).
#pragma once

#include "llm/llm_client.h"

#include <ctime>
#include <optional>

namespace llmflow::llm {

struct HttpFailure {
  ErrorKind kind;
  std::string message; // "HTTP 503: service unavailable"
};

/// 429 + insufficient_quota -> QuotaExceeded, 429 -> RateLimited, 400 about the
/// context length -> ContextOverflow, 400/413/422/other 4xx -> BadRequest,
/// 401/403 -> Auth, 404 -> NotFound, 408 -> Timeout, 5xx -> ServerError.
HttpFailure classifyHttpError(long status, llvm::StringRef body);

/// The error message inside an OpenAI-style ({"error": {"message"}}), vLLM
/// ({"message"}) or plain-string body; else the body's first 200 bytes.
std::string errorBodyMessage(llvm::StringRef body);

/// Retry-After as delta-seconds ("1", " 2 ") or an HTTP date ("Wed, 21 Oct
/// 2015 07:28:00 GMT": the seconds from `now` until then, at least 0).
std::optional<double> parseRetryAfter(llvm::StringRef value, std::time_t now = std::time(nullptr));

} // namespace llmflow::llm
