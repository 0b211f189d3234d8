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

  /// Every message away from one clique, in pre-order: a message comes
  /// before the messages of the subtree it enters, which are msgs[i+1 ..
  /// end[i]). beyond[i * maskWords ...] is the bit set of the cliques in
  /// that subtree (the message's target and everything past it).
  /// alt[i]: smaller tables the message's new separator can be summed from
  /// instead of its source clique: separators of the source clique that
  /// contain it and are passed earlier in the schedule (smallest first), as
  /// (separator, index into subMaps).
  struct Schedule {
    std::vector<Message> msgs;
    std::vector<uint32_t> end;
    std::vector<uint64_t> beyond;
    std::vector<std::vector<std::pair<unsigned, unsigned>>> alt;
  };
  /// Cells of separator `from` -> cells of a separator it contains.
  struct SubMap {
    unsigned from = 0;
    std::vector<uint32_t> map;
  };

  Network net;
  std::vector<unsigned> card;
  std::vector<Clique> cliques;
  std::vector<Separator> seps;
  size_t cells = 0, maxSeparator = 1, maskWords = 1;
  std::vector<Home> home;
  std::vector<Schedule> outward;                  // per clique; outward[0] reversed = collect to clique 0
  std::vector<SubMap> subMaps;
  std::vector<double> prior;                      // calibrated tables without evidence
};

namespace detail {
/// One Hugin message: absorbs the source clique into the target through the
/// separator. The new separator is normalised (only proportions matter:
/// every table is kept up to a constant factor). When `mayPrune` and the
/// update ratio is the same positive constant everywhere (the target's side
/// learns nothing new), nothing is changed and false is returned: the
/// target's subtree stays proportional to its calibrated value.
/// `scratch` holds at least 2 * maxSeparator doubles.
/// `alt` (optional): sum the new separator from this separator table,
/// a current marginal of the source clique, instead of from the clique.
bool passMessage(const JunctionTree &jt, double *tables, const JunctionTree::Message &m, double *scratch,
                 bool mayPrune, const JunctionTree::SubMap *alt = nullptr);
} // namespace detail

} // namespace llmflow::bn
