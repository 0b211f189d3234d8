// The OpenAI-compatible facade of the service: an application called as if
// it were a model. POST /v1/chat/completions takes `model` = an app name and
// binds the last user message to the app's one string input; the job's
// result (a string as it is, anything else as JSON text) is the assistant's
// message, whole or (`stream: true`) as chat.completion.chunk events ending
// with `data: [DONE]`. GET /v1/models lists the apps. Only what a client
// needs to call an app: no tools, no n > 1, no logprobs; the sampling fields
// of the request are the app's business and are ignored.
#include "serve/job_service.h"

#include "ir/json_text.h"

#include "llvm/Support/FormatVariadic.h"

#include <chrono>

namespace llmflow::serve {

static int64_t unixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// The text of a message's content: a string, or the text parts of an array.
static std::optional<std::string> contentText(const llvm::json::Value *content) {
  if (!content)
    return std::nullopt;
  if (auto s = content->getAsString())
    return s->str();
  const llvm::json::Array *parts = content->getAsArray();
  if (!parts)
    return std::nullopt;
  std::string text;
  for (const llvm::json::Value &p : *parts)
    if (const llvm::json::Object *o = p.getAsObject(); o && o->getString("type") == llvm::StringRef("text"))
      if (auto t = o->getString("text"))
        text += t->str();
  return text;
}

static std::string answerText(const BoardJob &j) {
  if (auto s = j.result.getAsString())
    return s->str();
  return ir::toText(j.result, 0);
}

Response JobService::models() const {
  llvm::json::Array data;
  for (const ServedApp &a : apps)
    data.push_back(llvm::json::Object{{"id", a.app->name}, {"object", "model"}, {"created", 0}, {"owned_by", "llmflow"}});
  return jsonResponse(200, llvm::json::Object{{"object", "list"}, {"data", std::move(data)}});
}

void JobService::chatCompletions(const Request &req, std::shared_ptr<Exchange> x) {
  if (draining)
    return x->reply(jsonError(503, "the service is stopping: not admitting jobs"));
  Response error;
  std::optional<llvm::json::Object> b = body(req, error);
  if (!b)
    return x->reply(std::move(error));
  auto model = b->getString("model");
  if (!model)
    return x->reply(jsonError(400, "field 'model' (a string: the application's name) is required"));
  const ServedApp *app = findApp(*model);
  if (!app)
    return x->reply(jsonError(404, "the model '" + model->str() + "' does not exist (GET /v1/models lists them)"));
  const std::vector<ir::Param> &params = app->app->inputs;
  if (params.size() != 1 || params[0].type.kind != ir::Type::Kind::String)
    return x->reply(jsonError(400, "app '" + app->app->name +
                                       "' cannot be called as a chat model: it needs exactly one string input (use "
                                       "POST /v1/jobs)"));
  const llvm::json::Array *messages = b->getArray("messages");
  if (!messages)
    return x->reply(jsonError(400, "field 'messages' (an array) is required"));
  std::optional<std::string> prompt;
  for (const llvm::json::Value &m : *messages) {
    const llvm::json::Object *o = m.getAsObject();
    if (!o)
      return x->reply(jsonError(400, "field 'messages' must hold objects"));
    if (o->getString("role") == llvm::StringRef("user")) {
      prompt = contentText(o->get("content"));
      if (!prompt)
        return x->reply(jsonError(400, "a user message's 'content' must be a string or text parts"));
    }
  }
  if (!prompt)
    return x->reply(jsonError(400, "field 'messages' has no user message"));
  const llvm::json::Value *streamField = b->get("stream");
  if (streamField && !streamField->getAsBoolean() && streamField->kind() != llvm::json::Value::Null)
    return x->reply(jsonError(400, "field 'stream' must be a boolean"));
  bool stream = streamField && streamField->getAsBoolean().getValueOr(false);
  BoardJob *job = admit(*app, llvm::json::Object{{params[0].name, *prompt}}, "", error);
  if (!job)
    return x->reply(std::move(error));
  std::string id = llvm::formatv("chatcmpl-llmflow-{0}", job->id).str();
  int64_t created = unixSeconds();
  std::string name = app->app->name;
  if (!stream) {
    board.whenEnded(*job, [x, id, created, name](const BoardJob &j) {
      if (j.status != JobStatus::Succeeded)
        return x->reply(jsonError(500, llvm::formatv("job {0} {1}: {2}", j.id, toString(j.status), j.error).str()));
      llvm::json::Object usage{{"prompt_tokens", int64_t(j.tokensIn)},
                               {"completion_tokens", int64_t(j.tokensOut)},
                               {"total_tokens", int64_t(j.tokensIn + j.tokensOut)}};
      x->reply(jsonResponse(
          200, llvm::json::Object{{"id", id},
                                  {"object", "chat.completion"},
                                  {"created", created},
                                  {"model", name},
                                  {"choices", llvm::json::Array{llvm::json::Object{
                                                  {"index", 0},
                                                  {"message", llvm::json::Object{{"role", "assistant"},
                                                                                 {"content", answerText(j)}}},
                                                  {"finish_reason", "stop"}}}},
                                  {"usage", std::move(usage)}}));
    });
    return;
  }
  auto chunk = [id, created, name](llvm::json::Object delta, llvm::json::Value finish) {
    llvm::json::Object c{{"id", id},
                         {"object", "chat.completion.chunk"},
                         {"created", created},
                         {"model", name},
                         {"choices", llvm::json::Array{llvm::json::Object{
                                         {"index", 0}, {"delta", std::move(delta)}, {"finish_reason", finish}}}}};
    return llvm::formatv("data: {0}\n\n", llvm::json::Value(std::move(c))).str();
  };
  x->openStream();
  x->send(chunk(llvm::json::Object{{"role", "assistant"}, {"content", ""}}, nullptr));
  board.whenEnded(*job, [x, chunk](const BoardJob &j) {
    if (j.status == JobStatus::Succeeded) {
      x->send(chunk(llvm::json::Object{{"content", answerText(j)}}, nullptr));
      x->send(chunk(llvm::json::Object{}, "stop"));
    } else {
      // The head has gone out: the error travels as an event, as OpenAI's does.
      x->send(llvm::formatv("data: {0}\n\n", jsonError(500, llvm::formatv("job {0} {1}: {2}", j.id,
                                                                           toString(j.status), j.error)
                                                                 .str())
                                                 .body)
                  .str());
    }
    x->send("data: [DONE]\n\n");
    x->end();
  });
}

} // namespace llmflow::serve
