// Writing the IR as Graphviz DOT (ir_dot.h). Nodes are declared inside the
// clusters of their graphs first; all edges follow at the top level, so a
// node's cluster is decided by its declaration alone.
#include "ir/ir_dot.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

namespace llmflow::ir {

namespace {

/// A DOT double-quoted string: backslashes and quotes escaped, newlines as \n.
std::string quote(llvm::StringRef s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

class DotWriter {
public:
  explicit DotWriter(llvm::raw_ostream &os) : os(os) {}

  void app(const App &a) {
    line(1, "subgraph " + clusterName("app_" + a.name) + " {");
    line(2, "label=" + quote("app " + a.name) + ";");
    line(2, "style=rounded;");
    graph(a.graph, 2);
    line(1, "}");
  }

  void edges() {
    for (const std::string &e : edgeLines)
      line(1, e);
  }

private:
  llvm::raw_ostream &os;
  llvm::StringSet<> clusters;
  std::vector<std::string> edgeLines;

  void line(unsigned depth, const llvm::Twine &text) {
    os.indent(depth * 2) << text << "\n";
  }

  /// "cluster_" plus the name with every character outside [A-Za-z0-9_]
  /// replaced by '_'; made unique with a numeric suffix.
  std::string clusterName(llvm::StringRef name) {
    std::string base = "cluster_";
    for (char c : name)
      base += (llvm::isAlnum(c) || c == '_') ? c : '_';
    std::string n = base;
    for (unsigned i = 2; !clusters.insert(n).second; ++i)
      n = base + "_" + std::to_string(i);
    return n;
  }

  void edge(llvm::StringRef from, llvm::StringRef to, llvm::StringRef attrs = "") {
    std::string e = quote(from) + " -> " + quote(to);
    if (!attrs.empty())
      e += " [" + attrs.str() + "]";
    edgeLines.push_back(e + ";");
  }

  void graph(const Graph &g, unsigned depth) {
    for (const Node &n : g.nodes) {
      for (const std::string &d : n.deps)
        edge(d, n.id);
      if (n.kind == NodeKind::Dynamic && n.dynamic)
        dynamic(n, depth);
      else
        plain(n, depth);
    }
  }

  void plain(const Node &n, unsigned depth) {
    std::string label = n.name;
    std::string attrs;
    if (n.kind == NodeKind::LLM) {
      label += "\nllm";
      if (n.llm) {
        label += " " + n.llm->model;
        if (n.llm->isPlanner)
          label += " (planner)";
      }
      attrs = "shape=box, style=\"rounded,filled\", fillcolor=lightblue";
    } else if (n.kind == NodeKind::Regular) {
      label += "\ntool";
      if (n.tool)
        label += " " + n.tool->tool;
      attrs = "shape=box";
    } else {
      label += "\ndynamic";
      attrs = "shape=diamond";
    }
    line(depth, quote(n.id) + " [label=" + quote(label) + ", " + attrs + "];");
  }

  void dynamic(const Node &n, unsigned depth) {
    const DynamicPayload &d = *n.dynamic;
    std::string label = toString(d.kind).str() + " " + n.name;
    if (d.kind == DynamicKind::Call)
      label += " -> " + d.callee;
    if (d.maxExpansion > 0)
      label += " (max " + std::to_string(d.maxExpansion) + ")";
    line(depth, "subgraph " + clusterName(n.id) + " {");
    line(depth + 1, "label=" + quote(label) + ";");
    line(depth + 1, "style=dashed;");
    line(depth + 1, quote(n.id) + " [label=\"\", shape=diamond, width=0.25, height=0.25, "
                                  "tooltip=" + quote(n.id) + "];");
    for (const std::string &r : d.resolvedBy)
      edge(r, n.id, "style=dashed, constraint=false");
    for (size_t i = 0; i < d.bodies.size(); ++i) {
      const Graph &body = d.bodies[i];
      for (const Node &b : body.nodes)
        if (b.deps.empty())
          edge(n.id, b.id, "style=dotted, arrowhead=none");
      if (d.kind == DynamicKind::Branch) {
        line(depth + 1, "subgraph " + clusterName(n.id + "/" + std::to_string(i)) + " {");
        line(depth + 2, std::string("label=") + (i == 0 ? "\"then\"" : "\"else\"") + ";");
        graph(body, depth + 2);
        line(depth + 1, "}");
      } else {
        graph(body, depth + 1);
      }
    }
    line(depth, "}");
  }
};

} // namespace

std::string writeDOT(const Module &m, llvm::StringRef app) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "digraph \"llmflow\" {\n";
  os << "  compound=true;\n";
  os << "  node [fontname=\"Helvetica\", fontsize=10];\n";
  os << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  DotWriter w(os);
  for (const App &a : m.apps)
    if (app.empty() || a.name == app)
      w.app(a);
  w.edges();
  os << "}\n";
  os.flush();
  return out;
}

} // namespace llmflow::ir
