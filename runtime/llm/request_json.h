// Writing a chat-completions request: the JSON body (messages, sampling,
// stream_options.include_usage, response_format json_schema) and the URL of
// an endpoint's /v1/chat/completions.
//
// Not for: headers and transport (chat_attempt.h).
#pragma once

#include "llm/llm_client.h"

namespace llmflow::llm {

/// How one endpoint wants a model's body (see Endpoint and ModelOptions).
struct BodyOptions {
  std::string modelId;                       // "" = req.model
  ResponseFormat format = ResponseFormat::JsonSchema;
  std::string maxTokensField = "max_tokens";
  llvm::json::Object extra;                  // merged in last: it overrides
};

/// The JSON body for `req`, compact, deterministic key order.
std::string buildRequestBody(const ChatRequest &req, const BodyOptions &opts = {});

/// The body options for sending `req` to `ep`: the endpoint's model id for
/// `model`, else the model's own id, else the endpoint's "*" id, else the
/// program's name; the model's extra fields, then the endpoint's.
BodyOptions bodyOptions(const ClientConfig &config, const Endpoint &ep, llvm::StringRef model);

/// "http://h:p" / "http://h:p/" / "http://h:p/v1" -> "http://h:p/v1/chat/completions".
std::string chatCompletionsUrl(llvm::StringRef baseUrl);

} // namespace llmflow::llm
