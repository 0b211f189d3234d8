#include "cache/cache_key.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/SHA256.h"

namespace llmflow::cache {

/// Bump when the key's text or the stored entry changes meaning: old entries
/// then miss instead of answering wrongly.
constexpr int kKeyVersion = 1;

bool eligible(const rt::Task &task, const CacheRules &rules) {
  if (!task.node)
    return false;
  ir::CachePolicy p = task.node->policy.cache;
  if (p == ir::CachePolicy::Default && task.node->llm)
    if (auto it = rules.models.find(task.node->llm->model); it != rules.models.end())
      p = it->second;
  if (p == ir::CachePolicy::Off)
    return false;
  if (task.node->llm)
    return p == ir::CachePolicy::Always || task.node->llm->temperature == 0;
  return task.tool != nullptr;
}

std::string cacheKey(llvm::StringRef executor, const rt::Task &task, const llvm::json::Value &request,
                     const CacheRules &rules) {
  llvm::json::Object key{{"v", kKeyVersion}, {"executor", executor}, {"node", task.nodeId}, {"request", request}};
  if (task.node && task.node->llm)
    if (auto it = rules.modelParams.find(task.node->llm->model); it != rules.modelParams.end())
      key["model_params"] = it->second;
  // llvm::json prints object keys sorted: equal keys print equally.
  std::string text = llvm::formatv("{0}", llvm::json::Value(std::move(key))).str();
  std::array<uint8_t, 32> digest = llvm::SHA256::hash(llvm::arrayRefFromStringRef(text));
  return llvm::toHex(digest, /*LowerCase=*/true);
}

} // namespace llmflow::cache
