// A run's event log (docs/events.md) as OpenTelemetry traces in the OTLP/JSON
// encoding (one ExportTraceServiceRequest), so that any OpenTelemetry tool —
// a collector's file receiver, Jaeger, Tempo, Phoenix — can read a run. One
// trace per job: a span for the job, and a child span per task attempt run
// (LLM calls and tool invocations) carrying the GenAI semantic-convention
// attributes (gen_ai.operation.name, gen_ai.request.model,
// gen_ai.usage.input_tokens / output_tokens, gen_ai.tool.name). Ids are
// derived from the run's start time and the job number, so converting the
// same log twice gives the same document.
#pragma once

#include "engine/events.h"

#include "llvm/Support/JSON.h"

#include <cstdint>
#include <vector>

namespace llmflow::report {

struct OtlpOptions {
  /// Wall-clock time of a run's start when its run_started event lacks
  /// `start_unix_ns` (logs written before it was recorded).
  uint64_t fallbackStartUnixNs = 0;
};

/// The OTLP/JSON document ({"resourceSpans": [...]}). Never fails: tasks that
/// never started have no span; a task or job without an end ends with its run.
llvm::json::Value otlpTraces(const std::vector<engine::Event> &events, const OtlpOptions &options = {});

} // namespace llmflow::report
