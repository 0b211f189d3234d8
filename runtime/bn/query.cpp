// Inference queries beyond single posteriors: joint posteriors (variable
// elimination), entropy, mutual information I(X; Y1..Ym | E) with the joint
// or pairwise fallback, and posterior expectations and intervals.
#include "bn/inference_impl.h"
#include "bn/ve.h"

#include <algorithm>
#include <cassert>

namespace llmflow::bn {

std::vector<double> Inference::Impl::joint(llvm::ArrayRef<unsigned> vars) {
  size_t nv = evidence.size();
  std::vector<unsigned> hidden;
  size_t size = 1;
  for (size_t i = 0; i < vars.size(); ++i) {
    assert(vars[i] < nv && "variable index out of range");
    assert(std::count(vars.begin(), vars.end(), vars[i]) == 1 && "joint() needs distinct variables");
    size *= jt->card[vars[i]];
    if (evidence[vars[i]] < 0)
      hidden.push_back(vars[i]);
  }
  (void)nv;
  std::vector<double> inner = detail::eliminate(jt->net, jt->card, evidence, hidden, like);
  double z = 0;
  for (double x : inner)
    z += x;
  // Spread the hidden variables' table over the requested order, with the
  // observed variables fixed at their states.
  std::vector<double> out(size, 0.0);
  std::vector<unsigned> count(vars.size(), 0);
  for (size_t i = 0; i < size; ++i) {
    bool consistent = true;
    size_t h = 0;
    for (size_t j = 0; j < vars.size(); ++j) {
      if (evidence[vars[j]] >= 0)
        consistent &= static_cast<int>(count[j]) == evidence[vars[j]];
      else
        h = h * jt->card[vars[j]] + count[j];
    }
    if (consistent)
      out[i] = z > 0 ? inner[h] / z : 1.0 / inner.size();
    for (size_t j = vars.size(); j-- > 0;) {
      if (++count[j] < jt->card[vars[j]])
        break;
      count[j] = 0;
    }
  }
  return out;
}

std::vector<double> Inference::joint(llvm::ArrayRef<unsigned> vars) { return impl->joint(vars); }

double Inference::entropy(unsigned var) { return entropyBits(impl->posterior(var)); }

void Inference::setJointCellLimit(size_t cells) { impl->jointLimit = cells; }
size_t Inference::jointCellLimit() const { return impl->jointLimit; }

double Inference::mutualInformation(unsigned x, const std::vector<unsigned> &ys, MIMethod *used) {
  MIMethod dummy;
  MIMethod &method = used ? *used : dummy;
  method = MIMethod::Trivial;
  if (impl->evidence[x] >= 0)
    return 0;
  if (std::find(ys.begin(), ys.end(), x) != ys.end())
    return entropy(x);                       // I(X; X, ...) = H(X)
  std::vector<unsigned> open;
  double cells = 1;
  for (unsigned y : ys) {
    assert(y < impl->evidence.size() && "variable index out of range");
    if (impl->evidence[y] >= 0 || std::find(open.begin(), open.end(), y) != open.end())
      continue;                              // observed: no entropy left
    open.push_back(y);
    cells *= impl->jt->card[y];
  }
  if (open.empty())
    return 0;
  unsigned cx = impl->jt->card[x];
  if (cells <= double(impl->jointLimit)) {
    method = MIMethod::Joint;
    std::vector<unsigned> q{x};
    q.insert(q.end(), open.begin(), open.end());
    return mutualInformationBits(impl->joint(q), cx);
  }
  method = MIMethod::PairwiseSum;
  double sum = 0;
  for (unsigned y : open)
    sum += mutualInformationBits(impl->joint({x, y}), cx);
  return sum;
}

double Inference::expected(unsigned var) { return expectedValue(network().vars[var], impl->posterior(var)); }

std::pair<double, double> Inference::interval(unsigned var, double qlo, double qhi) {
  return quantileInterval(network().vars[var], impl->posterior(var), qlo, qhi);
}

} // namespace llmflow::bn
