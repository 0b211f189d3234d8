// Internal: score-based structure search under the order constraint (an
// edge u -> v only when order[u] < order[v]). Not for: counting, CPTs.
#pragma once

#include "bn/score.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace llmflow::bn::detail {

struct SearchProblem {
  std::vector<unsigned> order;   // per variable
  unsigned maxParents = 2;
  /// Required parents per variable (hill climbing, K2): kept whatever the
  /// score says, only those the order allows, up to maxParents; the search
  /// adds others while parents remain.
  std::vector<std::vector<unsigned>> seeds;
};

/// Parent lists (ascending indices) per variable.
using Parents = std::vector<std::vector<unsigned>>;

Parents hillClimb(Scorer &s, const SearchProblem &p);
Parents k2(Scorer &s, const SearchProblem &p);
/// Refuses (BadOptions) when more than `maxFamilies` families would be scored.
llvm::Expected<Parents> exactSearch(Scorer &s, const SearchProblem &p, size_t maxFamilies = 200000);

} // namespace llmflow::bn::detail
