#include "engine/sim_model.h"

#include <cmath>

namespace llmflow::engine {

SimTaskModel::SimTaskModel(const ir::Module &module, exec::BuiltinContext builtins)
    : module(module), builtins(std::move(builtins)) {
  for (const ir::App &a : module.apps)
    ir::forEachNode(a.graph, [&](const ir::Node &n) {
      if (n.dynamic && n.dynamic->kind == ir::DynamicKind::Planner && !n.dynamic->resolvedBy.empty())
        plannerSteps[n.dynamic->resolvedBy[0]] = &n;
    });
}

SimLLMDraw SimTaskModel::llm(const rt::Task &task, behave::JobDraw &jb) const {
  SimLLMDraw d;
  unsigned out = jb.outputTokens(task.nodeId, task.instance);
  unsigned in = jb.promptTokens(task.nodeId, task.instance, {task.system, task.prompt, task.repairNote});
  const ir::Node &n = *task.node;
  if (n.llm && n.llm->isPlanner) {
    auto it = plannerSteps.find(n.id);
    assert(it != plannerSteps.end() && "a planner LLM node has a steps node");
    unsigned k = 0;
    d.outcome.value = jb.makePlan(*it->second, task.instance, &k);
    out += unsigned(std::lround(jb.tokensPerStep(it->second->id) * k));
  } else {
    if (n.llm)
      out = std::min(out, n.llm->maxTokens);
    unsigned words = unsigned(std::max(1.0, out / 1.3));
    d.outcome.value = jb.synthesize(n.resultType, task.nodeId, task.instance, words);
  }
  d.tokensIn = in;
  d.tokensOut = out;
  return d;
}

SimToolDraw SimTaskModel::tool(const rt::Task &task, behave::JobDraw &jb) const {
  SimToolDraw d;
  const ir::ToolDef &tool = *task.tool;
  ExecResult &r = d.result;
  r.endpoint = "sim";
  unsigned attempts = std::max(1u, task.node->policy.attempts);
  bool ok = false;
  for (unsigned a = 1; a <= attempts; ++a) {
    r.attempts = a;
    d.seconds += jb.toolLatency(task.nodeId, task.instance, a);
    if (!jb.toolFails(task.nodeId, task.instance, a)) {
      ok = true;
      break;
    }
    if (a < attempts)
      d.seconds += task.node->policy.backoffSeconds * std::pow(2.0, a - 1);
  }
  if (ok && tool.impl == ir::ToolDef::Impl::Builtin && exec::isSyncBuiltin(tool.builtin)) {
    auto v = exec::callBuiltin(tool.builtin, task.args, builtins);
    if (v) {
      r.outcome.value = std::move(*v);
    } else {
      r.outcome.ok = false;
      r.outcome.error = llvm::toString(v.takeError());
    }
  } else if (ok) {
    r.outcome.value = jb.synthesize(task.node->resultType, task.nodeId, task.instance, 12);
  } else {
    r.outcome.ok = false;
    r.outcome.error = "tool '" + tool.name + "' failed (simulated) after " + std::to_string(attempts) + " attempt(s)";
  }
  return d;
}

} // namespace llmflow::engine
