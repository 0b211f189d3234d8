// Backoff: exponential delays with seeded jitter.
#include "llm/backoff.h"

#include <algorithm>
#include <cmath>

namespace llmflow::llm {

double Backoff::delaySeconds(const RetryPolicy &policy, unsigned retry,
                             std::optional<double> retryAfter) {
  double base = std::max(0.0, policy.backoffSeconds);
  double exponent = static_cast<double>(retry > 0 ? retry - 1 : 0);
  double delay = std::min(std::max(0.0, policy.backoffMaxSeconds),
                          base * std::pow(2.0, std::min(exponent, 60.0)));
  double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  if (jitter > 0) {
    std::uniform_real_distribution<double> coin(-jitter, jitter);
    delay *= 1.0 + coin(rng);
  }
  if (retryAfter)
    delay = std::max(delay, *retryAfter);
  return std::max(0.0, delay);
}

} // namespace llmflow::llm
