#include "testing/test_run.h"

#include "engine/real_executors.h"
#include "testing/canned_executor.h"
#include "testing/value_match.h"

#include <boost/asio/io_context.hpp>

namespace llmflow::testing {

namespace {

/// Stage values by call from the event log: calls are numbered in dispatch
/// order (what replies "#N" count), values come from the end events.
std::map<std::string, std::vector<std::optional<llvm::json::Value>>>
stageValues(const std::vector<engine::Event> &events) {
  std::map<std::string, std::vector<std::optional<llvm::json::Value>>> out;
  std::map<std::pair<uint64_t, std::string>, size_t> callOf; // (job, instance) -> index
  for (const engine::Event &e : events) {
    const std::string &inst = e.instance.empty() ? e.node : e.instance;
    if (e.type == engine::EventType::TaskDispatched) {
      callOf[{e.job, inst}] = out[e.node].size();
      out[e.node].push_back(std::nullopt);
    } else if (e.type == engine::EventType::TaskFinished && e.content) {
      auto it = callOf.find({e.job, inst});
      const llvm::json::Object *c = e.content->getAsObject();
      if (it != callOf.end() && c && c->get("value"))
        out[e.node][it->second] = *c->get("value");
    }
  }
  return out;
}

class Collect : public engine::EventSink {
public:
  explicit Collect(engine::EventSink *also) : also(also) {}
  void record(const engine::Event &e) override {
    events.push_back(e);
    if (also)
      also->record(e);
  }
  std::vector<engine::Event> events;
  engine::EventSink *also;
};

void stretch(ir::Graph &g, double factor) {
  for (ir::Node &n : g.nodes) {
    n.policy.timeoutSeconds *= factor;
    if (n.dynamic)
      for (ir::Graph &body : n.dynamic->bodies)
        stretch(body, factor);
  }
}

} // namespace

void stretchTimeouts(ir::Module &module, double factor) {
  for (ir::App &a : module.apps)
    stretch(a.graph, factor);
}

CaseResult runCase(const TestCase &tc, const ir::Module &module, const ir::App &app, const RunOptions &opts) {
  CaseResult res;
  res.name = tc.name;
  boost::asio::io_context io;
  engine::EngineClock clock(1);
  sched::SchedulerContext sctx;
  std::unique_ptr<sched::Scheduler> fcfs = sched::makeScheduler("fcfs", sctx);
  assert(fcfs && "fcfs needs no knowledge");
  engine::ToolExecutor tools(io, {{&module, opts.workDir, opts.builtins}}, opts.tools);
  CannedExecutor llm(io, tc, nullptr, "llm"), regular(io, tc, &tools, "tools");
  llm.setRecordContent(true);
  regular.setRecordContent(true);
  Collect sink(opts.events);
  engine::EngineConfig ec;
  ec.recordContent = true; // stage values are read back from the events
  engine::Engine eng(io, clock, {&module}, *fcfs, llm, regular, sink, ec);
  rt::JobId id = eng.submit(module, app, tc.inputs);
  eng.run();
  res.record = eng.records().at(id);
  res.seconds = res.record.finish - res.record.arrival;
  res.values = stageValues(sink.events);

  auto failure = [&](std::string what, std::string expected, std::string actual) {
    res.failures.push_back({std::move(what), std::move(expected), std::move(actual)});
  };
  std::string status = res.record.ok ? "ok" : "failed";
  std::string wantStatus = tc.expectStatus.value_or("ok");
  if (status != wantStatus)
    failure("status", wantStatus, status + (res.record.ok ? "" : " (" + res.record.error + ")"));
  if (tc.expectError && res.record.error.find(*tc.expectError) == std::string::npos)
    failure("error", "a message containing \"" + *tc.expectError + "\"", "\"" + res.record.error + "\"");
  if (tc.expectResult && res.record.ok)
    if (auto m = mismatch(*tc.expectResult, res.record.result))
      failure("result" + (m->where.empty() ? std::string() : " ." + m->where), m->expected, m->actual);
  for (const auto &[ref, want] : tc.expectStages) {
    auto it = res.values.find(ref.nodeId);
    size_t calls = it == res.values.end() ? 0 : it->second.size();
    std::string what = "stage '" + ref.nodeId + "'" + (ref.call ? " call " + std::to_string(ref.call) : "");
    if (!calls || (ref.call && ref.call > calls)) {
      failure(what, show(want), "it ran " + std::to_string(calls) + " time(s)");
      continue;
    }
    const std::optional<llvm::json::Value> &got = it->second[ref.call ? ref.call - 1 : calls - 1];
    if (!got) {
      failure(what, show(want), "no value: the call failed or did not finish");
      continue;
    }
    const llvm::json::Value &value = *got;
    std::string path;
    for (const std::string &p : ref.path)
      path += "." + p;
    if (!path.empty())
      what += " " + path;
    const llvm::json::Value *at = follow(value, ref.path);
    if (!at) {
      failure(what, show(want), "no such field in " + show(value));
      continue;
    }
    if (auto m = mismatch(want, *at))
      failure(what + (m->where.empty() ? "" : " ." + m->where), m->expected, m->actual);
  }
  for (const auto &[nodeId, want] : tc.expectCalls) {
    unsigned got = llm.calls(nodeId) + regular.calls(nodeId);
    if (got != want)
      failure("calls of '" + nodeId + "'", std::to_string(want), std::to_string(got));
  }
  res.passed = res.failures.empty();
  return res;
}

} // namespace llmflow::testing
