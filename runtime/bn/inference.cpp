// Inference: evidence on a copy of the compiled tree's calibrated prior.
// New evidence is multiplied into the variable's home clique; if every new
// piece sits in one clique a single outward pass re-calibrates (Hugin keeps
// the tree consistent), otherwise a full collect/distribute runs. Changing
// or retracting evidence restarts from the prior. Posteriors are read from
// each variable's smallest clique and cached until the evidence changes.
#include "bn/inference_impl.h"

#include <cassert>
#include <cmath>

namespace llmflow::bn {

Inference::Impl::Impl(std::shared_ptr<const JunctionTree> tree) : jt(std::move(tree)) {
  size_t nv = jt->card.size();
  tables = jt->prior;
  evidence.assign(nv, -1);
  applied.assign(nv, -1);
  scratch.resize(jt->maxSeparator);
  size_t off = 0;
  for (unsigned v = 0; v < nv; ++v) {
    postOffset.push_back(off);
    off += jt->card[v];
  }
  post.resize(off);
  postEpoch.assign(nv, 0);
  evidenceMass = 1;
}

void Inference::Impl::sync() {
  if (!dirty)
    return;
  dirty = false;
  ++epoch;
  size_t nv = evidence.size();
  bool rebuild = false;
  for (size_t v = 0; v < nv && !rebuild; ++v)
    rebuild = applied[v] >= 0 && applied[v] != evidence[v];
  if (rebuild) {
    tables = jt->prior;
    logScale = 0;
    applied.assign(nv, -1);
  }
  // Enter new evidence; note whether it all lies in one clique.
  int single = -1;
  bool many = false;
  for (unsigned v = 0; v < nv; ++v) {
    if (evidence[v] < 0 || applied[v] == evidence[v])
      continue;
    const JunctionTree::Home &h = jt->home[v];
    double *t = tables.data() + jt->cliques[h.clique].offset;
    unsigned card = jt->card[v];
    for (size_t o = 0; o < h.outer; ++o)
      for (unsigned s = 0; s < card; ++s)
        if (static_cast<int>(s) != evidence[v])
          std::fill_n(t + (o * card + s) * h.inner, h.inner, 0.0);
    applied[v] = evidence[v];
    if (single < 0)
      single = static_cast<int>(h.clique);
    else if (single != static_cast<int>(h.clique))
      many = true;
  }
  if (single >= 0 && !many) {
    for (const auto &m : jt->outward[single])
      detail::passMessage(*jt, tables.data(), m, scratch.data());
  } else if (many) {
    for (const auto &m : jt->collect)
      detail::passMessage(*jt, tables.data(), m, scratch.data());
    for (const auto &m : jt->distribute)
      detail::passMessage(*jt, tables.data(), m, scratch.data());
  }
  // Every calibrated table sums to P(evidence); rescale far from 1 so long
  // evidence chains neither underflow nor overflow.
  const JunctionTree::Clique &c0 = jt->cliques[0];
  double z = 0;
  for (size_t i = 0; i < c0.size; ++i)
    z += tables[c0.offset + i];
  if (z > 0 && (z < 1e-150 || z > 1e150)) {
    for (double &x : tables)
      x /= z;
    logScale += std::log(z);
    z = 1;
  }
  evidenceMass = z * std::exp(logScale);
}

llvm::ArrayRef<double> Inference::Impl::posterior(unsigned v) {
  assert(v < evidence.size() && "variable index out of range");
  sync();
  double *p = post.data() + postOffset[v];
  unsigned card = jt->card[v];
  if (postEpoch[v] == epoch)
    return {p, card};
  postEpoch[v] = epoch;
  std::fill_n(p, card, 0.0);
  if (evidence[v] >= 0) {
    p[evidence[v]] = 1;
    return {p, card};
  }
  const JunctionTree::Home &h = jt->home[v];
  const double *t = tables.data() + jt->cliques[h.clique].offset;
  if (h.inner == 1) {
    for (size_t o = 0; o < h.outer; ++o, t += card)
      for (unsigned s = 0; s < card; ++s)
        p[s] += t[s];
  } else {
    for (size_t o = 0; o < h.outer; ++o)
      for (unsigned s = 0; s < card; ++s, t += h.inner) {
        double acc = 0;
        for (size_t i = 0; i < h.inner; ++i)
          acc += t[i];
        p[s] += acc;
      }
  }
  double z = 0;
  for (unsigned s = 0; s < card; ++s)
    z += p[s];
  for (unsigned s = 0; s < card; ++s)
    p[s] = z > 0 ? p[s] / z : 1.0 / card;
  return {p, card};
}

Inference::Inference(const Network &n) : Inference(compile(n)) {}
Inference::Inference(std::shared_ptr<const JunctionTree> jt) : impl(std::make_unique<Impl>(std::move(jt))) {}
Inference::~Inference() = default;
Inference::Inference(const Inference &o) : impl(std::make_unique<Impl>(*o.impl)) {}
Inference &Inference::operator=(const Inference &o) {
  if (this != &o)
    impl = std::make_unique<Impl>(*o.impl);
  return *this;
}
Inference::Inference(Inference &&) noexcept = default;
Inference &Inference::operator=(Inference &&) noexcept = default;

const Network &Inference::network() const { return impl->jt->net; }

void Inference::observe(unsigned var, unsigned state) {
  assert(var < impl->evidence.size() && "variable index out of range");
  assert(state < impl->jt->card[var] && "state out of range");
  if (impl->evidence[var] == static_cast<int>(state))
    return;
  impl->evidence[var] = static_cast<int>(state);
  impl->dirty = true;
}

void Inference::forget(unsigned var) {
  assert(var < impl->evidence.size() && "variable index out of range");
  if (impl->evidence[var] < 0)
    return;
  impl->evidence[var] = -1;
  impl->dirty = true;
}

void Inference::reset() {
  for (unsigned v = 0; v < impl->evidence.size(); ++v)
    forget(v);
}

std::optional<unsigned> Inference::observed(unsigned var) const {
  assert(var < impl->evidence.size() && "variable index out of range");
  if (impl->evidence[var] < 0)
    return std::nullopt;
  return static_cast<unsigned>(impl->evidence[var]);
}

double Inference::probabilityOfEvidence() {
  impl->sync();
  return impl->evidenceMass;
}

std::vector<double> Inference::posterior(unsigned var) {
  llvm::ArrayRef<double> p = impl->posterior(var);
  return std::vector<double>(p.begin(), p.end());
}

} // namespace llmflow::bn
