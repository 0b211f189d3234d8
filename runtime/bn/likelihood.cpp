// logLikelihood(): average log P(row) of a dataset under a network. Fully
// observed rows are a product of CPT entries; rows with unmatched columns
// or unrepresentable values are marginalised by exact inference (P of the
// representable evidence).
#include "bn/detail.h"

#include <cmath>

namespace llmflow::bn {

llvm::Expected<double> logLikelihood(const Network &n, const Dataset &data) {
  if (data.rows.empty())
    return detail::fail(BNErrorKind::BadData, "empty dataset: no rows to score");
  if (llvm::Error e = detail::checkRowShapes(data))
    return e;
  std::vector<int> col = detail::columnIndex(n, data);
  std::optional<Inference> marginal;         // built on the first partial row
  double total = 0;
  std::vector<std::optional<unsigned>> state(n.vars.size());
  for (const auto &row : data.rows) {
    bool complete = true;
    for (unsigned v = 0; v < n.vars.size(); ++v) {
      state[v] = col[v] >= 0 ? n.stateOf(v, row[col[v]]) : std::nullopt;
      complete &= state[v].has_value();
    }
    if (complete) {
      for (unsigned v = 0; v < n.vars.size(); ++v) {
        size_t config = 0;
        for (unsigned p : n.parents[v])
          config = config * n.vars[p].card() + *state[p];
        total += std::log(n.cpt[v][config * n.vars[v].card() + *state[v]]);
      }
      continue;
    }
    if (!marginal)
      marginal.emplace(n);
    marginal->reset();
    for (unsigned v = 0; v < n.vars.size(); ++v)
      if (state[v])
        marginal->observe(v, *state[v]);
    total += std::log(marginal->probabilityOfEvidence());
  }
  return total / data.rows.size();
}

} // namespace llmflow::bn
