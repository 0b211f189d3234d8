#include "engine/chat_request.h"

#include "llm/request_json.h"

namespace llmflow::engine {

llm::ChatRequest chatRequest(const rt::Task &task) {
  const ir::Node &n = *task.node;
  llm::ChatRequest req;
  req.model = n.llm->model;
  req.maxTokens = n.llm->maxTokens;
  req.temperature = n.llm->temperature;
  if (!task.system.empty())
    req.messages.push_back({"system", task.system});
  std::string prompt = task.prompt;
  if (!task.repairNote.empty())
    prompt += "\n\n" + task.repairNote;
  req.messages.push_back({"user", prompt});
  if (n.llm->outputSchema) {
    req.responseSchema = *n.llm->outputSchema;
    req.schemaName = n.llm->isPlanner ? "plan" : "output";
  }
  return req;
}

llvm::json::Value requestJSON(const llm::ChatRequest &req) {
  auto v = llvm::json::parse(llm::buildRequestBody(req));
  assert(v && "the request body is valid JSON");
  return v ? std::move(*v) : llvm::json::Value(nullptr);
}

} // namespace llmflow::engine
