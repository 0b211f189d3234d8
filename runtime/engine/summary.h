// Batch summaries from job records: counts, JCT percentiles, calls, tokens.
#pragma once

#include "engine/engine.h"

#include <string>

namespace llmflow::engine {

struct BatchSummary {
  unsigned jobs = 0, done = 0, failed = 0;
  unsigned interrupted = 0; // stopped (or never started) because the run was interrupted
  unsigned restored = 0;    // ended in an earlier run of a resumed batch (counted in done/failed)
  unsigned replayed = 0;    // stages whose journaled results were replayed instead of run
  double avgJCT = 0, p50 = 0, p95 = 0, p99 = 0, makespan = 0;
  unsigned llmCalls = 0, toolCalls = 0;
  uint64_t tokensIn = 0, tokensOut = 0;
  unsigned cacheHits = 0, cacheMisses = 0;
};

/// Adds up job records one at a time, so that a long run can summarise jobs
/// whose records it no longer holds (8 bytes per finished job, its JCT).
class SummaryBuilder {
public:
  void add(const JobRecord &r);
  /// Jobs an interrupted run never submitted.
  void addNotStarted(unsigned n) {
    s.jobs += n;
    s.interrupted += n;
  }
  BatchSummary build() const;

private:
  BatchSummary s;
  std::vector<double> jct;
  double first = 1e300, last = 0;
};

BatchSummary summarize(const std::map<rt::JobId, JobRecord> &records);
/// Nearest-rank percentile of sorted values (q in [0, 1]).
double percentile(const std::vector<double> &sorted, double q);
std::string formatSummary(const BatchSummary &s, llvm::StringRef scheduler);
llvm::json::Value toJSON(const BatchSummary &s);
/// One job's record (`batch --output`, `run --json`): id, app, inputs,
/// status, result or error, arrival, finish, JCT, calls and tokens.
llvm::json::Value toJSON(const JobRecord &r, const llvm::json::Object &inputs);

} // namespace llmflow::engine
