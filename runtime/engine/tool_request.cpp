#include "engine/tool_request.h"

#include "core/url_template.h"
#include "engine/chat_request.h"

namespace llmflow::engine {

llvm::Expected<ToolRequest> renderToolRequest(const rt::Task &task) {
  const ir::ToolDef &tool = *task.tool;
  // Tool templates see the arguments as inputs.
  const llvm::json::Object &args = task.args;
  rt::EvalScope scope{[&args](ir::RefRoot root, llvm::StringRef name) -> const llvm::json::Value * {
    return root == ir::RefRoot::Input ? args.get(name) : nullptr;
  }};
  ToolRequest r;
  r.impl = tool.impl;
  switch (tool.impl) {
  case ir::ToolDef::Impl::Builtin:
    r.builtin = tool.builtin;
    r.args = args;
    if (tool.builtin == "http.get" || tool.builtin == "http.post") {
      r.method = tool.builtin == "http.get" ? "GET" : "POST";
      r.url = args.getString("url").getValueOr("").str();
      r.body = args.getString("body").getValueOr("").str();
      r.contentType = args.getString("content_type").getValueOr("application/json").str();
    }
    return r;
  case ir::ToolDef::Impl::Http: {
    auto url = rt::renderUrl(tool.url, scope);
    if (!url)
      return url.takeError();
    r.method = tool.method;
    r.url = std::move(*url);
    if (tool.body) {
      auto body = rt::renderTemplate(*tool.body, scope);
      if (!body)
        return body.takeError();
      r.body = std::move(*body);
    }
    return r;
  }
  case ir::ToolDef::Impl::Exec:
    for (const ir::Template &t : tool.argv) {
      auto a = rt::renderTemplate(t, scope);
      if (!a)
        return a.takeError();
      r.argv.push_back(std::move(*a));
    }
    if (tool.stdinMode == "json") {
      llvm::raw_string_ostream os(r.stdinData);
      os << llvm::json::Value(llvm::json::Object(args));
    } else if (tool.stdinMode != "none") {
      if (const llvm::json::Value *v = args.get(tool.stdinMode))
        r.stdinData = rt::renderValue(*v);
    }
    return r;
  }
  llvm_unreachable("tool implementation");
}

llvm::json::Value toJSON(const ToolRequest &r) {
  if (!r.method.empty())
    return llvm::json::Object{{"method", r.method}, {"url", r.url}, {"body", r.body}};
  if (r.impl == ir::ToolDef::Impl::Builtin)
    return llvm::json::Object{{"builtin", r.builtin}, {"args", llvm::json::Object(r.args)}};
  llvm::json::Array argv;
  for (const std::string &a : r.argv)
    argv.push_back(a);
  return llvm::json::Object{{"argv", std::move(argv)}, {"stdin", r.stdinData}};
}

llvm::Expected<llvm::json::Value> renderedRequest(const rt::Task &task) {
  if (task.node && task.node->llm)
    return requestJSON(chatRequest(task));
  if (!task.tool)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "task '%s' is neither an LLM call nor a tool call",
                                   task.instance.c_str());
  auto r = renderToolRequest(task);
  if (!r)
    return r.takeError();
  return toJSON(*r);
}

} // namespace llmflow::engine
