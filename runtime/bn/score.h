// Internal: the discretised training matrix and the BIC family score used by
// structure search and CPT estimation (counting). Not for: the search itself.
#pragma once

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace llmflow::bn::detail {

class Scorer {
public:
  /// data[v][row] = state of variable v in that row; cards[v] its state count.
  Scorer(std::vector<std::vector<uint16_t>> data, std::vector<unsigned> cards);

  /// BIC (natural log) of variable v with these parents: log-likelihood of
  /// the maximum-likelihood CPT minus (ln N / 2) * q * (r - 1). Memoised.
  double bic(unsigned v, llvm::ArrayRef<unsigned> parents);
  /// Counts N[config * r + state], parents in the given order (last fastest).
  std::vector<double> counts(unsigned v, llvm::ArrayRef<unsigned> parents) const;
  size_t rows() const { return rows_; }
  unsigned card(unsigned v) const { return cards_[v]; }

private:
  std::vector<std::vector<uint16_t>> data_;
  std::vector<unsigned> cards_;
  size_t rows_ = 0;
  std::map<std::pair<unsigned, std::vector<unsigned>>, double> memo_;
};

/// (N + alpha) / (N_config + r alpha) per configuration; a configuration
/// with no count and alpha = 0 gets the uniform distribution.
std::vector<double> estimateCPT(llvm::ArrayRef<double> counts, unsigned card, double alpha);

} // namespace llmflow::bn::detail
