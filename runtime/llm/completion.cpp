// Parsing chat-completion JSON (whole bodies and stream chunks) into
// ChatResult, and the structured-output checks on finished results.
#include "llm/completion.h"

#include "common/json_reader.h"

namespace llmflow::llm {
namespace {

llvm::Error malformed(const llvm::Twine &what) {
  return llvm::make_error<LLMError>(ErrorKind::Malformed, what.str());
}

/// usage.{prompt,completion}_tokens when present and non-negative.
void readUsage(const llvm::json::Object &root, ChatResult &out) {
  const llvm::json::Object *usage = root.getObject("usage");
  if (!usage)
    return;
  if (auto p = usage->getInteger("prompt_tokens"); p && *p >= 0)
    out.promptTokens = static_cast<unsigned>(*p);
  if (auto c = usage->getInteger("completion_tokens"); c && *c >= 0)
    out.completionTokens = static_cast<unsigned>(*c);
}

/// The message of an {"error": {...}} or {"error": "..."} object, if any.
std::optional<std::string> errorObjectMessage(const llvm::json::Object &root) {
  const llvm::json::Value *err = root.get("error");
  if (!err)
    return std::nullopt;
  if (auto s = err->getAsString())
    return s->str();
  if (const llvm::json::Object *o = err->getAsObject())
    if (auto m = o->getString("message"))
      return m->str();
  return std::string("(no message)");
}

llvm::StringRef shortened(llvm::StringRef s) { return s.take_front(200); }

} // namespace

llvm::Expected<ChatResult> parseCompletion(llvm::StringRef body, const JSONLimits &limits) {
  llvm::Expected<llvm::json::Value> parsed = parseJSON(body, limits);
  if (!parsed) {
    std::string why = llvm::toString(parsed.takeError());
    return malformed("response is not JSON (" + why + "): " + shortened(body));
  }
  const llvm::json::Object *root = parsed->getAsObject();
  if (!root)
    return malformed("response is not a JSON object");
  if (auto msg = errorObjectMessage(*root))
    return llvm::make_error<LLMError>(ErrorKind::ServerError, "error in a 200 response: " + *msg);
  const llvm::json::Array *choices = root->getArray("choices");
  if (!choices || choices->empty() || !(*choices)[0].getAsObject())
    return malformed("response has no choices");
  const llvm::json::Object &choice = *(*choices)[0].getAsObject();
  const llvm::json::Object *message = choice.getObject("message");
  if (!message)
    return malformed("choices[0] has no message");
  ChatResult out;
  if (const llvm::json::Value *content = message->get("content")) {
    if (auto s = content->getAsString())
      out.content = s->str();
    else if (!content->getAsNull())
      return malformed("choices[0].message.content is not a string");
  }
  if (auto reason = choice.getString("finish_reason"))
    out.finishReason = reason->str();
  readUsage(*root, out);
  return out;
}

llvm::Error StreamAccumulator::onData(llvm::StringRef payload, const ReplyLimits &limits) {
  firstContentNow = false;
  if (payload.trim() == "[DONE]") {
    sawDone = sawProgress = true;
    ++progressCount;
    return llvm::Error::success();
  }
  llvm::Expected<llvm::json::Value> parsed = parseJSON(payload, limits.json);
  if (!parsed) {
    std::string why = llvm::toString(parsed.takeError());
    return malformed("stream chunk is not JSON (" + why + "): " + shortened(payload));
  }
  const llvm::json::Object *root = parsed->getAsObject();
  if (!root)
    return malformed("stream chunk is not a JSON object");
  if (auto msg = errorObjectMessage(*root))
    return llvm::make_error<LLMError>(ErrorKind::ServerError, "error event in stream: " + *msg);
  if (root->get("usage") && !root->getObject("usage") && !root->get("usage")->getAsNull())
    return malformed("stream chunk has a non-object usage");
  if (root->getObject("usage")) {
    readUsage(*root, result);
    sawProgress = true;
    ++progressCount;
  }
  const llvm::json::Array *choices = root->getArray("choices");
  if (!choices) {
    if (root->getObject("usage"))
      return llvm::Error::success();
    return malformed("stream chunk has no choices");
  }
  if (choices->empty())
    return llvm::Error::success(); // the usage-only chunk
  const llvm::json::Object *choice = (*choices)[0].getAsObject();
  if (!choice)
    return malformed("stream chunk choices[0] is not an object");
  if (const llvm::json::Object *delta = choice->getObject("delta")) {
    if (const llvm::json::Value *content = delta->get("content")) {
      if (auto s = content->getAsString()) {
        if (!s->empty()) {
          if (!sawContent)
            firstContentNow = true;
          sawContent = sawProgress = true;
          ++progressCount;
          if (result.content.size() + s->size() > limits.maxReplyBytes)
            return malformed("the streamed reply exceeds " + llvm::Twine(limits.maxReplyBytes) + " bytes");
          result.content.append(s->data(), s->size());
        }
      } else if (!content->getAsNull()) {
        return malformed("delta.content is not a string");
      }
    }
  }
  if (auto reason = choice->getString("finish_reason")) {
    result.finishReason = reason->str();
    sawProgress = true;
    ++progressCount;
  }
  return llvm::Error::success();
}

llvm::Expected<llvm::json::Value> parseModelJSON(llvm::StringRef content, const JSONLimits &limits) {
  llvm::StringRef s = content.trim();
  if (s.startswith("```")) {
    s = s.drop_front(3);
    s = s.drop_until([](char c) { return c == '\n'; }).trim();
    if (s.endswith("```"))
      s = s.drop_back(3).trim();
  }
  auto v = parseJSON(s, limits);
  if (v)
    return v;
  std::string why = llvm::toString(v.takeError());
  // Prose around an object: take the outermost {...}.
  size_t open = s.find('{'), close = s.rfind('}');
  if (open != llvm::StringRef::npos && close != llvm::StringRef::npos && close > open &&
      (open > 0 || close + 1 < s.size())) {
    auto inner = parseJSON(s.slice(open, close + 1), limits);
    if (inner)
      return inner;
    llvm::consumeError(inner.takeError());
  }
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "the model's reply is not valid JSON (" + why +
                                                                     "; starts: \"" + shortened(content).take_front(120) +
                                                                     "\")");
}

llvm::Error checkStructured(ChatResult &result, bool hasSchema, const JSONLimits &limits) {
  if (!hasSchema)
    return llvm::Error::success();
  if (result.finishReason == "length")
    return llvm::make_error<LLMError>(
        ErrorKind::Truncated, "finish_reason 'length' under a JSON schema: the output was cut at "
                              "max_tokens (" +
                                  std::to_string(result.content.size()) + " bytes)");
  llvm::Expected<llvm::json::Value> parsed = parseModelJSON(result.content, limits);
  if (!parsed)
    return malformed("structured output: " + llvm::toString(parsed.takeError()));
  result.json = std::move(*parsed);
  return llvm::Error::success();
}

} // namespace llmflow::llm
