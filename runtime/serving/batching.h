// A model of one LLM serving instance with continuous batching (vLLM-style),
// independent of any clock: the caller says what time it is. Each request
// has a prefill (API overhead + prompt processing) and then decodes one
// token per engine step; a step takes longer as more requests decode at
// once. Used by the simulated backend (real time, scaled) and by the
// simulator (virtual time). Constants: docs/behaviour.md ("Serving latency"
// and its sources; a 7-8B model on one H100 by default).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace llmflow::serving {

struct ServingParams {
  double apiOverhead = 0.030;       // s, added to the first token
  double prefillBase = 0.006;       // s, prompts up to prefillKnee tokens
  double prefillKnee = 128;
  double prefillPerToken = 0.00002; // s per prompt token beyond the knee
  double stepBase = 0.0070;         // s per decode step with one running request
  double stepPerSeq = 0.00005;      // s added per running request
  unsigned maxBatch = 256;          // decoding requests at once; more wait

  double stepTime(unsigned running) const { return stepBase + stepPerSeq * running; }
  double prefillTime(unsigned promptTokens) const {
    double extra = promptTokens > prefillKnee ? (promptTokens - prefillKnee) * prefillPerToken : 0;
    return apiOverhead + prefillBase + extra;
  }
  /// H100 (default) or A100 constants.
  static ServingParams h100() { return {}; }
  static ServingParams a100();
};

class BatchingServer {
public:
  explicit BatchingServer(ServingParams p = {}) : params(p) {}

  struct Done {
    uint64_t id;
    double firstToken;   // time the first token appeared
    double finish;
  };

  /// Adds a request at `now`; returns the requests that finished before it
  /// (the model is advanced to `now` first).
  [[nodiscard]] std::vector<Done> add(uint64_t id, double now, unsigned promptTokens, unsigned outputTokens);
  /// Moves the model to `now`, returning requests that finished by then.
  std::vector<Done> advance(double now);
  /// When the next request will finish (or +inf if none is running).
  double nextEvent() const;
  unsigned running() const { return unsigned(reqs.size()); }
  /// Removes a request (cancelled); no effect if unknown.
  void remove(uint64_t id);
  const ServingParams &config() const { return params; }

private:
  struct Req {
    uint64_t id;
    double prefillEnd;   // time decode can start
    double remaining;    // tokens left to decode
    double firstToken = -1;
    bool decoding = false;
  };
  void step(double to);
  unsigned decodingCount() const;
  /// The time of the next event and the request it belongs to (reqs.size() if none).
  std::pair<double, std::size_t> firstEvent() const;
  ServingParams params;
  std::vector<Req> reqs;
  double clock = 0;
};

} // namespace llmflow::serving
