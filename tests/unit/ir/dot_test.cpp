// Unit tests for the IR's Graphviz output.
#include "sample_module.h"

#include "ir/ir_dot.h"

#include <doctest/doctest.h>

using namespace llmflow::ir;
using llmflow::ir::test::sampleModule;

namespace {
size_t occurrences(llvm::StringRef hay, llvm::StringRef needle) { return hay.count(needle); }
} // namespace

TEST_CASE("ir dot: every dynamic node is a cluster around its body") {
  std::string dot = writeDOT(sampleModule());
  llvm::StringRef d(dot);
  CHECK(d.startswith("digraph \"llmflow\" {\n"));
  CHECK(d.endswith("}\n"));
  CHECK(d.contains("subgraph cluster_app_codegen {"));
  CHECK(d.contains("subgraph cluster_app_helper {"));
  for (const char *c : {"cluster_codegen_fixes {", "cluster_codegen_research_steps {",
                        "cluster_codegen_research_steps_helper {", "cluster_codegen_decide {",
                        "cluster_codegen_translate {", "cluster_codegen_again {"})
    CHECK_MESSAGE(d.contains(c), c);
  // 2 apps + 6 dynamic nodes + the branch's then/else
  CHECK(occurrences(d, "subgraph cluster_") == 10);
  CHECK(d.contains("label=\"loop fixes (max 5)\";"));
  CHECK(d.contains("label=\"planner research.steps (max 4)\";"));
  CHECK(d.contains("label=\"call again -> helper\";"));
  CHECK(d.contains("label=\"then\";"));
  CHECK(d.contains("label=\"else\";"));
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
  CHECK_FALSE(llvm::StringRef(none).contains("cluster"));
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
