// libFuzzer target: a planner's reply (the plan). The first byte picks one
// of the examples' planners; the rest is the reply text, validated against
// that planner's contract and, when valid, turned into its sub-graph.
#include "fuzz_support.h"

#include "core/plan.h"

using namespace llmflow;

namespace {
struct Planner {
  const ir::Module *module;
  ir::DynamicPayload payload;
};

const std::vector<Planner> &planners() {
  static const std::vector<Planner> all = [] {
    std::vector<Planner> out;
    for (const fuzz::Example &e : fuzz::examples())
      for (const ir::App &app : e.module.apps)
        fuzz::forEachNode(app.graph, [&](const ir::Node &n) {
          if (n.dynamic && n.dynamic->kind == ir::DynamicKind::Planner) {
            out.push_back({&e.module, *n.dynamic});
            // The same contract with room for long plans.
            out.push_back({&e.module, *n.dynamic});
            out.back().payload.maxExpansion = 10000;
          }
        });
    return out;
  }();
  return all;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::Input in(data, size);
  const Planner &p = planners()[in.choose(planners().size())];
  // A reply's content is always UTF-8: it was a JSON string (the bounded
  // reader checks), and so is every piece of a stream.
  if (!llvm::json::isUTF8(in.rest()))
    return 0;
  std::vector<rt::PlanStep> steps;
  if (llvm::Error e = rt::parsePlan(rt::Value(in.rest().str()), p.payload, *p.module, steps)) {
    llvm::consumeError(std::move(e));
    return 0;
  }
  (void)rt::stepsPerTemplate(steps, p.payload);
  std::vector<std::shared_ptr<ir::DynamicPayload>> payloads;
  (void)rt::buildPlanGraph(steps, p.payload, payloads);
  return 0;
}
