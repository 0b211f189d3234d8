// The request a tool stage makes, rendered from its arguments: argv and
// stdin (exec tools), method, URL and body (HTTP tools and std.http), or a
// builtin's name and arguments. One rendering for the executor that sends
// it, the transcript that records it and the call cache that keys on it.
// Not for: running it (real_executors.cpp) or checking where it may go
// (net_policy.h).
#pragma once

#include "core/job.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace llmflow::engine {

struct ToolRequest {
  ir::ToolDef::Impl impl = ir::ToolDef::Impl::Exec;
  std::vector<std::string> argv;  // exec
  std::string stdinData;          // exec
  std::string method, url, body;  // HTTP tools, http.get / http.post
  std::string contentType;        // http.post
  std::string builtin;            // builtins: the name; args are the task's
  llvm::json::Object args;
};

/// Renders the task's tool request; an error when a template cannot be
/// rendered (the task fails with it).
llvm::Expected<ToolRequest> renderToolRequest(const rt::Task &task);

/// The request as the event log shows it (--log-content).
llvm::json::Value toJSON(const ToolRequest &r);

/// What any task asks of the outside world: an LLM task's chat-completions
/// body, a tool task's rendered request.
llvm::Expected<llvm::json::Value> renderedRequest(const rt::Task &task);

} // namespace llmflow::engine
