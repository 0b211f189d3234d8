// Unit tests for the IR's Graphviz output.
#include "sample_module.h"

#include "ir/ir_dot.h"

#include <doctest/doctest.h>

using namespace llmflow::ir;
using llmflow::ir::test::sampleModule;

namespace {
size_t occurrences(llvm::StringRef hay, llvm::StringRef needle) { return hay.count(needle); }
} // namespace

TEST_CASE("ir dot: every dynamic node but a call is a cluster around its body") {
  std::string dot = writeDOT(sampleModule());
  llvm::StringRef d(dot);
  CHECK(d.startswith("digraph \"llmflow\" {\n"));
  CHECK(d.endswith("}\n"));
  CHECK(d.contains("subgraph cluster_app_codegen {"));
  CHECK(d.contains("subgraph cluster_app_helper {"));
  for (const char *c : {"cluster_codegen_fixes {", "cluster_codegen_research_steps {", "cluster_codegen_decide {",
                        "cluster_codegen_translate {"})
    CHECK_MESSAGE(d.contains(c), c);
  // 2 apps + 4 dynamic nodes (the 2 calls are nodes) + the branch's then/else + the legend
  CHECK(occurrences(d, "subgraph cluster_") == 9);
  CHECK(d.contains("label=\"loop fixes (max 5)\";"));
  CHECK(d.contains("label=\"planner research.steps (max 4)\";"));
  CHECK(d.contains("label=\"then\";"));
  CHECK(d.contains("label=\"else\";"));
}

TEST_CASE("ir dot: a call is a node linked into the called application's cluster") {
  std::string dot = writeDOT(sampleModule());
  llvm::StringRef d(dot);
  CHECK(d.contains("\"codegen/again\" [label=\"again\\ncall helper\", shape=box, style=\"rounded,dashed\"];"));
  CHECK(d.contains("\"codegen/again\" -> \"helper/"));
  CHECK(d.contains("lhead=cluster_app_helper, label=\"calls\""));
  // With only the caller drawn there is no cluster to point into.
  CHECK_FALSE(llvm::StringRef(writeDOT(sampleModule(), "codegen")).contains("lhead="));
}

TEST_CASE("ir dot: one font, a legend of edge styles, empty bodies shown") {
  std::string dot = writeDOT(sampleModule());
  llvm::StringRef d(dot);
  CHECK(d.contains("graph [fontname=\"Helvetica\""));
  CHECK(d.contains("subgraph cluster_legend {"));
  for (const char *s : {"data or after", "decides the expansion", "opens the body", "calls an application"})
    CHECK_MESSAGE(d.contains(s), s);
  Module m = sampleModule();
  for (Node &n : m.apps[1].graph.nodes)
    if (n.dynamic && n.dynamic->kind == DynamicKind::Branch)
      n.dynamic->bodies[1].nodes.clear();
  CHECK(llvm::StringRef(writeDOT(m)).contains("[label=\"(no stages)\", shape=plaintext]"));
}

TEST_CASE("ir dot: a planner's tools are stacked in rows of three") {
  Module m = sampleModule();
  Node *steps = nullptr;
  for (Node &n : m.apps[1].graph.nodes)
    if (n.dynamic && n.dynamic->kind == DynamicKind::Planner)
      steps = &n;
  REQUIRE(steps);
  Graph &body = steps->dynamic->bodies[0];
  Node tool = body.nodes[0];
  body.nodes.clear();
  for (int i = 0; i < 7; ++i) {
    Node t = tool;
    t.id = steps->id + "/t" + std::to_string(i);
    t.deps.clear();
    body.nodes.push_back(t);
  }
  std::string dot = writeDOT(m);
  llvm::StringRef d(dot);
  CHECK(d.contains("\"" + steps->id + "/t0\" -> \"" + steps->id + "/t3\" [style=invis];"));
  CHECK(d.contains("\"" + steps->id + "/t3\" -> \"" + steps->id + "/t6\" [style=invis];"));
  CHECK(occurrences(d, "[style=invis]") == 4 + 3); // 4 tools below another + 3 legend rows
  CHECK(occurrences(d, "\"" + steps->id + "\" -> \"" + steps->id + "/t") == 3); // entered at the first row
}

TEST_CASE("ir dot: node shapes and edges") {
  std::string dot = writeDOT(sampleModule());
  llvm::StringRef d(dot);
  CHECK(d.contains("\"codegen/gen\" [label=\"gen\\nllm coder\", shape=box, "
                   "style=\"rounded,filled\", fillcolor=lightblue];"));
  CHECK(d.contains("\"codegen/first\" [label=\"first\\ntool run_tests\", shape=box];"));
  CHECK(d.contains("\"codegen/fixes\" [label=\"\", shape=diamond"));
  CHECK(d.contains("\"codegen/gen\" -> \"codegen/first\";"));
  CHECK(d.contains("\"codegen/research\" -> \"codegen/research.steps\" [style=dashed"));
  CHECK(d.contains("\"codegen/fixes/check\" -> \"codegen/fixes\" [style=dashed"));
  CHECK(d.contains("\"codegen/fixes\" -> \"codegen/fixes/fix\" [style=dotted"));
  // a node is declared once, inside its cluster
  CHECK(occurrences(d, "\"codegen/fixes/fix\" [label=") == 1);
}

TEST_CASE("ir dot: output is deterministic and can select one app") {
  CHECK(writeDOT(sampleModule()) == writeDOT(sampleModule()));
  std::string helper = writeDOT(sampleModule(), "helper");
  CHECK(llvm::StringRef(helper).contains("helper/summarize"));
  CHECK_FALSE(llvm::StringRef(helper).contains("codegen/"));
  std::string none = writeDOT(sampleModule(), "nope");
  CHECK_FALSE(llvm::StringRef(none).contains("cluster_app"));
}

TEST_CASE("ir dot: ids and labels are escaped") {
  Module m = sampleModule();
  Node &n = m.apps[0].graph.nodes[0];
  n.id = "helper/say \"hi\"\\";
  n.name = "a\nb";
  std::string dot = writeDOT(m, "helper");
  CHECK(llvm::StringRef(dot).contains("\"helper/say \\\"hi\\\"\\\\\" [label=\"a\\nb\\nllm"));
}

TEST_CASE("ir dot: colliding sanitized cluster names stay distinct") {
  Module m = sampleModule();
  Node copy = m.apps[1].graph.nodes[2]; // the loop
  copy.id = "codegen.fixes";
  copy.dynamic = std::make_shared<DynamicPayload>(*copy.dynamic);
  copy.dynamic->bodies.clear();
  m.apps[1].graph.nodes.push_back(copy);
  std::string dot = writeDOT(m);
  CHECK(llvm::StringRef(dot).contains("subgraph cluster_codegen_fixes {"));
  CHECK(llvm::StringRef(dot).contains("subgraph cluster_codegen_fixes_2 {"));
}
