// Inference: evidence on a copy of the compiled tree's calibrated prior.
// New evidence is multiplied into the variable's home clique and one
// outward Hugin pass from that clique re-calibrates the tree (it was
// consistent before); passes skip subtrees that hold no unobserved
// variable's home and subtrees whose message carries no information (a
// constant update ratio: d-separated from the evidence). Changing or
// retracting evidence restarts from the prior (then one collect /
// distribute). Tables are kept up to constant factors, so P(evidence)
// comes from variable elimination. Posteriors are read from each
// variable's smallest clique and cached until the evidence changes.
#include "bn/inference_impl.h"
#include "bn/ve.h"

#include <cassert>
#include <cmath>
#include <cstring>

namespace llmflow::bn {

Inference::Impl::Impl(std::shared_ptr<const JunctionTree> tree) : jt(std::move(tree)) {
  size_t nv = jt->card.size();
  tables = jt->prior;
  evidence.assign(nv, -1);
  applied.assign(nv, -1);
  like.resize(nv);
  likeNew.resize(nv);
  scratch.resize(2 * jt->maxSeparator);
  needed.assign(jt->maskWords, 0);
  sources.assign(jt->maskWords, 0);
  sepPass.assign(jt->seps.size(), 0);
  size_t off = 0;
  for (unsigned v = 0; v < nv; ++v) {
    postOffset.push_back(off);
    off += jt->card[v];
  }
  post.resize(off);
  postEpoch.assign(nv, 0);
}

namespace {

bool intersects(const uint64_t *a, const uint64_t *b, size_t words) {
  for (size_t w = 0; w < words; ++w)
    if (a[w] & b[w])
      return true;
  return false;
}

void setBit(std::vector<uint64_t> &mask, unsigned c) { mask[c / 64] |= uint64_t(1) << (c % 64); }

} // namespace

namespace {

/// Multiplies the slice of each state s of the home clique by factor(s), then
/// rescales the clique to sum 1 (left as is when nothing remains).
template <typename Factor>
void scaleHome(const JunctionTree &jt, std::vector<double> &tables, unsigned v, Factor &&factor) {
  const JunctionTree::Home &h = jt.home[v];
  const JunctionTree::Clique &c = jt.cliques[h.clique];
  double *t = tables.data() + c.offset;
  unsigned card = jt.card[v];
  for (size_t o = 0; o < h.outer; ++o)
    for (unsigned s = 0; s < card; ++s) {
      double f = factor(s);
      if (f != 1)
        for (double *x = t + (o * card + s) * h.inner, *e = x + h.inner; x != e; ++x)
          *x *= f;
    }
  double z = 0;
  for (size_t i = 0; i < c.size; ++i)
    z += t[i];
  if (z > 0)
    for (size_t i = 0; i < c.size; ++i)
      t[i] /= z;
}

} // namespace

void Inference::Impl::enter(unsigned v) {
  scaleHome(*jt, tables, v, [&](unsigned s) { return static_cast<int>(s) == evidence[v] ? 1.0 : 0.0; });
  applied[v] = evidence[v];
}

void Inference::Impl::enterLikelihood(unsigned v, const std::vector<double> &factor) {
  scaleHome(*jt, tables, v, [&](unsigned s) { return factor[s]; });
}

void Inference::Impl::distribute(const JunctionTree::Schedule &sched, bool prune) {
  size_t words = jt->maskWords;
  ++pass;
  for (size_t i = 0; i < sched.msgs.size();) {
    if (!intersects(&sched.beyond[i * words], needed.data(), words)) {
      i = sched.end[i];
      continue;
    }
    // Sum from the smallest current separator of the source that holds the
    // target separator (a separator skipped above is stale, not current).
    const JunctionTree::SubMap *alt = nullptr;
    for (const auto &[sep, sub] : sched.alt[i])
      if (sepPass[sep] == pass) {
        alt = &jt->subMaps[sub];
        break;
      }
    sepPass[sched.msgs[i].sep] = pass;
    if (!detail::passMessage(*jt, tables.data(), sched.msgs[i], scratch.data(), prune, alt))
      i = sched.end[i];
    else
      ++i;
  }
}

void Inference::Impl::sync() {
  if (!dirty)
    return;
  dirty = false;
  ++epoch;
  size_t nv = evidence.size();
  bool rebuild = retracted;
  retracted = false;
  for (size_t v = 0; v < nv && !rebuild; ++v)
    rebuild = applied[v] >= 0 && applied[v] != evidence[v];
  if (rebuild) {
    tables = jt->prior;
    applied.assign(nv, -1);
    likeNew = like;
  }
  // Needed: homes of unobserved variables, and of new evidence (the sources
  // of later passes in this batch).
  std::fill(needed.begin(), needed.end(), 0);
  std::fill(sources.begin(), sources.end(), 0);
  std::vector<unsigned> order;                     // source cliques, first-seen order
  for (unsigned v = 0; v < nv; ++v) {
    unsigned c = jt->home[v].clique;
    bool fresh = evidence[v] >= 0 ? applied[v] != evidence[v] : !likeNew[v].empty();
    if (evidence[v] < 0 && !fresh) {
      setBit(needed, c);
    } else if (fresh) {
      setBit(needed, c);
      if (!(sources[c / 64] >> (c % 64) & 1))
        order.push_back(c);
      setBit(sources, c);
    }
  }
  if (order.empty())
    return;
  if (rebuild && order.size() > 1) {
    // Fresh tables: enter everything, collect from the evidence's subtrees
    // into clique 0, distribute to the needed cliques.
    for (unsigned v = 0; v < nv; ++v)
      enterNew(v);
    const JunctionTree::Schedule &root = jt->outward[0];
    size_t words = jt->maskWords;
    for (size_t i = root.msgs.size(); i-- > 0;)
      if (intersects(&root.beyond[i * words], sources.data(), words))
        detail::passMessage(*jt, tables.data(), {root.msgs[i].sep, !root.msgs[i].fromA}, scratch.data(), true);
    for (unsigned v = 0; v < nv; ++v)             // the sources are no longer needed as such
      if (evidence[v] >= 0)
        needed[jt->home[v].clique / 64] &= ~(uint64_t(1) << (jt->home[v].clique % 64));
    for (unsigned v = 0; v < nv; ++v)
      if (evidence[v] < 0)
        setBit(needed, jt->home[v].clique);
    distribute(root, false);   // subtrees below evidence still need its news
    return;
  }
  // One outward pass per clique holding new evidence.
  for (unsigned c : order) {
    for (unsigned v = 0; v < nv; ++v)
      if (jt->home[v].clique == c)
        enterNew(v);
    distribute(jt->outward[c], true);
  }
}

void Inference::Impl::enterNew(unsigned v) {
  if (evidence[v] >= 0) {
    if (applied[v] != evidence[v])
      enter(v);
    likeNew[v].clear();                          // hard evidence decides the state
    return;
  }
  if (!likeNew[v].empty()) {
    enterLikelihood(v, likeNew[v]);
    likeNew[v].clear();
  }
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
  if (!impl->like[var].empty()) {
    // Retracting soft evidence: rebuild from the prior (a hard-evidence
    // change is what sync() recognises as one, so mark it like that).
    impl->like[var].clear();
    impl->likeNew[var].clear();
    impl->retracted = true;
    impl->dirty = true;
  }
  if (impl->evidence[var] < 0)
    return;
  impl->evidence[var] = -1;
  impl->dirty = true;
}

void Inference::likelihood(unsigned var, llvm::ArrayRef<double> factor) {
  assert(var < impl->evidence.size() && "variable index out of range");
  assert(factor.size() == impl->jt->card[var] && "one factor per state");
  bool any = false;
  for (double f : factor) {
    assert(f >= 0 && std::isfinite(f) && "likelihoods are finite and non-negative");
    any |= f != 1;
  }
  if (!any)
    return;
  std::vector<double> &total = impl->like[var], &fresh = impl->likeNew[var];
  if (total.empty())
    total.assign(factor.size(), 1.0);
  if (fresh.empty())
    fresh.assign(factor.size(), 1.0);
  for (size_t s = 0; s < factor.size(); ++s) {
    total[s] *= factor[s];
    fresh[s] *= factor[s];
  }
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

uint64_t Inference::evidenceHash() const {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&](uint64_t x) {
    h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 1099511628211ULL;
  };
  for (size_t v = 0; v < impl->evidence.size(); ++v) {
    if (impl->evidence[v] >= 0) {
      mix(v * 31 + uint64_t(impl->evidence[v]) + 1);
      continue;
    }
    if (impl->like[v].empty())
      continue;
    mix(~uint64_t(v));
    for (double f : impl->like[v]) {
      uint64_t bits;
      std::memcpy(&bits, &f, sizeof bits);
      mix(bits);
    }
  }
  return h;
}

double Inference::probabilityOfEvidence() {
  if (impl->massEpoch != impl->epoch || impl->dirty) {
    impl->sync();
    impl->evidenceMass = detail::eliminate(impl->jt->net, impl->jt->card, impl->evidence, {}, impl->like)[0];
    impl->massEpoch = impl->epoch;
  }
  return impl->evidenceMass;
}

llvm::ArrayRef<double> Inference::posteriorView(unsigned var) { return impl->posterior(var); }

std::vector<double> Inference::posterior(unsigned var) {
  llvm::ArrayRef<double> p = impl->posterior(var);
  return std::vector<double>(p.begin(), p.end());
}

} // namespace llmflow::bn
