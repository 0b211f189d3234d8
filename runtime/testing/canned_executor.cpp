#include "testing/canned_executor.h"

#include "core/eval.h"
#include "engine/chat_request.h"

#include <boost/asio/post.hpp>

namespace llmflow::testing {

CannedExecutor::CannedExecutor(boost::asio::io_context &io, const TestCase &tc, engine::TaskExecutor *fallback,
                               std::string what)
    : io(io), tc(tc), fallback(fallback), what(std::move(what)) {}

void CannedExecutor::run(const rt::Task &task, rt::Job &job, engine::ExecCallback done) {
  unsigned call = ++counts[task.nodeId];
  auto it = tc.replies.find({task.nodeId, call});
  if (it == tc.replies.end())
    it = tc.replies.find({task.nodeId, 0});
  if (it == tc.replies.end() && fallback) {
    fallback->setRecordContent(recordContent);
    fallback->run(task, job, std::move(done));
    return;
  }
  engine::ExecResult r;
  r.endpoint = "canned";
  if (it == tc.replies.end()) {
    r.outcome.ok = false;
    r.outcome.error = "no canned reply for stage '" + task.nodeId + "' call " + std::to_string(call) +
                      " (a test never calls a model: give replies." + task.nodeId + " or \"" + task.nodeId + "#" +
                      std::to_string(call) + "\")";
  } else if (it->second.fails) {
    r.outcome.ok = false;
    r.outcome.error = it->second.error;
  } else {
    r.outcome.value = it->second.value;
  }
  if (recordContent) {
    llvm::json::Value request = task.node->llm ? engine::requestJSON(engine::chatRequest(task))
                                               : llvm::json::Value(llvm::json::Object{{"args", llvm::json::Object(task.args)}});
    r.transcript = engine::Transcript{std::move(request), r.outcome.ok ? rt::renderValue(r.outcome.value) : "", ""};
  }
  // Answer on the event loop, as every executor does.
  boost::asio::post(io, [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
}

} // namespace llmflow::testing
