// LatencyWindow: the recent times to first token of one endpoint, for
// hedging (HedgePolicy in llm_client.h): after what delay a request without
// a first token is probably stuck rather than slow.
//
// A plain data structure; not for: deciding to hedge (llm_client.cpp).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace llmflow::llm {

class LatencyWindow {
public:
  explicit LatencyWindow(size_t capacity = 256) : capacity(capacity) {}
  void add(double seconds);
  /// The q-quantile (nearest rank) of the samples in the window, once at
  /// least `minSamples` were seen.
  std::optional<double> quantile(double q, size_t minSamples) const;
  size_t size() const { return samples.size(); }

private:
  size_t capacity;
  size_t next = 0; // where the next sample overwrites, once full
  std::vector<double> samples;
};

} // namespace llmflow::llm
