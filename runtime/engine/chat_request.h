// The chat request an LLM task makes: messages from the rendered system
// prompt, prompt and planner repair note; the node's sampling settings; its
// output schema as structured output. Shared by the HTTP executor (which
// sends it) and the simulated one (which records it for --log-content).
#pragma once

#include "core/job.h"
#include "llm/llm_client.h"

namespace llmflow::engine {

llm::ChatRequest chatRequest(const rt::Task &task);

/// The request as the event log shows it: the chat-completions body (no
/// headers, no credentials).
llvm::json::Value requestJSON(const llm::ChatRequest &req);

} // namespace llmflow::engine
