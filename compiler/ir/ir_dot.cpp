// Writing the IR as Graphviz DOT (ir_dot.h). Nodes are declared inside the
// clusters of their graphs first; all edges follow at the top level, so a
// node's cluster is decided by its declaration alone. Branches, loops, maps
// and plans are dashed clusters around their bodies, entered from a small
// diamond; an empty body shows "(no stages)"; a call is a node of its own
// with an edge into the called application's cluster; a planner's allowed
// tools are stacked in rows of three; a legend explains the edge styles; one
// font throughout.
#include "ir/ir_dot.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

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
    std::string cluster = clusterName("app_" + a.name);
    appCluster[a.name] = cluster;
    if (!a.graph.nodes.empty())
      appFirstNode[a.name] = a.graph.nodes.front().id;
    line(1, "subgraph " + cluster + " {");
    line(2, "label=" + quote("app " + a.name) + ";");
    line(2, "style=rounded;");
    graph(a.graph, 2);
    line(1, "}");
  }

  void edges() {
    for (const std::string &e : edgeLines)
      line(1, e);
  }

  /// Calls whose callee was drawn: an edge into the callee's cluster.
  void calls() {
    for (const auto &[from, callee] : callEdges)
      if (auto it = appFirstNode.find(callee); it != appFirstNode.end())
        line(1, quote(from) + " -> " + quote(it->second) + " [style=\"dashed,bold\", lhead=" +
                    appCluster[callee] + ", label=\"calls\", constraint=false];");
  }

  void legend() {
    line(1, "subgraph cluster_legend {");
    line(2, "label=\"legend\";");
    line(2, "style=rounded; color=gray;");
    line(2, "node [shape=plaintext, fontsize=9, width=0.3, height=0.2];");
    static const char *kStyles[][2] = {{"data or after", ""},
                                       {"decides the expansion", "style=dashed"},
                                       {"opens the body", "style=dotted, arrowhead=none"},
                                       {"calls an application", "style=\"dashed,bold\""}};
    for (unsigned i = 0; i < 4; ++i) {
      std::string a = "legend/" + std::to_string(i) + "a", b = "legend/" + std::to_string(i) + "b";
      line(2, quote(a) + " [label=\"\"]; " + quote(b) + " [label=" + quote(kStyles[i][0]) + "];");
      std::string attrs = kStyles[i][1];
      line(2, quote(a) + " -> " + quote(b) + (attrs.empty() ? "" : " [" + attrs + "]") + ";");
      if (i) // one sample under the other: a narrow legend
        line(2, quote("legend/" + std::to_string(i - 1) + "b") + " -> " + quote(a) + " [style=invis];");
    }
    line(1, "}");
  }

private:
  llvm::raw_ostream &os;
  llvm::StringSet<> clusters;
  std::vector<std::string> edgeLines;
  std::vector<std::pair<std::string, std::string>> callEdges; // call node -> callee app
  std::map<std::string, std::string> appCluster, appFirstNode;
  unsigned emptyBodies = 0;

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
      if (n.kind == NodeKind::Dynamic && n.dynamic && n.dynamic->kind == DynamicKind::Call)
        call(n, depth);
      else if (n.kind == NodeKind::Dynamic && n.dynamic)
        dynamic(n, depth);
      else
        plain(n, depth);
    }
  }

  void call(const Node &n, unsigned depth) {
    line(depth, quote(n.id) + " [label=" + quote(n.name + "\ncall " + n.dynamic->callee) +
                    ", shape=box, style=\"rounded,dashed\"];");
    for (const std::string &r : n.dynamic->resolvedBy)
      edge(r, n.id, "style=dashed, constraint=false");
    callEdges.push_back({n.id, n.dynamic->callee});
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
    const unsigned kToolsPerRow = 3;
    bool planner = d.kind == DynamicKind::Planner;
    for (size_t i = 0; i < d.bodies.size(); ++i) {
      const Graph &body = d.bodies[i];
      unsigned entered = 0;
      for (const Node &b : body.nodes)
        if (b.deps.empty() && (!planner || entered++ < kToolsPerRow))
          edge(n.id, b.id, "style=dotted, arrowhead=none");
      // A planner's tools (all without deps) in rows, not one wide row.
      if (planner)
        for (size_t t = 0; t + kToolsPerRow < body.nodes.size(); ++t)
          edge(body.nodes[t].id, body.nodes[t + kToolsPerRow].id, "style=invis");
      bool arm = d.kind == DynamicKind::Branch;
      if (arm) {
        line(depth + 1, "subgraph " + clusterName(n.id + "/" + std::to_string(i)) + " {");
        line(depth + 2, std::string("label=") + (i == 0 ? "\"then\"" : "\"else\"") + ";");
      }
      unsigned inner = depth + (arm ? 2 : 1);
      if (body.nodes.empty()) {
        // Graphviz drops empty clusters: say there is nothing instead.
        std::string id = "empty/" + std::to_string(++emptyBodies);
        line(inner, quote(id) + " [label=\"(no stages)\", shape=plaintext];");
        edge(n.id, id, "style=dotted, arrowhead=none");
      }
      graph(body, inner);
      if (arm)
        line(depth + 1, "}");
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
  os << "  graph [fontname=\"Helvetica\", fontsize=11];\n";
  os << "  node [fontname=\"Helvetica\", fontsize=10];\n";
  os << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  DotWriter w(os);
  for (const App &a : m.apps)
    if (app.empty() || a.name == app)
      w.app(a);
  w.legend();
  w.edges();
  w.calls();
  os << "}\n";
  os.flush();
  return out;
}

} // namespace llmflow::ir
