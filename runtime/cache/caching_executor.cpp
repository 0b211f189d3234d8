#include "cache/caching_executor.h"

#include "engine/tool_request.h"

#include <boost/asio/post.hpp>

namespace llmflow::cache {

CachingExecutor::CachingExecutor(boost::asio::io_context &io, engine::TaskExecutor &inner, CallCache &store,
                                 CacheRules rules)
    : io(io), inner(inner), store(store), rules(std::move(rules)) {
  inner.setRecordContent(true);
}

void CachingExecutor::note(llvm::Error e) {
  if (failure.empty())
    failure = llvm::toString(std::move(e));
  else
    llvm::consumeError(std::move(e));
}

void CachingExecutor::run(const rt::Task &task, rt::Job &job, engine::ExecCallback done) {
  bool keepTranscript = recordContent;
  auto strip = [keepTranscript](engine::ExecResult r) {
    if (!keepTranscript)
      r.transcript.reset();
    return r;
  };
  std::string key;
  if (eligible(task, rules)) {
    auto request = engine::renderedRequest(task);
    if (request)
      key = cacheKey(inner.name(), task, *request, rules);
    else // the executor meets the same error and reports it
      llvm::consumeError(request.takeError());
  }
  if (key.empty())
    return inner.run(task, job, [strip, done = std::move(done)](engine::ExecResult r) { done(strip(std::move(r))); });
  auto found = store.lookup(key);
  if (!found)
    note(found.takeError()); // answered as a miss; the fresh result replaces nothing
  else if (*found) {
    engine::ExecResult r;
    r.outcome.value = std::move((*found)->value);
    r.tokensIn = (*found)->tokensIn;
    r.tokensOut = (*found)->tokensOut;
    r.transcript = std::move((*found)->transcript);
    r.attempts = 0;
    r.endpoint = "cache";
    r.cacheHit = true;
    // Never call back from inside run(): the engine is still dispatching.
    boost::asio::post(io, [done = std::move(done), r = strip(std::move(r))]() mutable { done(std::move(r)); });
    return;
  }
  inner.run(task, job, [this, strip, key, node = task.nodeId, done = std::move(done)](engine::ExecResult r) {
    r.cacheHit = false;
    if (r.outcome.ok)
      if (llvm::Error e = store.store(key, node, CachedCall{r.outcome.value, r.tokensIn, r.tokensOut, r.transcript}))
        note(std::move(e));
    done(strip(std::move(r)));
  });
}

} // namespace llmflow::cache
