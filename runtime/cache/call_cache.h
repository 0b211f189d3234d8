// The call cache's store: one SQLite file (WAL mode, shared by any number of
// llmflow processes) mapping a call's key (cache_key.h) to its successful
// result: the value, the tokens and the transcript of the original call.
// For answering repeated LLM and tool calls across runs (--cache,
// docs/cache.md); not for resuming a run (the journal does that, per run)
// nor for failures, which are never stored.
#pragma once

#include "engine/executor.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>

namespace llmflow::cache {

struct CachedCall {
  llvm::json::Value value = nullptr;
  std::optional<unsigned> tokensIn, tokensOut;
  std::optional<engine::Transcript> transcript;  // when the original call recorded one
};

class CallCache {
public:
  /// Opens or creates the cache at `path`: an SQLite file, or an existing
  /// directory to hold one named kFileName. Errors name the file and say
  /// what is wrong (cannot create, read-only, not a database or damaged, an
  /// SQLite database that is not a call cache, another schema version).
  static llvm::Expected<std::unique_ptr<CallCache>> open(const std::string &path);
  ~CallCache();

  /// The stored result of a key, if any. A damaged entry is an error.
  llvm::Expected<std::optional<CachedCall>> lookup(llvm::StringRef key);
  /// Stores a result (a key already stored keeps its first result).
  llvm::Error store(llvm::StringRef key, llvm::StringRef node, const CachedCall &call);
  /// The file in use.
  const std::string &file() const { return path; }

  static constexpr const char *kFileName = "llmflow-cache.db";
  static constexpr int kSchemaVersion = 1;

private:
  struct Impl;
  explicit CallCache(std::string path);
  std::string path;
  std::unique_ptr<Impl> impl;
};

} // namespace llmflow::cache
