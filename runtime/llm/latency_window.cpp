// LatencyWindow: a ring of samples and a nearest-rank quantile.
#include "llm/latency_window.h"

#include <algorithm>
#include <cmath>

namespace llmflow::llm {

void LatencyWindow::add(double seconds) {
  if (samples.size() < capacity) {
    samples.push_back(seconds);
    return;
  }
  samples[next] = seconds;
  next = (next + 1) % capacity;
}

std::optional<double> LatencyWindow::quantile(double q, size_t minSamples) const {
  if (samples.empty() || samples.size() < minSamples)
    return std::nullopt;
  std::vector<double> sorted = samples;
  size_t rank = size_t(std::ceil(q * double(sorted.size())));
  size_t k = std::min(sorted.size() - 1, rank ? rank - 1 : 0);
  std::nth_element(sorted.begin(), sorted.begin() + long(k), sorted.end());
  return sorted[k];
}

} // namespace llmflow::llm
