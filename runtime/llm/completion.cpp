// Parsing chat-completion JSON (whole bodies and stream chunks) into
// ChatResult, and the structured-output checks on finished results.
#include "llm/completion.h"

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

llvm::Expected<ChatResult> parseCompletion(llvm::StringRef body) {
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(body);
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

llvm::Error StreamAccumulator::onData(llvm::StringRef payload) {
  firstContentNow = false;
  if (payload.trim() == "[DONE]") {
    sawDone = sawProgress = true;
    return llvm::Error::success();
  }
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(payload);
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
  }
  return llvm::Error::success();
}

llvm::Error checkStructured(const ChatResult &result, bool hasSchema) {
  if (!hasSchema)
    return llvm::Error::success();
  if (result.finishReason == "length")
    return llvm::make_error<LLMError>(
        ErrorKind::Truncated, "finish_reason 'length' under a JSON schema: the output was cut at "
                              "max_tokens (" +
                                  std::to_string(result.content.size()) + " bytes)");
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(result.content);
  if (!parsed) {
    std::string why = llvm::toString(parsed.takeError());
    return malformed("structured output is not JSON (" + why + "): " + shortened(result.content));
  }
  return llvm::Error::success();
}

} // namespace llmflow::llm
