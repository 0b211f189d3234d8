// Run configuration (TOML): engine limits, LLM endpoints and model routes,
// timeouts, the simulated backend. CLI flags override the file; the file
// overrides the defaults. Documented in docs/config.md.
#pragma once

#include "engine/net_policy.h"
#include "ir/ir.h"
#include "llm/llm_client.h"

#include "llvm/Support/Error.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace llmflow::engine {

struct RunConfig {
  std::string backend = "sim";     // "sim", or a base URL used for every model
  unsigned llmSlots = 0;           // 0: the endpoints' total max_in_flight
  unsigned regularSlots = 8;
  double timeScale = 1;            // simulated backend only
  uint64_t seed = 1;
  std::string dataDir;             // std.fs.read root ("" = the application's folder)
  std::vector<llm::Endpoint> endpoints;
  std::vector<std::pair<std::string, std::vector<std::string>>> routes;
  std::vector<std::pair<std::string, llm::ModelOptions>> models;   // [models.NAME] id, extra, max_tokens_field
  std::map<std::string, ir::CachePolicy> modelCache;               // [models.NAME] cache (docs/cache.md)
  llm::Timeouts timeouts;
  llm::ReplyLimits limits;         // also bounds tool output and json.parse (limits.json)
  llm::HedgePolicy hedging;
  double toolGraceSeconds = 2;
  unsigned simEndpoints = 1;
  unsigned simMaxInFlight = 64;
  std::string simGPU = "h100";     // h100 | a100
  /// [network] allow_hosts: the non-public addresses tools may reach.
  std::shared_ptr<const NetPolicy> network = std::make_shared<NetPolicy>();
};

/// Reads a config file into `cfg` (keeping defaults for what it omits).
llvm::Error loadRunConfig(llvm::StringRef path, RunConfig &cfg);

} // namespace llmflow::engine
