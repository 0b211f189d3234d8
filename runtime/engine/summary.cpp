#include "engine/summary.h"

#include "llvm/Support/Format.h"

#include <algorithm>
#include <cmath>

namespace llmflow::engine {

double percentile(const std::vector<double> &sorted, double q) {
  if (sorted.empty())
    return 0;
  size_t rank = size_t(std::ceil(q * double(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank ? rank - 1 : 0)];
}

void SummaryBuilder::add(const JobRecord &r) {
  ++s.jobs;
  s.llmCalls += r.llmCalls;
  s.toolCalls += r.toolCalls;
  s.tokensIn += r.tokensIn;
  s.tokensOut += r.tokensOut;
  s.restored += r.restored;
  s.replayed += r.replayed;
  s.cacheHits += r.cacheHits;
  s.cacheMisses += r.cacheMisses;
  // An earlier run's times are on that run's clock: its jobs' JCTs count,
  // their times do not stretch this run's makespan.
  if (!r.restored) {
    first = std::min(first, r.arrival);
    if (r.finish >= 0)
      last = std::max(last, r.finish);
  }
  if (r.ok) {
    ++s.done;
    jct.push_back(r.finish - r.arrival);
  } else if (r.interrupted) {
    ++s.interrupted;
  } else {
    ++s.failed;
  }
}

BatchSummary SummaryBuilder::build() const {
  BatchSummary out = s;
  std::vector<double> sorted = jct;
  std::sort(sorted.begin(), sorted.end());
  for (double x : sorted)
    out.avgJCT += x;
  if (!sorted.empty())
    out.avgJCT /= double(sorted.size());
  out.p50 = percentile(sorted, 0.5);
  out.p95 = percentile(sorted, 0.95);
  out.p99 = percentile(sorted, 0.99);
  out.makespan = last > first ? last - first : 0;
  return out;
}

BatchSummary summarize(const std::map<rt::JobId, JobRecord> &records) {
  SummaryBuilder b;
  for (const auto &[id, r] : records)
    b.add(r);
  return b.build();
}

std::string formatSummary(const BatchSummary &s, llvm::StringRef scheduler) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << llvm::format("scheduler %s: %u jobs, %u done, %u failed", scheduler.str().c_str(), s.jobs, s.done, s.failed);
  if (s.interrupted)
    os << llvm::format(", %u interrupted", s.interrupted);
  os << "\n";
  os << llvm::format("JCT: average %.2f s, p50 %.2f s, p95 %.2f s, p99 %.2f s; makespan %.2f s\n", s.avgJCT, s.p50,
                     s.p95, s.p99, s.makespan);
  os << llvm::format("LLM calls %u (tokens in %llu, out %llu), tool calls %u\n", s.llmCalls,
                     (unsigned long long)s.tokensIn, (unsigned long long)s.tokensOut, s.toolCalls);
  if (s.cacheHits || s.cacheMisses)
    os << llvm::format("cache: %u hits, %u misses\n", s.cacheHits, s.cacheMisses);
  if (s.restored || s.replayed)
    os << llvm::format("resumed: %u jobs had ended in an earlier run, %u stages replayed from the journal\n",
                       s.restored, s.replayed);
  return os.str();
}

llvm::json::Value toJSON(const BatchSummary &s) {
  return llvm::json::Object{{"jobs", int64_t(s.jobs)},         {"done", int64_t(s.done)},
                            {"failed", int64_t(s.failed)},     {"interrupted", int64_t(s.interrupted)},
                            {"avg_jct", s.avgJCT},
                            {"p50_jct", s.p50},                {"p95_jct", s.p95},
                            {"p99_jct", s.p99},                {"makespan", s.makespan},
                            {"llm_calls", int64_t(s.llmCalls)}, {"tool_calls", int64_t(s.toolCalls)},
                            {"tokens_in", int64_t(s.tokensIn)}, {"tokens_out", int64_t(s.tokensOut)},
                            {"restored", int64_t(s.restored)}, {"replayed_stages", int64_t(s.replayed)},
                            {"cache_hits", int64_t(s.cacheHits)}, {"cache_misses", int64_t(s.cacheMisses)}};
}

} // namespace llmflow::engine

namespace llmflow::engine {

llvm::json::Value toJSON(const JobRecord &r, const llvm::json::Object &inputs) {
  llvm::json::Object o{{"id", int64_t(r.id)},
                       {"app", r.app},
                       {"inputs", llvm::json::Object(inputs)},
                       {"status", r.ok ? "ok" : "failed"},
                       {"arrival", r.arrival},
                       {"finish", r.finish},
                       {"jct", r.finish - r.arrival},
                       {"llm_calls", int64_t(r.llmCalls)},
                       {"tool_calls", int64_t(r.toolCalls)},
                       {"tokens_in", int64_t(r.tokensIn)},
                       {"tokens_out", int64_t(r.tokensOut)}};
  if (r.ok)
    o["result"] = r.result;
  else
    o["error"] = r.error;
  return o;
}

} // namespace llmflow::engine
