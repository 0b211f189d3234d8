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

std::pair<double, size_t> BatchingServer::firstEvent() const {
  double next = std::numeric_limits<double>::infinity();
  size_t which = reqs.size();
  unsigned b = decodingCount();
  unsigned total = 0;
  for (const Req &r : reqs)
    total += r.decoding;
  double rate = b ? 1.0 / params.stepTime(b) * double(b) / double(total) : 0;
  for (size_t i = 0; i < reqs.size(); ++i) {
    const Req &r = reqs[i];
    double t = r.decoding ? clock + std::max(0.0, r.remaining) / rate : r.prefillEnd;
    if (t < next) {
      next = t;
      which = i;
    }
  }
  return {next, which};
}

double BatchingServer::nextEvent() const { return firstEvent().first; }

std::vector<BatchingServer::Done> BatchingServer::advance(double now) {
  std::vector<Done> done;
  // Tolerances relative to the clock: far into a run, a request's last
  // fraction of a token can take less time than the spacing of doubles
  // there, and an absolute epsilon would never see it finish.
  auto tolerance = [](double t) { return 1e-12 * std::max(1.0, std::abs(t)); };
  while (true) {
    auto [next, which] = firstEvent();
    if (which == reqs.size() || next > now + tolerance(now))
      break;
    step(std::max(clock, next));
    // The request that set the time has reached its event, whatever
    // rounding left of it; others may reach theirs at the same moment.
    Req &first = reqs[which];
    if (first.decoding)
      first.remaining = 0;
    else
      first.prefillEnd = clock;
    for (Req &r : reqs)
      if (!r.decoding && r.prefillEnd <= clock + tolerance(clock)) {
        r.decoding = true;
        r.firstToken = clock;
      }
    auto it = std::stable_partition(reqs.begin(), reqs.end(),
                                    [&](const Req &r) { return !(r.decoding && r.remaining <= 1e-9); });
    for (auto x = it; x != reqs.end(); ++x)
      done.push_back({x->id, x->firstToken, clock});
    reqs.erase(it, reqs.end());
  }
  step(std::max(clock, now));
  return done;
}

} // namespace llmflow::serving
