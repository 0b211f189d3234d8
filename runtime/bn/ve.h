// Internal: variable elimination for joint queries over several variables
// (what a junction tree cannot read from one clique). Not for posteriors of
// single variables (the junction tree does those).
#pragma once

#include "bn/bn.h"

#include <vector>

namespace llmflow::bn::detail {

/// Unnormalised P(query, evidence) as a table over `query` in the given
/// order (row-major, last fastest). `query` holds distinct unobserved
/// variables; evidence[v] is a state or -1. Barren variables (not ancestors
/// of the query or the evidence) are pruned; the elimination order is greedy
/// by the size of the product table.
std::vector<double> eliminate(const Network &n, const std::vector<unsigned> &card, llvm::ArrayRef<int> evidence,
                              llvm::ArrayRef<unsigned> query);

} // namespace llmflow::bn::detail
