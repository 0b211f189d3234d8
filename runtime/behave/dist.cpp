#include "behave/dist.h"

#include "llvm/ADT/Hashing.h"

#include <algorithm>
#include <cmath>

namespace llmflow::behave {
namespace {

llvm::Error fail(const llvm::Twine &msg) { return llvm::createStringError(llvm::inconvertibleErrorCode(), msg); }

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double logit(double p) {
  p = std::clamp(p, 1e-9, 1 - 1e-9);
  return std::log(p / (1 - p));
}

double shiftOf(const std::vector<std::pair<std::string, double>> &s, const Latents &l) {
  double x = 0;
  for (auto &[name, c] : s)
    x += c * l.lookup(name);
  return x;
}

} // namespace

uint64_t mixKey(uint64_t seed, uint64_t job, llvm::StringRef what) {
  uint64_t h = splitmix(seed ^ splitmix(job + 0x51ed27));
  for (char c : what)
    h = splitmix(h ^ uint64_t(static_cast<unsigned char>(c)));
  return h;
}

double uniform01(uint64_t key) { return double(splitmix(key ^ 0xabcdef) >> 11) * 0x1.0p-53; }

double standardNormal(uint64_t key) {
  // Box-Muller on two keyed uniforms.
  double u1 = std::max(uniform01(key), 1e-300), u2 = uniform01(splitmix(key));
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

double Dist::sample(uint64_t key, const Latents &l, double eps) const {
  double x = 0;
  double s = shiftOf(shift, l);
  switch (family) {
  case Family::Fixed: x = value; break;
  case Family::LogNormal:
  case Family::Normal: {
    double share = 0, sharedNoise = 0;
    for (auto &[name, w] : shared) {
      share += w * w;
      sharedNoise += w * l.lookup(name);
    }
    double noise = sharedNoise + std::sqrt(std::max(0.0, 1 - share)) * eps;
    x = family == Family::LogNormal ? median * std::exp(s + sigma * noise) : median + s + sigma * noise;
    break;
  }
  case Family::Uniform: x = lo + (hi - lo) * uniform01(key); break;
  case Family::Bernoulli: x = uniform01(key) < logistic(logit(p) + s) ? 1 : 0; break;
  case Family::Categorical: {
    // Tilt toward larger values as the shift grows: weight_i * exp(s * z_i).
    double meanIdx = (values.size() - 1) / 2.0, total = 0;
    std::vector<double> w(values.size());
    for (size_t i = 0; i < values.size(); ++i)
      total += w[i] = weights[i] * std::exp(s * (double(i) - meanIdx) / std::max(1.0, meanIdx));
    double u = uniform01(key) * total;
    x = values.back();
    for (size_t i = 0; i < values.size(); ++i) {
      if (u < w[i]) {
        x = values[i];
        break;
      }
      u -= w[i];
    }
    break;
  }
  case Family::Bimodal: {
    // K = lo with pLow, K = hi with pHigh (both shifted by the latents, in
    // opposite directions), otherwise truncated geometric over (lo, hi).
    double a = logistic(logit(pLow) - s), b = logistic(logit(pHigh) + s);
    if (a + b > 1) {
      a /= a + b;
      b = 1 - a;
    }
    double u = uniform01(key);
    if (u < a)
      x = lo;
    else if (u < a + b || hi - lo < 2)
      x = hi;
    else {
      x = lo + 1;
      uint64_t k = key;
      while (x < hi - 1 && uniform01(k = splitmix(k)) > geometric)
        x += 1;
    }
    break;
  }
  }
  return std::clamp(x, min, max);
}

double Dist::mean(const Latents &l) const {
  // Closed forms where there is one; Monte Carlo over fixed keys otherwise.
  double shared2 = 0, sharedNoise = 0;
  for (auto &[name, w] : shared) {
    shared2 += w * w;
    sharedNoise += w * l.lookup(name);
  }
  double own = std::max(0.0, 1 - shared2); // variance of the job's own noise
  switch (family) {
  case Family::Fixed: return std::clamp(value, min, max);
  case Family::LogNormal:
    // Given the latents, log x ~ N(log median + s + sigma * sharedNoise, sigma^2 * own).
    return median * std::exp(shiftOf(shift, l) + sigma * sharedNoise + sigma * sigma * own / 2);
  case Family::Normal: return median + shiftOf(shift, l) + sigma * sharedNoise;
  case Family::Uniform: return (lo + hi) / 2;
  case Family::Bernoulli: return logistic(logit(p) + shiftOf(shift, l));
  default: {
    double m = 0;
    for (int i = 0; i < 256; ++i)
      m += sample(uint64_t(i) * 7919, l);
    return m / 256;
  }
  }
}

std::pair<double, double> Dist::support() const {
  double a = -1e300, b = 1e300;
  switch (family) {
  case Family::Fixed: a = b = value; break;
  case Family::LogNormal: a = 0; break;
  case Family::Normal: break;
  case Family::Uniform:
  case Family::Bimodal: a = lo, b = hi; break;
  case Family::Bernoulli: a = 0, b = 1; break;
  case Family::Categorical:
    if (!values.empty()) {
      a = *std::min_element(values.begin(), values.end());
      b = *std::max_element(values.begin(), values.end());
    }
    break;
  }
  return {std::clamp(a, min, max), std::clamp(b, min, max)};
}

std::vector<std::string> Dist::latentsUsed() const {
  std::vector<std::string> out;
  for (auto *list : {&shift, &shared})
    for (auto &[name, c] : *list)
      out.push_back(name);
  return out;
}

llvm::Expected<Dist> parseDist(const llvm::json::Value &v, llvm::StringRef where) {
  Dist d;
  if (auto n = v.getAsNumber()) {
    d.family = Dist::Family::Fixed;
    d.value = *n;
    return d;
  }
  const llvm::json::Object *o = v.getAsObject();
  if (!o)
    return fail(where + ": expected a number or a table like { dist = \"lognormal\", median = 80, sigma = 0.6 }");
  auto num = [&](llvm::StringRef key, double &out, bool required) -> llvm::Error {
    const llvm::json::Value *x = o->get(key);
    if (!x) {
      if (required)
        return fail(where + ": missing '" + key + "'");
      return llvm::Error::success();
    }
    auto n = x->getAsNumber();
    if (!n || !std::isfinite(*n))
      return fail(where + ": '" + key + "' must be a number");
    out = *n;
    return llvm::Error::success();
  };
  auto kind = o->getString("dist");
  if (!kind)
    return fail(where + ": missing 'dist' (fixed, lognormal, normal, uniform, bernoulli, categorical, bimodal)");
  static const std::pair<const char *, Dist::Family> families[] = {
      {"fixed", Dist::Family::Fixed},           {"lognormal", Dist::Family::LogNormal},
      {"normal", Dist::Family::Normal},         {"uniform", Dist::Family::Uniform},
      {"bernoulli", Dist::Family::Bernoulli},   {"categorical", Dist::Family::Categorical},
      {"bimodal", Dist::Family::Bimodal}};
  bool known = false;
  for (auto [name, fam] : families)
    if (*kind == name) {
      d.family = fam;
      known = true;
    }
  if (!known)
    return fail(where + ": unknown dist '" + *kind + "'");
  std::string firstError;
  auto take = [&](llvm::Error x) {
    if (!x)
      return;
    if (firstError.empty())
      firstError = llvm::toString(std::move(x));
    else
      llvm::consumeError(std::move(x));
  };
  // Keys each family reads, besides the common ones.
  std::vector<const char *> familyKeys;
  switch (d.family) {
  case Dist::Family::Fixed:
    take(num("value", d.value, true));
    familyKeys = {"value"};
    break;
  case Dist::Family::LogNormal:
  case Dist::Family::Normal: {
    bool ln = d.family == Dist::Family::LogNormal;
    take(num(ln ? "median" : "mean", d.median, true));
    take(num("sigma", d.sigma, true));
    take(num("rho", d.rho, false));
    familyKeys = {ln ? "median" : "mean", "sigma", "rho", "chain", "shared"};
    if (ln && d.median <= 0)
      take(fail(where + ": 'median' must be > 0"));
    if (d.sigma < 0)
      take(fail(where + ": 'sigma' must be >= 0"));
    if (d.rho < 0 || d.rho >= 1)
      take(fail(where + ": 'rho' must be in [0, 1)"));
    if (const llvm::json::Value *c = o->get("chain")) {
      if (!c->getAsString())
        take(fail(where + ": 'chain' must be a string (the name of a chain of draws)"));
      else if (d.rho <= 0)
        take(fail(where + ": 'chain' needs 'rho' > 0"));
      else
        d.chain = c->getAsString()->str();
    }
    break;
  }
  case Dist::Family::Uniform:
    take(num("lo", d.lo, true));
    take(num("hi", d.hi, true));
    familyKeys = {"lo", "hi"};
    if (d.lo > d.hi)
      take(fail(where + ": 'lo' must be <= 'hi'"));
    break;
  case Dist::Family::Bernoulli:
    take(num("p", d.p, true));
    familyKeys = {"p"};
    if (d.p < 0 || d.p > 1)
      take(fail(where + ": 'p' must be in [0, 1]"));
    break;
  case Dist::Family::Categorical: {
    familyKeys = {"values", "weights"};
    const llvm::json::Array *vals = o->getArray("values"), *ws = o->getArray("weights");
    if (!vals || !ws || vals->size() != ws->size() || vals->empty())
      take(fail(where + ": categorical needs 'values' and 'weights' lists of the same, non-zero length"));
    else {
      double total = 0;
      for (size_t i = 0; i < vals->size(); ++i) {
        auto a = (*vals)[i].getAsNumber(), b = (*ws)[i].getAsNumber();
        if (!a || !b || *b < 0 || !std::isfinite(*a) || !std::isfinite(*b))
          take(fail(where + ": categorical values and weights must be numbers (weights >= 0)"));
        else {
          d.values.push_back(*a);
          d.weights.push_back(*b);
          total += *b;
        }
      }
      if (firstError.empty() && total <= 0)
        take(fail(where + ": categorical weights must add up to more than 0"));
    }
    break;
  }
  case Dist::Family::Bimodal:
    take(num("lo", d.lo, true));
    take(num("hi", d.hi, true));
    take(num("p_low", d.pLow, true));
    take(num("p_high", d.pHigh, true));
    take(num("geometric", d.geometric, false));
    familyKeys = {"lo", "hi", "p_low", "p_high", "geometric"};
    if (d.lo > d.hi)
      take(fail(where + ": 'lo' must be <= 'hi'"));
    if (d.pLow < 0 || d.pLow > 1 || d.pHigh < 0 || d.pHigh > 1 || d.pLow + d.pHigh > 1 + 1e-9)
      take(fail(where + ": 'p_low' and 'p_high' must be probabilities that add up to at most 1"));
    if (d.geometric <= 0 || d.geometric > 1)
      take(fail(where + ": 'geometric' (the stop probability per step) must be in (0, 1]"));
    break;
  }
  take(num("min", d.min, false));
  take(num("max", d.max, false));
  if (d.min > d.max)
    take(fail(where + ": 'min' must be <= 'max'"));
  for (auto [key, out] : {std::pair{"shift", &d.shift}, std::pair{"shared", &d.shared}}) {
    if (const llvm::json::Value *x = o->get(key)) {
      const llvm::json::Object *t = x->getAsObject();
      if (!t) {
        take(fail(where + ": '" + key + "' must be a table of latent = coefficient"));
        continue;
      }
      std::vector<std::string> keys;
      for (const auto &kv : *t)
        keys.push_back(kv.first.str());
      std::sort(keys.begin(), keys.end());
      for (const std::string &k : keys) {
        auto c = t->get(k)->getAsNumber();
        if (!c || !std::isfinite(*c))
          take(fail(where + ": " + key + "." + k + " must be a number"));
        else
          out->push_back({k, *c});
      }
    }
  }
  double share = 0;
  for (auto &[name, w] : d.shared)
    share += w * w;
  if (share > 1 + 1e-9)
    take(fail(where + ": the squares of the 'shared' weights add up to more than 1"));
  for (const auto &kv : *o) {
    static const char *common[] = {"dist", "min", "max", "shift", "source"};
    auto is = [&](const char *k) { return kv.first == k; };
    if (std::none_of(std::begin(common), std::end(common), is) && std::none_of(familyKeys.begin(), familyKeys.end(), is))
      take(fail(where + ": unknown key '" + kv.first.str() + "' for a " + *kind + " distribution"));
  }
  if (!firstError.empty())
    return fail(firstError);
  return d;
}

} // namespace llmflow::behave
