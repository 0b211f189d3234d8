// Discrete Bayesian networks over a job's stages: variables are stage
// durations (binned) and structure outcomes (branch arm, loop iterations,
// expansion sizes); edges run only from earlier to later stages. Learned
// from profiles, queried per job as evidence arrives. The scheduler
// (LLMSched) and `llmflow estimate` are the consumers. No I/O here except
// explicit serialisation functions (to and from strings; no files).
//
// Method (docs/llmsched.md sections 3-5):
//  - discretise(): duration variables get K equal-frequency bins (cuts at
//    geometric midpoints, i.e. in log space) plus ABSENT when some row lacks
//    the value; structure variables get one state per integer 0..m (m = the
//    largest observed value below the cap), an overflow state ">=cap" when
//    some value reaches the cap, plus ABSENT.
//  - train(): BIC score, hill climbing (add/remove; see TrainOptions), K2 or
//    an exact per-variable search; CPTs by counting with add-alpha smoothing.
//  - Inference: a Hugin junction tree compiled once per network (greedy
//    min-fill / min-weight triangulation, the smallest of ten tries) shared
//    by every job; evidence enters incrementally (one outward pass, skipping
//    subtrees nothing needs or nothing changes in); joint queries (mutual
//    information) and P(evidence) by variable elimination.
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace llmflow::bn {

/// What went wrong, for callers that branch on it; the message names the
/// row, column, variable, field or line involved.
enum class BNErrorKind {
  BadOptions,   // TrainOptions out of range, unknown search method
  BadData,      // Dataset: empty, columns mismatch, NaN/negative values
  BadNetwork,   // a network that fails verify(): cycle, CPT sizes or sums
  BadFormat,    // JSON / BIF text that does not parse or is inconsistent
};
llvm::StringRef toString(BNErrorKind kind);

class BNError : public llvm::ErrorInfo<BNError> {
public:
  static char ID;
  BNError(BNErrorKind kind, std::string message) : kind(kind), message(std::move(message)) {}
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override { return llvm::inconvertibleErrorCode(); }
  BNErrorKind kind;
  std::string message;
};

/// A variable: one IR node's duration, or one Dynamic node's structure.
struct Variable {
  enum class Kind { Duration, Structure };
  std::string name;                // "<node id>" (Duration) or "<node id>#structure"
  std::string node;                // the IR node id
  Kind kind = Kind::Duration;
  /// State labels; the last is "ABSENT" when the node may not run in a job.
  /// Duration: "[0,0.52]", "(0.52,1.3]", ..., "(4.1,inf)"; Structure: "0",
  /// "1", ..., ">=16" (overflow).
  std::vector<std::string> states;
  /// One entry per non-ABSENT state. Duration: upper bin edges in seconds
  /// (log-space, equal frequency; the last is the largest training value,
  /// larger values still fall in the last bin); Structure: the integer value
  /// of each state (overflow bin = its lower bound, the cap).
  std::vector<double> edges;
  /// Representative value of each state (mean of the training values in
  /// it; 0 for ABSENT): used for expectations.
  std::vector<double> value;
  /// 5% and 95% quantiles of the training values per state (interval estimates).
  std::vector<double> lo, hi;
  /// Smallest and largest training value (0, 0 when none): Range() of R(X).
  double min = 0, max = 0;
  bool hasAbsent = false;
  unsigned order = 0;              // position in IR topological order (edges go low -> high)

  unsigned card() const { return static_cast<unsigned>(states.size()); }
  /// The ABSENT state, when there is one.
  std::optional<unsigned> absentState() const;
  /// max - min: the span of the support seen in profiling.
  double range() const { return max - min; }
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

  /// The state a value falls in (nullopt = the node did not run = ABSENT).
  /// Returns nullopt when the value cannot be represented: absent but the
  /// variable has no ABSENT state, NaN, or a present value for a variable
  /// that was never present in training. Values beyond the bins clamp to
  /// the first / last bin.
  std::optional<unsigned> stateOf(unsigned var, std::optional<double> observed) const;
  /// Index of the variable called `name`.
  std::optional<unsigned> find(llvm::StringRef name) const;
  /// Number of edges.
  size_t edgeCount() const;
};

/// Checks the invariants every consumer relies on: sizes of states / edges /
/// value / lo / hi, parent indices in range, no duplicates, no cycle, CPT
/// sizes, entries in [0, 1] and each distribution summing to 1 (1e-6).
/// train(), fromJSON() and fromBIF() only return verified networks.
llvm::Error verify(const Network &n);

/// Variables that can be reached from `var` along edges (not `var` itself),
/// in increasing index order.
std::vector<unsigned> descendants(const Network &n, unsigned var);

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
  /// Names of variables that must be parents (what the program's structure
  /// implies: a loop's iteration count -> the stages inside it), so that
  /// even a small profile yields the links the program guarantees. Hill
  /// climbing and K2 keep them and add others while the parent limit
  /// allows (the first maxParents are kept); the exact search ignores them.
  /// Edges against the order are left out.
  std::vector<std::string> seedParents;
};

