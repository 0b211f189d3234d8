// The OTLP/JSON encoding follows the OpenTelemetry protocol specification
// (opentelemetry-proto, "JSON Protobuf Encoding"): ids as lowercase hex, 64-bit
// integers (times, intValue) as decimal strings, enums as integers. Attribute
// names follow the OpenTelemetry semantic conventions for generative AI.
#include "report/otlp.h"

#include "report/run_data.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdlib>

namespace llmflow::report {
namespace {

using llvm::json::Array;
using llvm::json::Object;
using llvm::json::Value;

enum SpanKind { kInternal = 1, kClient = 3 };
enum StatusCode { kOk = 1, kError = 2 };

uint64_t mix(uint64_t x) { // splitmix64: spreads nearby inputs over all bits
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string hex(uint64_t v) {
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format_hex_no_prefix(v, 16);
  return s;
}

/// Attribute values in OTLP's AnyValue form. Strings are copied: a json
/// Value made from a StringRef would only point at it.
Value attr(std::string key, Value any) { return Object{{"key", std::move(key)}, {"value", std::move(any)}}; }
Value str(std::string s) { return Object{{"stringValue", std::move(s)}}; }
Value integer(int64_t n) { return Object{{"intValue", std::to_string(n)}}; }
Value real(double d) { return Object{{"doubleValue", d}}; }

/// Event times in whole microseconds, rounded exactly as the event log
/// writes them, so that a run's own export and the conversion of its log are
/// the same document.
int64_t micros(double t) { return std::llround(std::strtod(llvm::formatv("{0:f6}", t).str().c_str(), nullptr) * 1e6); }
double seconds(double from, double to) { return double(micros(to) - micros(from)) / 1e6; }

struct Clock {
  uint64_t startNs;
  std::string at(double t) const { return std::to_string(startNs + uint64_t(std::max<int64_t>(0, micros(t))) * 1000); }
};

/// The stage's own name: the last part of its node id ("app/loop/fix" -> "fix").
std::string shortName(llvm::StringRef node) { return node.substr(node.rfind('/') + 1).str(); }

/// "openai" for an OpenAI-compatible server, the executor's name otherwise.
std::string systemOf(const RunData &d) {
  if (const Object *run = d.run ? d.run->getAsObject() : nullptr)
    if (auto exec = run->getString("llm_executor"))
      return *exec == "http-llm" ? "openai" : "llmflow." + exec->str();
  return "llmflow";
}

Value taskSpan(const TaskRun &t, const std::string &traceId, const std::string &parent, uint64_t spanSeed,
               const Clock &clock, double end, const std::string &system) {
  Array attrs;
  bool llm = t.executor == "llm";
  std::string operation = llm ? "chat" : "execute_tool";
  std::string name = operation + " " + (llm ? (t.model.empty() ? shortName(t.node) : t.model) : shortName(t.node));
  attrs.push_back(attr("gen_ai.operation.name", str(operation)));
  if (llm) {
    attrs.push_back(attr("gen_ai.system", str(system)));
    attrs.push_back(attr("gen_ai.provider.name", str(system)));
    if (!t.model.empty())
      attrs.push_back(attr("gen_ai.request.model", str(t.model)));
    if (t.tokensIn)
      attrs.push_back(attr("gen_ai.usage.input_tokens", integer(*t.tokensIn)));
    if (t.tokensOut)
      attrs.push_back(attr("gen_ai.usage.output_tokens", integer(*t.tokensOut)));
  } else {
    attrs.push_back(attr("gen_ai.tool.name", str(shortName(t.node))));
  }
  attrs.push_back(attr("llmflow.node", str(t.node)));
  attrs.push_back(attr("llmflow.instance", str(t.instance)));
  attrs.push_back(attr("llmflow.executor", str(t.executor)));
  if (!t.endpoint.empty())
    attrs.push_back(attr("llmflow.endpoint", str(t.endpoint)));
  if (t.attempts)
    attrs.push_back(attr("llmflow.attempts", integer(t.attempts)));
  if (t.ready)
    attrs.push_back(attr("llmflow.queue_seconds", real(seconds(*t.ready, *t.dispatched))));
  Object status{{"code", int64_t(t.ended && t.ok ? kOk : kError)}};
  if (!t.ok || !t.ended)
    status["message"] = t.ended ? t.error : "the run ended before the task";
  if (!t.ok)
    attrs.push_back(attr("error.type", str("_OTHER")));
  return Object{{"traceId", traceId},
                {"spanId", hex(spanSeed)},
                {"parentSpanId", parent},
                {"name", name},
                {"kind", int64_t(llm ? kClient : kInternal)},
                {"startTimeUnixNano", clock.at(*t.dispatched)},
                {"endTimeUnixNano", clock.at(t.ended.value_or(end))},
                {"attributes", std::move(attrs)},
                {"status", std::move(status)}};
}

} // namespace

llvm::json::Value otlpTraces(const std::vector<engine::Event> &events, const OtlpOptions &options) {
  RunData d = analyse(events);
  // Each run's wall-clock start, in the order of its run_started.
  std::vector<uint64_t> starts;
  for (const engine::Event &e : events)
    if (e.type == engine::EventType::RunStarted) {
      int64_t ns = 0;
      if (const Object *run = e.extra ? e.extra->getAsObject() : nullptr)
        ns = run->getInteger("start_unix_ns").getValueOr(0);
      starts.push_back(ns > 0 ? uint64_t(ns) : options.fallbackStartUnixNs);
    }
  std::string system = systemOf(d);
  Array spans;
  for (const auto &[key, j] : d.jobs) {
    size_t run = size_t(key >> 32);
    Clock clock{run < starts.size() ? starts[run] : options.fallbackStartUnixNs};
    uint64_t hi = mix(clock.startNs ^ mix(key)), lo = mix(hi);
    std::string traceId = hex(hi) + hex(lo), jobSpan = hex(mix(lo) | 1);
    // A job's span covers its tasks, even those still running when it failed.
    double end = j.finish.value_or(d.end);
    for (size_t i : j.tasks)
      if (d.tasks[i].dispatched)
        end = std::max(end, d.tasks[i].ended.value_or(d.end));
    uint64_t seed = mix(lo);
    for (size_t i : j.tasks)
      if (d.tasks[i].dispatched)
        spans.push_back(taskSpan(d.tasks[i], traceId, jobSpan, (seed = mix(seed)) | 1, clock, end, system));
    Array attrs{attr("llmflow.app", str(j.app)), attr("llmflow.job", integer(int64_t(key & 0xffffffffu))),
                attr("llmflow.run", integer(int64_t(run + 1)))};
    if (j.finish)
      attrs.push_back(attr("llmflow.jct_seconds", real(seconds(j.arrival, *j.finish))));
    Object status{{"code", int64_t(j.finish && j.ok ? kOk : kError)}};
    if (!j.ok)
      status["message"] = j.finish ? j.error : "the run ended before the job";
    spans.push_back(Object{{"traceId", traceId},
                           {"spanId", jobSpan},
                           {"name", "job " + j.app},
                           {"kind", int64_t(kInternal)},
                           {"startTimeUnixNano", clock.at(j.arrival)},
                           {"endTimeUnixNano", clock.at(end)},
                           {"attributes", std::move(attrs)},
                           {"status", std::move(status)}});
  }
  Array resource{attr("service.name", str("llmflow"))};
  if (const Object *run = d.run ? d.run->getAsObject() : nullptr) {
    for (const char *k : {"scheduler", "llm_executor", "regular_executor", "source"})
      if (auto v = run->getString(k))
        resource.push_back(attr(std::string("llmflow.") + k, str(v->str())));
    if (auto v = run->getNumber("time_scale"))
      resource.push_back(attr("llmflow.time_scale", real(*v)));
  }
  Object scope{{"scope", Object{{"name", "llmflow"}}}, {"spans", std::move(spans)}};
  Object rs{{"resource", Object{{"attributes", std::move(resource)}}}, {"scopeSpans", Array{std::move(scope)}}};
  return Object{{"resourceSpans", Array{std::move(rs)}}};
}

} // namespace llmflow::report
