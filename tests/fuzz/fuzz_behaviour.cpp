// libFuzzer target: a behaviour model (behaviour.toml). The first byte
// picks an example application; the rest is the file. A model that loads
// is then drawn from for every node, as the simulator does, so hostile
// distribution parameters reach the samplers too.
#include "fuzz_support.h"

#include "behave/behaviour.h"

using namespace llmflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::Input in(data, size);
  const fuzz::Example &e = fuzz::examples()[in.choose(fuzz::examples().size())];
  auto model = behave::BehaviourModel::load(fuzz::scratchFile(in.rest(), ".toml"), e.module, *e.app);
  if (!model) {
    llvm::consumeError(model.takeError());
    return 0;
  }
  behave::JobBehaviour draw(*model, e.module, /*seed=*/1, /*job=*/0);
  const std::string inst = "fuzz";
  fuzz::forEachNode(e.app->graph, [&](const ir::Node &n) {
    if (n.llm) {
      (void)draw.outputTokens(n.id, inst);
      const llvm::StringRef parts[] = {"a rendered ", "prompt"};
      (void)draw.promptTokens(n.id, inst, parts);
      if (!n.llm->isPlanner)
        (void)draw.synthesize(n.resultType, n.id, inst, 8);
    } else if (n.tool) {
      (void)draw.toolLatency(n.id, inst, 1);
      (void)draw.toolFails(n.id, inst, 2);
      (void)draw.synthesize(n.resultType, n.id, inst, 8);
    } else if (n.dynamic) {
      switch (n.dynamic->kind) {
      case ir::DynamicKind::Branch: (void)draw.branchArm(n, inst); break;
      case ir::DynamicKind::Loop:
        (void)draw.loopIterations(n, inst);
        (void)draw.loopStops(n, inst, 1);
        break;
      case ir::DynamicKind::Planner: {
        unsigned count = 0;
        (void)draw.makePlan(n, inst, &count);
        (void)draw.tokensPerStep(n.id);
        break;
      }
      default: break;
      }
    }
  });
  return 0;
}
