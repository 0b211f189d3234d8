// libFuzzer target: what a tool prints on stdout. The first byte picks a
// tool of the examples (stdlib ones included); the rest is read as the tool
// executor reads it (bounded JSON, or the raw text for a string result) and
// checked against the tool's declared result type, as a job does.
#include "fuzz_support.h"

#include "common/json_reader.h"
#include "core/eval.h"

using namespace llmflow;

namespace {
struct Tool {
  const ir::Module *module;
  const ir::ToolDef *def;
};

const std::vector<Tool> &tools() {
  static const std::vector<Tool> all = [] {
    std::vector<Tool> out;
    for (const fuzz::Example &e : fuzz::examples())
      for (const ir::ToolDef &t : e.module.tools)
        out.push_back({&e.module, &t});
    return out;
  }();
  return all;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::Input in(data, size);
  const Tool &t = tools()[in.choose(tools().size())];
  if (t.def->result.kind == ir::Type::Kind::String)
    return 0; // the text itself: nothing is parsed
  auto v = parseJSON(in.rest().trim());
  if (!v) {
    llvm::consumeError(v.takeError());
    return 0;
  }
  std::string why;
  (void)rt::conforms(*v, t.def->result, *t.module, &why);
  (void)rt::renderValue(*v);
  return 0;
}
