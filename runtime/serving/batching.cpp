#include "serving/batching.h"

#include <algorithm>
#include <cmath>

namespace llmflow::serving {

ServingParams ServingParams::a100() {
  ServingParams p;
  p.prefillBase = 0.011;
  p.prefillPerToken = 0.000064;
  p.stepBase = 0.0115;
  p.stepPerSeq = 0.00008;
  return p;
}

unsigned BatchingServer::decodingCount() const {
  unsigned n = 0;
  for (const Req &r : reqs)
    n += r.decoding;
  return std::min(n, params.maxBatch);
}

std::vector<BatchingServer::Done> BatchingServer::add(uint64_t id, double now, unsigned promptTokens,
                                                      unsigned outputTokens) {
  std::vector<Done> done = advance(now);
  reqs.push_back({id, now + params.prefillTime(promptTokens), double(std::max(1u, outputTokens))});
  return done;
}

void BatchingServer::remove(uint64_t id) {
  reqs.erase(std::remove_if(reqs.begin(), reqs.end(), [&](const Req &r) { return r.id == id; }), reqs.end());
}

// Advances decode progress from `clock` to `to`, with no state change inside.
void BatchingServer::step(double to) {
  double dt = to - clock;
  if (dt > 0) {
    unsigned b = decodingCount();
    if (b) {
      // With more decoding requests than the batch holds, each progresses
      // at a share of the batch's rate.
      unsigned total = 0;
      for (const Req &r : reqs)
        total += r.decoding;
      double rate = 1.0 / params.stepTime(b) * double(b) / double(total);
      for (Req &r : reqs)
        if (r.decoding)
          r.remaining -= dt * rate;
    }
  }
  clock = to;
}

double BatchingServer::nextEvent() const {
  double next = std::numeric_limits<double>::infinity();
  unsigned b = decodingCount();
  unsigned total = 0;
  for (const Req &r : reqs)
    total += r.decoding;
  double rate = b ? 1.0 / params.stepTime(b) * double(b) / double(total) : 0;
  for (const Req &r : reqs) {
    if (!r.decoding)
      next = std::min(next, r.prefillEnd);
    else
      next = std::min(next, clock + std::max(0.0, r.remaining) / rate);
  }
  return next;
}

std::vector<BatchingServer::Done> BatchingServer::advance(double now) {
  std::vector<Done> done;
  constexpr double eps = 1e-9;
  while (true) {
    double next = nextEvent();
    if (next > now + eps)
      break;
    step(std::max(clock, next));
    for (Req &r : reqs)
      if (!r.decoding && r.prefillEnd <= clock + eps) {
        r.decoding = true;
        r.firstToken = clock;
      }
    auto it = std::stable_partition(reqs.begin(), reqs.end(),
                                    [&](const Req &r) { return !(r.decoding && r.remaining <= eps * 10); });
    for (auto x = it; x != reqs.end(); ++x)
      done.push_back({x->id, x->firstToken, clock});
    reqs.erase(it, reqs.end());
  }
  step(std::max(clock, now));
  return done;
}

} // namespace llmflow::serving
