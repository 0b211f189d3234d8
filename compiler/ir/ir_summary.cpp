#include "ir/ir_summary.h"
#include "ir/json_text.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace llmflow::ir {
namespace {

void counts(const Graph &g, unsigned c[3]) {
  forEachNode(g, [&](const Node &n) { ++c[unsigned(n.kind)]; });
}

std::string join(const std::vector<std::string> &v) {
  std::string s;
  for (const std::string &x : v)
    s += (s.empty() ? "" : ", ") + x;
  return s;
}

void graph(llvm::raw_ostream &os, const Graph &g, unsigned depth) {
  for (const Node &n : g.nodes) {
    os.indent(2 + depth * 4);
    os << llvm::format("%-8s", toString(n.kind).str().c_str()) << n.id;
    if (n.llm)
      os << "  model=" << n.llm->model << " max_tokens=" << n.llm->maxTokens
         << (n.llm->isPlanner ? " (planner)" : "");
    if (n.tool)
      os << "  tool=" << n.tool->tool;
    if (n.dynamic) {
      const DynamicPayload &d = *n.dynamic;
      os << "  " << toString(d.kind);
      if (d.maxExpansion)
        os << " max=" << d.maxExpansion;
      if (d.maxParallel)
        os << " parallel=" << d.maxParallel;
      if (!d.callee.empty())
        os << " app=" << d.callee;
      if (!d.resolvedBy.empty())
        os << " resolved-by=[" << join(d.resolvedBy) << "]";
    }
    if (!n.deps.empty())
      os << "  after [" << join(n.deps) << "]";
    os << "\n";
    if (n.dynamic)
      for (size_t b = 0; b < n.dynamic->bodies.size(); ++b) {
        if (n.dynamic->bodies.size() > 1) {
          os.indent(4 + depth * 4);
          os << (b == 0 ? "then:" : "else:") << "\n";
        }
        graph(os, n.dynamic->bodies[b], depth + 1);
      }
  }
}

} // namespace

std::string writeSummary(const Module &m) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "module " << m.source << " (IR version " << m.version << "): " << m.apps.size() << " application(s), "
     << m.tools.size() << " tool(s), " << m.records.size() << " record type(s)\n";
  for (const App &a : m.apps) {
    unsigned c[3] = {0, 0, 0};
    counts(a.graph, c);
    os << "\napp " << a.name << "(";
    for (size_t i = 0; i < a.inputs.size(); ++i) {
      os << (i ? ", " : "") << a.inputs[i].name << ": " << a.inputs[i].type.str();
      if (a.inputs[i].defaultValue)
        os << " = " << toText(*a.inputs[i].defaultValue);
    }
    os << ") -> " << a.result.str() << "\n  " << (c[0] + c[1] + c[2]) << " nodes: " << c[0] << " regular, "
       << c[1] << " llm, " << c[2] << " dynamic\n";
    graph(os, a.graph, 0);
  }
  return out;
}

} // namespace llmflow::ir
