// The JSON body and URL of a chat-completions request.
#include "llm/request_json.h"

#include "llvm/Support/raw_ostream.h"

namespace llmflow::llm {

std::string buildRequestBody(const ChatRequest &req, const BodyOptions &opts) {
  llvm::json::Array messages;
  for (const Message &m : req.messages)
    messages.push_back(llvm::json::Object{{"role", m.role}, {"content", m.content}});
  llvm::json::Object body{
      {"model", opts.modelId.empty() ? req.model : opts.modelId},
      {"messages", std::move(messages)},
      {opts.maxTokensField, static_cast<int64_t>(req.maxTokens)},
      {"temperature", req.temperature},
      {"stream", req.stream},
  };
  if (req.seed)
    body["seed"] = *req.seed;
  if (req.stream)
    body["stream_options"] = llvm::json::Object{{"include_usage", true}};
  if (req.responseSchema && opts.format == ResponseFormat::JsonSchema)
    body["response_format"] =
        llvm::json::Object{{"type", "json_schema"},
                           {"json_schema", llvm::json::Object{{"name", req.schemaName},
                                                              {"schema", *req.responseSchema},
                                                              {"strict", true}}}};
  else if (req.responseSchema && opts.format == ResponseFormat::JsonObject)
    body["response_format"] = llvm::json::Object{{"type", "json_object"}, {"schema", *req.responseSchema}};
  for (const auto &kv : opts.extra)
    body[kv.first] = kv.second;
  std::string out;
  llvm::raw_string_ostream os(out);
  os << llvm::json::Value(std::move(body));
  return os.str();
}

BodyOptions bodyOptions(const ClientConfig &config, const Endpoint &ep, llvm::StringRef model) {
  BodyOptions o;
  o.format = ep.responseFormat;
  for (const auto &[name, m] : config.models)
    if (name == model) {
      o.modelId = m.id;
      o.maxTokensField = m.maxTokensField;
      o.extra = m.extra;
    }
  // The endpoint's own id for the model beats the model's id, which beats
  // the endpoint's "*" (the one model a single-model server serves).
  for (const auto &[name, id] : ep.modelIds)
    if (name == model || (name == "*" && o.modelId.empty()))
      o.modelId = id;
  for (const auto &[name, id] : ep.modelIds)
    if (name == model)
      o.modelId = id;
  for (const auto &kv : ep.extra)
    o.extra[kv.first] = kv.second;
  return o;
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
