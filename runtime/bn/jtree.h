// Internal: the compiled junction tree (cliques, separators, index maps,
// message schedules and the calibrated prior) that every Inference of one
// network shares. Built by compile() in jtree.cpp. Not for: evidence or
// queries (inference.cpp).
#pragma once

#include "bn/bn.h"

#include <cstdint>
#include <vector>

namespace llmflow::bn {

class JunctionTree {
public:
  /// Tables are row-major over ascending variable indices (last fastest).
  struct Clique {
    std::vector<unsigned> vars;
    size_t size = 1, offset = 0;        // cells, position in the flat table vector
  };
  /// The edge between cliques a and b; map* send a clique cell to its separator cell.
  struct Separator {
    unsigned a = 0, b = 0;
    std::vector<unsigned> vars;
    size_t size = 1, offset = 0;
    std::vector<uint32_t> mapA, mapB;
  };
  /// A message over separator `sep`, from a to b when fromA.
  struct Message {
    unsigned sep = 0;
    bool fromA = true;
  };
  /// Where a variable's posterior is read: the smallest clique holding it,
  /// seen as outer x card x inner cells.
  struct Home {
    unsigned clique = 0;
    size_t outer = 1, inner = 1;
  };

  Network net;
  std::vector<unsigned> card;
  std::vector<Clique> cliques;
  std::vector<Separator> seps;
  size_t cells = 0, maxSeparator = 1;
  std::vector<Home> home;
  std::vector<Message> collect, distribute;       // full propagation (root = clique 0)
  std::vector<std::vector<Message>> outward;      // per clique: every message away from it
  std::vector<double> prior;                      // calibrated tables without evidence
};

namespace detail {
/// One Hugin message: absorbs `src` into `dst` through separator s.
/// `scratch` holds at least s.size doubles.
void passMessage(const JunctionTree &jt, double *tables, const JunctionTree::Message &m, double *scratch);
} // namespace detail

} // namespace llmflow::bn