struct TrainOptions {
  unsigned bins = 6;                           // K, duration bins (>= 1)
  unsigned maxParents = 2;
  double smoothing = 1;                        // add-alpha on CPT counts (>= 0)
  /// "hill-climbing" (best add/remove move until none improves BIC; edge
  /// reversal never keeps the order constraint, see below), "k2" (each
  /// variable in order adds its best predecessor while BIC improves) or
  /// "exact" (best BIC parent set of every variable among its predecessors:
  /// the global optimum under the order; refuses more than 200,000 families).
  std::string search = "hill-climbing";
  unsigned structureCap = 16;                  // structure variables: states 0..cap-1, then overflow
};

/// Edges are allowed only from a variable of strictly lower `order` to a
/// higher one, so every candidate graph is acyclic and variables sharing an
/// order are never linked (give distinct orders to link them).
llvm::Expected<Network> train(const Dataset &data, const std::vector<VariableSpec> &vars, const TrainOptions &opts);
/// The same variables and bins, no edges (the independent-stages baseline);
/// `train` columns are matched to variables by name.
llvm::Expected<Network> independent(const Network &n, const Dataset &train, double smoothing = 1);
/// The same variables with no edges, each with its prior marginal under
/// `n` as its table: independent stages with the distributions the network
/// implies (what an ablation without correlations needs when only the
/// trained network is at hand).
Network withoutEdges(const Network &n);
/// Average log-likelihood per row (natural log) of `data` under `n`.
/// Columns are matched by name; variables without a column, and values
/// stateOf() cannot represent, are summed out (marginal likelihood).
llvm::Expected<double> logLikelihood(const Network &n, const Dataset &data);

/// Discretises one variable from its column (exposed for tools and tests).
llvm::Expected<Variable> discretise(const VariableSpec &spec, llvm::ArrayRef<std::optional<double>> column,
                                    const TrainOptions &opts);

/// A network compiled for exact inference (junction tree and its calibrated
/// prior). Immutable: compile once per network, share it between jobs
/// (and threads); each job's Inference only copies the prior tables.
class JunctionTree;
std::shared_ptr<const JunctionTree> compile(const Network &n);
/// Size figures of a compiled tree (benchmarks, `bn show`).
struct JunctionTreeStats {
  unsigned cliques = 0, largestClique = 0;      // largest = number of variables
  size_t cliqueCells = 0, separatorCells = 0, largestCliqueCells = 0;
};
JunctionTreeStats stats(const JunctionTree &jt);

/// How mutualInformation() combined the Ys.
enum class MIMethod {
  Joint,        // I(X; Y1..Ym) over the joint of the Ys
  PairwiseSum,  // sum of I(X; Ym): the joint would exceed the cell limit
  Trivial,      // 0 (X observed, no unobserved Y) or H(X) (X among the Ys)
};

/// Exact inference with evidence. Evidence is entered lazily: the tree is
/// re-calibrated on the next query (one outward pass from the evidence's
/// clique when evidence was only added; a rebuild from the prior after
/// forget() or a changed state). Evidence of probability 0 makes every
/// posterior uniform; probabilityOfEvidence() tells. Not thread-safe (one
/// per job); the JunctionTree it shares is.
class Inference {
public:
  explicit Inference(const Network &n);                       // compiles
  explicit Inference(std::shared_ptr<const JunctionTree> jt);
  ~Inference();
  Inference(const Inference &);
  Inference &operator=(const Inference &);
  Inference(Inference &&) noexcept;
  Inference &operator=(Inference &&) noexcept;

