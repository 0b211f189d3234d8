// Executors for real runs: LLM stages through the OpenAI-compatible client
// (runtime/llm), tool stages as processes, HTTP calls or builtins
// (runtime/exec). Retries here follow the stage's policy; the LLM client
// retries transport-level failures on its own and falls back to other
// endpoints. Nothing an LLM produced is executed: outputs are data.
#pragma once

#include "engine/executor.h"
#include "engine/net_policy.h"
#include "exec/builtins.h"
#include "llm/curl_asio.h"
#include "llm/llm_client.h"

#include <boost/asio/io_context.hpp>

#include <map>
#include <memory>

namespace llmflow::engine {

class HttpLLMExecutor : public TaskExecutor {
public:
  HttpLLMExecutor(boost::asio::io_context &io, const EngineClock &clock, llm::ClientConfig config,
                  llm::Timeouts timeouts);
  ~HttpLLMExecutor() override;
  void run(const rt::Task &task, rt::Job &job, ExecCallback done) override;
  void cancel(rt::JobId job, rt::TaskId task) override;
  std::string name() const override { return "http-llm"; }

private:
  const EngineClock &clock;
  llm::LLMClient client;
  llm::Timeouts timeouts;
  std::map<std::pair<rt::JobId, rt::TaskId>, uint64_t> requests; // running task -> client handle
};

/// What tools may reach and see beyond their arguments.
struct ToolLimits {
  double graceSeconds = 2;                    // between TERM and KILL
  std::shared_ptr<const NetPolicy> network;   // HTTP tools and std.http (null: public addresses only)
  std::vector<std::string> withheldEnv;       // never passed, even when declared (the API key variables)
};

/// Where the tools of one program run: the program's folder (the working
/// directory of its processes) and its builtins' context (data folder).
struct ToolHome {
  const ir::Module *module = nullptr;
  std::string workDir;
  exec::BuiltinContext builtins;
};

class ToolExecutor : public TaskExecutor {
public:
  /// One home per program whose jobs it runs: a task runs in its job's.
  ToolExecutor(boost::asio::io_context &io, std::vector<ToolHome> homes, ToolLimits limits);
  ~ToolExecutor() override;
  void run(const rt::Task &task, rt::Job &job, ExecCallback done) override;
  void cancel(rt::JobId job, rt::TaskId task) override;
  std::string name() const override { return "tools"; }

private:
  void attempt(std::shared_ptr<struct ToolCall> call);
  void finish(std::shared_ptr<struct ToolCall> call, llvm::Expected<llvm::json::Value> value);

  boost::asio::io_context &io;
  std::vector<ToolHome> homes;
  std::vector<std::string> environment(const ir::ToolDef &tool) const;

  ToolLimits limits;
  llm::CurlMulti http;
  std::map<std::pair<rt::JobId, rt::TaskId>, std::shared_ptr<struct ToolCall>> calls; // running tasks
};

} // namespace llmflow::engine
