// train(): checks the options, specs and dataset, discretises every column,
// runs the structure search and fills the CPTs by counting; independent():
// the no-edge baseline over the same bins. Not for: the search algorithms
// (search.cpp) or the score (score.cpp).
#include "bn/detail.h"
#include "bn/score.h"
#include "bn/search.h"

#include "llvm/ADT/StringMap.h"

#include <algorithm>
#include <cmath>

namespace llmflow::bn {

using detail::fail;

namespace {

constexpr unsigned kMaxBins = 1024, kMaxCap = 1024;

llvm::Error checkOptions(const TrainOptions &o) {
  auto bad = [](const llvm::Twine &msg) { return fail(BNErrorKind::BadOptions, msg); };
  if (o.search != "hill-climbing" && o.search != "k2" && o.search != "exact")
    return bad("unknown search method '" + o.search + "' (expected 'hill-climbing', 'k2' or 'exact')");
  if (o.bins == 0 || o.bins > kMaxBins)
    return bad("bins must be between 1 and " + llvm::Twine(kMaxBins) + ", got " + llvm::Twine(o.bins));
  if (o.structureCap == 0 || o.structureCap > kMaxCap)
    return bad("structure cap must be between 1 and " + llvm::Twine(kMaxCap) + ", got " + llvm::Twine(o.structureCap));
  if (!(o.smoothing >= 0) || !std::isfinite(o.smoothing))
    return bad("smoothing must be a finite number >= 0, got " + detail::formatDouble(o.smoothing));
  return llvm::Error::success();
}

/// Column of each spec, after checking names and the dataset's shape.
llvm::Expected<std::vector<size_t>> matchColumns(const Dataset &data, const std::vector<VariableSpec> &specs) {
  auto bad = [](const llvm::Twine &msg) { return fail(BNErrorKind::BadData, msg); };
  if (specs.empty())
    return bad("no variables to train");
  if (data.rows.empty())
    return bad("empty dataset: no rows to train on");
  if (llvm::Error e = detail::checkRowShapes(data))
    return e;
  llvm::StringMap<size_t> byName;
  for (size_t c = 0; c < data.columns.size(); ++c)
    if (!byName.try_emplace(data.columns[c], c).second)
      return bad("dataset column '" + data.columns[c] + "' appears twice");
  llvm::StringMap<char> specNames;
  std::vector<size_t> cols;
  for (const VariableSpec &s : specs) {
    if (s.name.empty())
      return bad("a variable spec has an empty name");
    if (!specNames.try_emplace(s.name, 1).second)
      return bad("variable '" + s.name + "' is specified twice");
    auto it = byName.find(s.name);
    if (it == byName.end())
      return bad("variable '" + s.name + "' has no column in the dataset");
    cols.push_back(it->second);
  }
  for (const std::string &c : data.columns)
    if (!specNames.count(c))
      return bad("dataset column '" + c + "' has no variable spec");
  return cols;
}

std::vector<std::optional<double>> column(const Dataset &data, size_t c) {
  std::vector<std::optional<double>> out;
  out.reserve(data.rows.size());
  for (const auto &row : data.rows)
    out.push_back(row[c]);
  return out;
}

} // namespace

llvm::Expected<Network> train(const Dataset &data, const std::vector<VariableSpec> &specs, const TrainOptions &opts) {
  if (llvm::Error e = checkOptions(opts))
    return e;
  auto cols = matchColumns(data, specs);
  if (!cols)
    return cols.takeError();
  Network n;
  n.trainRows = static_cast<unsigned>(data.rows.size());
  n.bins = opts.bins;
  n.maxParents = opts.maxParents;
  n.smoothing = opts.smoothing;
  n.search = opts.search;
  std::vector<std::vector<uint16_t>> states;
  std::vector<unsigned> cards;
  detail::SearchProblem problem;
  problem.maxParents = opts.maxParents;
  for (size_t i = 0; i < specs.size(); ++i) {
    std::vector<std::optional<double>> values = column(data, (*cols)[i]);
    auto v = discretise(specs[i], values, opts);
    if (!v)
      return v.takeError();
    n.vars.push_back(std::move(*v));
    unsigned var = static_cast<unsigned>(i);
    std::vector<uint16_t> st;
    st.reserve(values.size());
    for (const auto &x : values) {
      std::optional<unsigned> s = n.stateOf(var, x);
      assert(s && "training values always have a state");
      st.push_back(static_cast<uint16_t>(*s));
    }
    states.push_back(std::move(st));
    cards.push_back(n.vars.back().card());
    problem.order.push_back(specs[i].order);
  }
  problem.seeds.resize(specs.size());
  for (size_t i = 0; i < specs.size(); ++i)
    for (const std::string &name : specs[i].seedParents) {
      auto it = std::find_if(specs.begin(), specs.end(), [&](const VariableSpec &s) { return s.name == name; });
      if (it == specs.end())
        return fail(BNErrorKind::BadData, "variable '" + specs[i].name + "': seed parent '" + name + "' is not a variable");
      problem.seeds[i].push_back(unsigned(it - specs.begin()));
    }
  detail::Scorer scorer(std::move(states), cards);
  detail::Parents parents;
  if (opts.search == "hill-climbing") {
    parents = detail::hillClimb(scorer, problem);
  } else if (opts.search == "k2") {
    parents = detail::k2(scorer, problem);
  } else {
    auto p = detail::exactSearch(scorer, problem);
    if (!p)
      return p.takeError();
    parents = std::move(*p);
  }
  n.parents = parents;
  for (unsigned v = 0; v < n.vars.size(); ++v)
    n.cpt.push_back(detail::estimateCPT(scorer.counts(v, n.parents[v]), cards[v], opts.smoothing));
  if (llvm::Error e = verify(n))
    return e;
  return n;
}

llvm::Expected<Network> independent(const Network &n, const Dataset &data, double smoothing) {
  if (!(smoothing >= 0) || !std::isfinite(smoothing))
    return fail(BNErrorKind::BadOptions, "smoothing must be a finite number >= 0, got " + detail::formatDouble(smoothing));
  if (llvm::Error e = detail::checkRowShapes(data))
    return e;
  Network out = n;
  out.smoothing = smoothing;
  out.search = "none";
  out.trainRows = static_cast<unsigned>(data.rows.size());
  std::vector<int> col = detail::columnIndex(n, data);
  for (unsigned v = 0; v < n.vars.size(); ++v) {
    unsigned card = n.vars[v].card();
    std::vector<double> counts(card, 0.0);
    if (col[v] >= 0)
      for (const auto &row : data.rows)
        if (std::optional<unsigned> s = n.stateOf(v, row[col[v]]))
          counts[*s] += 1;
    out.parents[v].clear();
    out.cpt[v] = detail::estimateCPT(counts, card, smoothing);
  }
  return out;
}

Network withoutEdges(const Network &n) {
  Network out = n;
  out.search = "none";
  Inference inf(n);
  for (unsigned v = 0; v < n.vars.size(); ++v) {
    out.parents[v].clear();
    out.cpt[v] = inf.posterior(v);
  }
  return out;
}

} // namespace llmflow::bn
