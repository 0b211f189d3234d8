// Retry delays: exponential backoff with seeded jitter (the RNG lives in the
// object, so a run can be replayed), raised to at least a server's
// Retry-After.
//
// Not for: deciding whether to retry (isRetryable, llm_client.cpp).
#pragma once

#include "llm/llm_client.h"

#include <optional>
#include <random>

namespace llmflow::llm {

class Backoff {
public:
  explicit Backoff(uint64_t seed) : rng(seed) {}

  /// Delay before retry number `retry` (1 = the first retry) on an endpoint:
  /// min(max, base * 2^(retry-1)) scaled by 1 +- jitter, then at least
  /// `retryAfter` seconds when the server sent one.
  double delaySeconds(const RetryPolicy &policy, unsigned retry, std::optional<double> retryAfter);

private:
  std::mt19937_64 rng;
};

} // namespace llmflow::llm
