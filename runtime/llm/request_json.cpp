// The JSON body and URL of a chat-completions request.
#include "llm/request_json.h"

#include "llvm/Support/raw_ostream.h"

namespace llmflow::llm {

std::string buildRequestBody(const ChatRequest &req) {
  llvm::json::Array messages;
  for (const Message &m : req.messages)
    messages.push_back(llvm::json::Object{{"role", m.role}, {"content", m.content}});
  llvm::json::Object body{
      {"model", req.model},
      {"messages", std::move(messages)},
      {"max_tokens", static_cast<int64_t>(req.maxTokens)},
      {"temperature", req.temperature},
      {"stream", req.stream},
  };
  if (req.seed)
    body["seed"] = *req.seed;
  if (req.stream)
    body["stream_options"] = llvm::json::Object{{"include_usage", true}};
  if (req.responseSchema)
    body["response_format"] =
        llvm::json::Object{{"type", "json_schema"},
                           {"json_schema", llvm::json::Object{{"name", req.schemaName},
                                                              {"schema", *req.responseSchema},
                                                              {"strict", true}}}};
  std::string out;
  llvm::raw_string_ostream os(out);
  os << llvm::json::Value(std::move(body));
  return os.str();
}

std::string chatCompletionsUrl(llvm::StringRef baseUrl) {
  llvm::StringRef base = baseUrl.rtrim('/');
  if (base.endswith("/chat/completions"))
    return base.str();
  if (base.endswith("/v1"))
    return (base + "/chat/completions").str();
  return (base + "/v1/chat/completions").str();
}

} // namespace llmflow::llm