  const Network &network() const;
  void observe(unsigned var, unsigned state);
  /// Soft (likelihood) evidence: multiplies P(E | var = s) = factor[s] into
  /// what is known of var; several calls multiply. E.g. "at least i
  /// iterations" is 0 for the states below i and 1 for the others. Hard
  /// evidence on the same variable overrides it.
  void likelihood(unsigned var, llvm::ArrayRef<double> factor);
  /// Takes back hard and soft evidence on var.
  void forget(unsigned var);
  void reset();
  std::optional<unsigned> observed(unsigned var) const;
  /// A hash of all evidence (hard states and soft likelihoods): equal
  /// evidence on the same network hashes equal, so answers can be shared
  /// between inferences (e.g. jobs of one application).
  uint64_t evidenceHash() const;
  double probabilityOfEvidence();
  std::vector<double> posterior(unsigned var);
  /// The same without a copy; valid until the evidence next changes.
  llvm::ArrayRef<double> posteriorView(unsigned var);
  /// Joint posterior of distinct variables, row-major (last fastest).
  std::vector<double> joint(llvm::ArrayRef<unsigned> vars);
  double entropy(unsigned var);                                   // bits
  /// I(X; Y1..Ym | evidence) in bits = H(Y|E) - sum_x P(x|E) H(Y|X=x,E),
  /// joint over the unobserved Ys while their joint table has at most
  /// jointCellLimit() cells, else the sum of the pairwise terms.
  double mutualInformation(unsigned x, const std::vector<unsigned> &ys, MIMethod *used = nullptr);
  void setJointCellLimit(size_t cells);                           // default 4096
  size_t jointCellLimit() const;
  /// E[value | evidence] of a variable, and its [5%, 95%] interval.
  double expected(unsigned var);
  std::pair<double, double> interval(unsigned var, double qlo = 0.05, double qhi = 0.95);
private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// Information measures over explicit tables (bits; 0 log 0 = 0).
double entropyBits(llvm::ArrayRef<double> p);
/// I(X; Y) of a joint table P(x, y) with X slowest (cardX rows).
double mutualInformationBits(llvm::ArrayRef<double> joint, unsigned cardX);

/// Expectation of a variable's value under a distribution over its states.
double expectedValue(const Variable &v, llvm::ArrayRef<double> p);
/// Quantiles of the mixture over states: each state's values are taken as
/// uniform on the span whose 5% and 95% points are its lo and hi (a point
/// mass when lo == hi), so a certain state gives exactly [lo, hi].
std::pair<double, double> quantileInterval(const Variable &v, llvm::ArrayRef<double> p, double qlo = 0.05,
                                           double qhi = 0.95);

/// The time still to go of a duration that has already lasted t seconds:
/// E[value - t | value > t] (>= 0), and P(value > t). Each non-ABSENT state
/// is taken as a log-normal with the state's mean (`value`) and a log-spread
/// from its lo/hi (its 5% and 95% training points; at least 0.05). Past the
/// highest 95% point of a possible state the tail is Pareto, continuous
/// there: a stage that overruns everything seen in profiling is expected
/// to need more time the longer it has run, never less. At t = 0 it is
/// expectedValue() (ABSENT counting as 0); for t > 0 the stage is running,
/// so ABSENT is excluded.
double remainingAfter(const Variable &v, llvm::ArrayRef<double> p, double t);
double probabilityAbove(const Variable &v, llvm::ArrayRef<double> p, double t);

/// Versioned JSON: {"llmflow_bn": 1, ...}; fromJSON is strict (unknown
/// keys, wrong types and inconsistent sizes are errors) and verifies.
llvm::json::Value toJSON(const Network &n);
llvm::Expected<Network> fromJSON(const llvm::json::Value &v);
/// BIF (the interchange format pgmpy's BIFReader and bnlearn's read.bif
/// read). Names become identifiers ([A-Za-z][A-Za-z0-9_]*, unique; BIF
/// keywords broken up); the original names, labels and the per-state
/// values travel as `property` lines, so fromBIF(toBIF(n)) == n. fromBIF
/// also reads foreign BIF files (table / default / entry forms).
std::string toBIF(const Network &n);
llvm::Expected<Network> fromBIF(llvm::StringRef text);
/// XMLBIF 0.3 with its DTD, as pgmpy and Weka write it (same identifiers
/// and properties as the BIF form; TABLE lists each parent configuration's
/// distribution in turn, last GIVEN fastest).
std::string toXMLBIF(const Network &n);
std::string toDOT(const Network &n);

} // namespace llmflow::bn
