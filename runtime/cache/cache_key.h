// Which calls the call cache may answer, and the key it files them under:
// a hash of the executor, the stage's node id, the rendered request (an LLM
// call's chat-completions body with its model and sampling parameters, a
// tool call's argv and stdin or URL and body) and what the configuration
// adds to the model's requests. Not for: storing (call_cache.h) or running
// calls (caching_executor.h).
#pragma once

#include "core/job.h"

#include <map>
#include <string>

namespace llmflow::cache {

struct CacheRules {
  /// [models.NAME] cache: the model's rule where a stage sets none.
  std::map<std::string, ir::CachePolicy> models;
  /// [models.NAME] id, extra, ...: request fields the configuration adds to
  /// the program's, so that changing them changes the key.
  std::map<std::string, llvm::json::Value> modelParams;
};

/// Whether the cache may answer the task: the stage's `cache` property, else
/// its model's, decides; `true` (and the default) caches tool calls and LLM
/// calls at temperature 0, "always" sampled LLM calls too, `false` nothing.
bool eligible(const rt::Task &task, const CacheRules &rules);

/// The key of a call (64 hex digits). `executor` keeps the simulated
/// backend's answers apart from real ones.
std::string cacheKey(llvm::StringRef executor, const rt::Task &task, const llvm::json::Value &request,
                     const CacheRules &rules);

} // namespace llmflow::cache
