// The executor of `llmflow test`: it answers a task from the test's canned
// replies (the reply for the stage's call N, else its every-call reply) at
// once, without a model or a process. A task without a reply goes to the
// fallback executor (the real tool executor, so unstubbed tools really run);
// with no fallback (LLM stages: a test never calls a model) it fails and says
// which reply is missing. Calls are counted per stage, in dispatch order.
#pragma once

#include "engine/executor.h"
#include "testing/test_file.h"

#include "llvm/ADT/StringMap.h"

#include <boost/asio/io_context.hpp>

namespace llmflow::testing {

class CannedExecutor : public engine::TaskExecutor {
public:
  /// `tc` must outlive the executor; `fallback` may be null.
  CannedExecutor(boost::asio::io_context &io, const TestCase &tc, engine::TaskExecutor *fallback, std::string what);
  void run(const rt::Task &task, rt::Job &job, engine::ExecCallback done) override;
  /// A canned answer is already posted; a task of the fallback is stopped there.
  void cancel(rt::JobId job, rt::TaskId task) override {
    if (fallback)
      fallback->cancel(job, task);
  }
  std::string name() const override { return "canned-" + what; }
  unsigned calls(llvm::StringRef nodeId) const { return counts.lookup(nodeId); }

private:
  boost::asio::io_context &io;
  const TestCase &tc;
  engine::TaskExecutor *fallback;
  std::string what;
  llvm::StringMap<unsigned> counts;
};

} // namespace llmflow::testing
