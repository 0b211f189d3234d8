// Graphviz pictures of the IR (`llmflow compile --emit=dot`). One digraph per
// module, one cluster per application. LLM nodes are rounded light-blue
// boxes, Regular nodes plain boxes; a Dynamic node is a small diamond inside
// a dashed cluster (labelled "<kind> <name> (max N)") holding its template
// bodies. Solid edges are deps, dashed edges run from resolvedBy nodes to the
// Dynamic node they resolve, dotted edges from a Dynamic node into its body.
// For people, not for tools: nothing parses this output.
#pragma once

#include "ir/ir.h"

#include <string>

namespace llmflow::ir {

/// The module as DOT text, deterministic. With `app` set, only that
/// application is drawn (an unknown name gives an empty digraph).
std::string writeDOT(const Module &m, llvm::StringRef app = "");

} // namespace llmflow::ir
