// The call cache in front of an executor (--cache, docs/cache.md): a task
// the cache may answer (cache_key.h) whose key is stored is answered from
// the store, without running, with the original value, tokens and
// transcript; any other task runs on the wrapped executor, and its result is
// stored when it succeeded. Works the same over the simulated and the real
// backends, for LLM and tool executors alike. Not for: retries or
// durability of a run (the journal), nor coalescing identical calls that are
// in flight at the same time (each runs).
#pragma once

#include "cache/cache_key.h"
#include "cache/call_cache.h"
#include "engine/executor.h"

#include <boost/asio/io_context.hpp>

namespace llmflow::cache {

class CachingExecutor : public engine::TaskExecutor {
public:
  /// `inner` and `store` must outlive this. The inner executor records
  /// transcripts from now on, so that a hit can give back the original's.
  CachingExecutor(boost::asio::io_context &io, engine::TaskExecutor &inner, CallCache &store, CacheRules rules);
  void run(const rt::Task &task, rt::Job &job, engine::ExecCallback done) override;
  void cancel(rt::JobId job, rt::TaskId task) override { inner.cancel(job, task); }
  std::string name() const override { return inner.name(); }
  /// The first lookup or store that failed ("" if none): the run goes on
  /// without those entries, and the caller says so.
  const std::string &firstError() const { return failure; }

private:
  void note(llvm::Error e);

  boost::asio::io_context &io;
  engine::TaskExecutor &inner;
  CallCache &store;
  CacheRules rules;
  std::string failure;
};

} // namespace llmflow::cache
