// Distributions of a behaviour model, with per-job latent factors: a value
// is drawn from its family, shifted by the job's hidden factors (difficulty,
// verbosity, ...) so that stages of one job are correlated the way real ones
// are. Parsed from the inline tables of behaviour.toml (docs/behaviour.md).
#pragma once

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <random>
#include <string>
#include <vector>

namespace llmflow::behave {

using Latents = llvm::StringMap<double>;

/// Counter-based randomness: every draw is keyed by what it is for (job,
/// instance, purpose), so results do not depend on the order in which a
/// scheduler makes things happen.
uint64_t mixKey(uint64_t seed, uint64_t job, llvm::StringRef what);
double standardNormal(uint64_t key);
double uniform01(uint64_t key);

struct Dist {
  enum class Family { Fixed, LogNormal, Normal, Uniform, Bernoulli, Categorical, Bimodal };
  Family family = Family::Fixed;
  double value = 0;            // Fixed
  double median = 1, sigma = 0;// LogNormal (sigma of log), Normal (median = mean, sigma = sd)
  double lo = 0, hi = 1;       // Uniform
  double p = 0.5;              // Bernoulli
  std::vector<double> values, weights; // Categorical
  double pLow = 0, pHigh = 0, geometric = 0.5; // Bimodal over [lo, hi]
  double rho = 0;              // LogNormal/Normal: correlation with the previous draw of a chain
  std::string chain;           // the chain's name (default: the node's id); see JobBehaviour::outputTokens
  std::vector<std::pair<std::string, double>> shift;  // latent -> shift (log-mean / logit / tilt)
  std::vector<std::pair<std::string, double>> shared; // latent -> share of the noise (LogNormal, Normal)
  double min = -1e300, max = 1e300;

  /// `eps` is the standard-normal noise to use (chains pass a correlated one).
  double sample(uint64_t key, const Latents &latents, double eps) const;
  double sample(uint64_t key, const Latents &latents) const { return sample(key, latents, standardNormal(key)); }
  /// Mean given the latents (their shift and their shared part of the
  /// noise); min/max clamping is ignored for the continuous families.
  double mean(const Latents &latents) const;
  /// Smallest and largest value a draw can take (after min/max).
  std::pair<double, double> support() const;
  /// Latent names the distribution reads (shift and shared).
  std::vector<std::string> latentsUsed() const;
};

/// Parses {dist = "...", ...}; errors name the field (`where` prefixes them).
llvm::Expected<Dist> parseDist(const llvm::json::Value &v, llvm::StringRef where);

} // namespace llmflow::behave
