// toDOT(): the network's graph for Graphviz, one box per variable labelled
// with its name, kind and number of states; deterministic. Variables with a
// single state (a stage the profiled jobs never ran: always ABSENT) carry no
// information and are left out, with a count in the graph's label.
#include "bn/bn.h"

namespace llmflow::bn {

namespace {

std::string quoted(llvm::StringRef s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

} // namespace

std::string toDOT(const Network &n) {
  std::string out = "digraph " + quoted(n.app.empty() ? "bn" : n.app) + " {\n";
  out += "  rankdir=LR;\n  graph [fontname=\"Helvetica\"];\n  node [shape=box, fontname=\"Helvetica\"];\n";
  unsigned hidden = 0;
  for (const Variable &v : n.vars)
    hidden += v.card() == 1;
  if (hidden)
    out += "  label=" + quoted(std::to_string(hidden) + " variable(s) with a single state (never observed) not shown") +
           ";\n";
  for (const Variable &v : n.vars) {
    if (v.card() == 1)
      continue;
    std::string label = v.name + "\n" + (v.kind == Variable::Kind::Duration ? "duration" : "structure") + ", " +
                        std::to_string(v.card()) + " states";
    out += "  " + quoted(v.name) + " [label=" + quoted(label) + "];\n";
  }
  for (unsigned v = 0; v < n.vars.size(); ++v)
    for (unsigned p : n.parents[v])
      if (n.vars[v].card() > 1 && n.vars[p].card() > 1)
        out += "  " + quoted(n.vars[p].name) + " -> " + quoted(n.vars[v].name) + ";\n";
  out += "}\n";
  return out;
}

} // namespace llmflow::bn
