// BIC family scores and CPT counting over the discretised training matrix.
#include "bn/score.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace llmflow::bn::detail {

Scorer::Scorer(std::vector<std::vector<uint16_t>> data, std::vector<unsigned> cards)
    : data_(std::move(data)), cards_(std::move(cards)) {
  assert(data_.size() == cards_.size());
  rows_ = data_.empty() ? 0 : data_[0].size();
}

std::vector<double> Scorer::counts(unsigned v, llvm::ArrayRef<unsigned> parents) const {
  size_t q = 1;
  for (unsigned p : parents)
    q *= cards_[p];
  unsigned r = cards_[v];
  std::vector<double> n(q * r, 0.0);
  const std::vector<uint16_t> &child = data_[v];
  for (size_t row = 0; row < rows_; ++row) {
    size_t config = 0;
    for (unsigned p : parents)
      config = config * cards_[p] + data_[p][row];
    n[config * r + child[row]] += 1;
  }
  return n;
}

double Scorer::bic(unsigned v, llvm::ArrayRef<unsigned> parents) {
  std::vector<unsigned> key(parents.begin(), parents.end());
  std::sort(key.begin(), key.end());
  auto found = memo_.find({v, key});
  if (found != memo_.end())
    return found->second;
  std::vector<double> n = counts(v, key);
  unsigned r = cards_[v];
  size_t q = n.size() / r;
  double ll = 0;
  for (size_t c = 0; c < q; ++c) {
    double total = 0;
    for (unsigned s = 0; s < r; ++s)
      total += n[c * r + s];
    for (unsigned s = 0; s < r; ++s)
      if (n[c * r + s] > 0)
        ll += n[c * r + s] * std::log(n[c * r + s] / total);
  }
  double score = ll - 0.5 * std::log(double(rows_)) * double(q) * (r - 1);
  memo_.emplace(std::make_pair(v, std::move(key)), score);
  return score;
}

std::vector<double> estimateCPT(llvm::ArrayRef<double> counts, unsigned card, double alpha) {
  std::vector<double> cpt(counts.size());
  for (size_t c = 0; c < counts.size() / card; ++c) {
    double total = 0;
    for (unsigned s = 0; s < card; ++s)
      total += counts[c * card + s];
    double denom = total + card * alpha;
    for (unsigned s = 0; s < card; ++s)
      cpt[c * card + s] = denom > 0 ? (counts[c * card + s] + alpha) / denom : 1.0 / card;
  }
  return cpt;
}

} // namespace llmflow::bn::detail
