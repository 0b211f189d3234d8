// Internal: variable elimination for joint queries over several variables
// (what a junction tree cannot read from one clique). Not for posteriors of
// single variables (the junction tree does those).
#pragma once

#include "bn/bn.h"

#include <vector>

namespace llmflow::bn::detail {

/// Unnormalised P(query, evidence) as a table over `query` in the given
/// order (row-major, last fastest). `query` holds distinct unobserved
/// variables; evidence[v] is a state or -1; likelihood[v] (empty, or one
/// factor per state) is soft evidence on an unobserved variable (may be
/// empty as a whole: none anywhere). Barren variables (not ancestors of the
/// query or the evidence) are pruned; the elimination order is greedy by
/// the size of the product table.
std::vector<double> eliminate(const Network &n, const std::vector<unsigned> &card, llvm::ArrayRef<int> evidence,
                              llvm::ArrayRef<unsigned> query,
                              llvm::ArrayRef<std::vector<double>> likelihood = {});

} // namespace llmflow::bn::detail
