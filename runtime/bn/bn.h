// Discrete Bayesian networks over a job's stages: variables are stage
// durations (binned) and structure outcomes (branch arm, loop iterations,
// expansion sizes); edges run only from earlier to later stages. Learned
// from profiles, queried per job as evidence arrives. The scheduler
// (LLMSched) and `llmflow estimate` are the consumers. No I/O here except
// explicit serialisation functions.
#pragma once

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <optional>
#include <string>
#include <vector>

namespace llmflow::bn {

/// A variable: one IR node's duration, or one Dynamic node's structure.
struct Variable {
  enum class Kind { Duration, Structure };
  std::string name;                // "<node id>" (Duration) or "<node id>#structure"
  std::string node;                // the IR node id
  Kind kind = Kind::Duration;
  /// State labels; the last is "ABSENT" when the node may not run in a job.
  std::vector<std::string> states;
  /// Duration: upper bin edges in seconds (log-space, equal frequency);
  /// Structure: the integer value of each state (overflow bin = its lower bound).
  std::vector<double> edges;
  /// Representative value of each state (mean of the training values in
  /// it; 0 for ABSENT): used for expectations.
  std::vector<double> value;
  /// 5% and 95% quantiles of the training values per state (interval estimates).
  std::vector<double> lo, hi;
  bool hasAbsent = false;
  unsigned order = 0;              // position in IR topological order (edges go low -> high)
};

struct Network {
  std::string app;
  int irVersion = 1;
  std::vector<Variable> vars;
  std::vector<std::vector<unsigned>> parents;   // per variable, parent indices
  /// CPT per variable: for each parent configuration (row-major over the
  /// parents in order, last parent fastest), the distribution over states.
  std::vector<std::vector<double>> cpt;
  // Training metadata, for `bn show` and reproducibility.
  unsigned trainRows = 0, bins = 6, maxParents = 2;
  double smoothing = 1;
  std::string search = "hill-climbing";

  unsigned stateOf(unsigned var, std::optional<double> observed) const; // binning of a value (nullopt = ABSENT)
};

/// Training data: one row per job, one column per variable; nullopt = the
/// node did not run (ABSENT).
struct Dataset {
  std::vector<std::string> columns;            // variable names
  std::vector<std::vector<std::optional<double>>> rows;
};

struct VariableSpec {
  std::string name, node;
  Variable::Kind kind = Variable::Kind::Duration;
  unsigned order = 0;
};

struct TrainOptions {
  unsigned bins = 6;
  unsigned maxParents = 2;
  double smoothing = 1;                        // add-alpha on CPT counts
  std::string search = "hill-climbing";        // or "k2"
  unsigned structureCap = 16;                  // structure variables: states 0..cap-1, then overflow
};

llvm::Expected<Network> train(const Dataset &data, const std::vector<VariableSpec> &vars, const TrainOptions &opts);
/// The same variables and bins, no edges (the independent-stages baseline).
Network independent(const Network &n, const Dataset &train, double smoothing = 1);
/// Average log-likelihood per row (natural log) of `data` under `n`.
double logLikelihood(const Network &n, const Dataset &data);

/// Exact inference with evidence (junction tree or variable elimination).
class Inference {
public:
  explicit Inference(const Network &n);
  ~Inference();
  Inference(Inference &&) noexcept;
  void observe(unsigned var, unsigned state);
  void forget(unsigned var);
  void reset();
  std::vector<double> posterior(unsigned var);
  double entropy(unsigned var);                                   // bits
  /// I(X; Y1..Ym | evidence) in bits, joint over the Ys.
  double mutualInformation(unsigned x, const std::vector<unsigned> &ys);
  /// E[value | evidence] of a variable, and its [5%, 95%] interval.
  double expected(unsigned var);
  std::pair<double, double> interval(unsigned var);
private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

llvm::json::Value toJSON(const Network &n);
llvm::Expected<Network> fromJSON(const llvm::json::Value &v);
std::string toBIF(const Network &n);
std::string toXMLBIF(const Network &n);
llvm::Expected<Network> fromBIF(llvm::StringRef text);
std::string toDOT(const Network &n);

} // namespace llmflow::bn
