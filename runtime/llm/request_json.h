// Writing a chat-completions request: the JSON body (messages, sampling,
// stream_options.include_usage, response_format json_schema) and the URL of
// an endpoint's /v1/chat/completions.
//
// Not for: headers and transport (chat_attempt.h).
#pragma once

#include "llm/llm_client.h"

namespace llmflow::llm {

/// The JSON body for `req`, compact, deterministic key order.
std::string buildRequestBody(const ChatRequest &req);

/// "http://h:p" / "http://h:p/" / "http://h:p/v1" -> "http://h:p/v1/chat/completions".
std::string chatCompletionsUrl(llvm::StringRef baseUrl);

} // namespace llmflow::llm
