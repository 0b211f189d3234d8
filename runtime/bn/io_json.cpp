// The versioned JSON form of a network and its strict reader:
//   {"llmflow_bn": 1, "app": "...", "ir_version": 1,
//    "training": {"rows", "bins", "max_parents", "smoothing", "search"},
//    "variables": [{"name", "node", "kind": "duration"|"structure", "order",
//                   "has_absent", "states", "edges", "value", "lo", "hi",
//                   "min", "max", "parents": [names], "cpt": [...]}]}
// Unknown keys, wrong types and inconsistent sizes are errors; the result
// is verify()'d. Numbers print with 17 significant digits (exact).
#include "bn/detail.h"

#include "llvm/ADT/StringMap.h"

#include <cmath>

namespace llmflow::bn {

using detail::fail;
namespace json = llvm::json;

namespace {

constexpr int64_t kVersion = 1;

json::Array numbers(const std::vector<double> &xs) {
  json::Array a;
  for (double x : xs)
    a.push_back(x);
  return a;
}

json::Array strings(const std::vector<std::string> &xs) {
  json::Array a;
  for (const auto &x : xs)
    a.push_back(x);
  return a;
}

llvm::Error bad(const llvm::Twine &msg) { return fail(BNErrorKind::BadFormat, msg); }

/// Field access with the path in every message; unknown keys are errors.
class Reader {
public:
  Reader(const json::Object &o, std::string where) : o(o), where(std::move(where)) {}

  llvm::Error only(std::initializer_list<llvm::StringRef> known) const {
    for (const auto &kv : o) {
      bool ok = false;
      for (llvm::StringRef k : known)
        ok |= llvm::StringRef(kv.first) == k;
      if (!ok)
        return bad(where + ": unknown key '" + kv.first.str() + "'");
    }
    return llvm::Error::success();
  }
  llvm::Expected<const json::Value *> field(llvm::StringRef key) const {
    const json::Value *v = o.get(key);
    if (!v)
      return bad(where + ": missing '" + key + "'");
    return v;
  }
  llvm::Expected<double> number(llvm::StringRef key) const {
    auto v = field(key);
    if (!v)
      return v.takeError();
    auto d = (*v)->getAsNumber();
    if (!d)
      return bad(path(key) + ": expected a number");
    return *d;
  }
  llvm::Expected<int64_t> count(llvm::StringRef key) const {
    auto v = field(key);
    if (!v)
      return v.takeError();
    auto i = (*v)->getAsInteger();
    if (!i || *i < 0 || *i > INT32_MAX)
      return bad(path(key) + ": expected a non-negative integer");
    return *i;
  }
  llvm::Expected<std::string> string(llvm::StringRef key) const {
    auto v = field(key);
    if (!v)
      return v.takeError();
    auto s = (*v)->getAsString();
    if (!s)
      return bad(path(key) + ": expected a string");
    return s->str();
  }
  llvm::Expected<bool> boolean(llvm::StringRef key) const {
    auto v = field(key);
    if (!v)
      return v.takeError();
    auto b = (*v)->getAsBoolean();
    if (!b)
      return bad(path(key) + ": expected true or false");
    return *b;
  }
  llvm::Expected<std::vector<double>> numbers(llvm::StringRef key) const {
    auto v = field(key);
    if (!v)
      return v.takeError();
    const json::Array *a = (*v)->getAsArray();
    if (!a)
      return bad(path(key) + ": expected an array of numbers");
    std::vector<double> out;
    for (size_t i = 0; i < a->size(); ++i) {
      auto d = (*a)[i].getAsNumber();
      if (!d)
        return bad(path(key) + "[" + llvm::Twine(i) + "]: expected a number");
      out.push_back(*d);
    }
    return out;
  }
  llvm::Expected<std::vector<std::string>> strings(llvm::StringRef key) const {
    auto v = field(key);
    if (!v)
      return v.takeError();
    const json::Array *a = (*v)->getAsArray();
    if (!a)
      return bad(path(key) + ": expected an array of strings");
    std::vector<std::string> out;
    for (size_t i = 0; i < a->size(); ++i) {
      auto s = (*a)[i].getAsString();
      if (!s)
        return bad(path(key) + "[" + llvm::Twine(i) + "]: expected a string");
      out.push_back(s->str());
    }
    return out;
  }
  std::string path(llvm::StringRef key) const { return where + "." + key.str(); }

private:
  const json::Object &o;
  std::string where;
};

/// Assigns an Expected's value or returns its error from the caller.
#define BN_TRY(dest, expr)                                                                                             \
  do {                                                                                                                 \
    auto tmp_ = (expr);                                                                                                \
    if (!tmp_)                                                                                                         \
      return tmp_.takeError();                                                                                         \
    dest = std::move(*tmp_);                                                                                           \
  } while (0)

llvm::Expected<Variable> readVariable(const Reader &r, std::vector<std::string> &parents, std::vector<double> &cpt) {
  if (llvm::Error e = r.only({"name", "node", "kind", "order", "has_absent", "states", "edges", "value", "lo", "hi",
                              "min", "max", "parents", "cpt"}))
    return e;
  Variable v;
  BN_TRY(v.name, r.string("name"));
  BN_TRY(v.node, r.string("node"));
  std::string kind;
  BN_TRY(kind, r.string("kind"));
  if (kind == "duration")
    v.kind = Variable::Kind::Duration;
  else if (kind == "structure")
    v.kind = Variable::Kind::Structure;
  else
    return bad(r.path("kind") + ": expected 'duration' or 'structure', got '" + kind + "'");
  int64_t order = 0;
  BN_TRY(order, r.count("order"));
  v.order = static_cast<unsigned>(order);
  BN_TRY(v.hasAbsent, r.boolean("has_absent"));
  BN_TRY(v.states, r.strings("states"));
  BN_TRY(v.edges, r.numbers("edges"));
  BN_TRY(v.value, r.numbers("value"));
  BN_TRY(v.lo, r.numbers("lo"));
  BN_TRY(v.hi, r.numbers("hi"));
  BN_TRY(v.min, r.number("min"));
  BN_TRY(v.max, r.number("max"));
  BN_TRY(parents, r.strings("parents"));
  BN_TRY(cpt, r.numbers("cpt"));
  return v;
}

} // namespace

json::Value toJSON(const Network &n) {
  json::Array vars;
  for (unsigned v = 0; v < n.vars.size(); ++v) {
    const Variable &x = n.vars[v];
    std::vector<std::string> parents;
    for (unsigned p : n.parents[v])
      parents.push_back(n.vars[p].name);
    vars.push_back(json::Object{
        {"name", x.name},
        {"node", x.node},
        {"kind", x.kind == Variable::Kind::Duration ? "duration" : "structure"},
        {"order", int64_t(x.order)},
        {"has_absent", x.hasAbsent},
        {"states", strings(x.states)},
        {"edges", numbers(x.edges)},
        {"value", numbers(x.value)},
        {"lo", numbers(x.lo)},
        {"hi", numbers(x.hi)},
        {"min", x.min},
        {"max", x.max},
        {"parents", strings(parents)},
        {"cpt", numbers(n.cpt[v])},
    });
  }
  return json::Object{
      {"llmflow_bn", kVersion},
      {"app", n.app},
      {"ir_version", int64_t(n.irVersion)},
      {"training", json::Object{{"rows", int64_t(n.trainRows)},
                                {"bins", int64_t(n.bins)},
                                {"max_parents", int64_t(n.maxParents)},
                                {"smoothing", n.smoothing},
                                {"search", n.search}}},
      {"variables", std::move(vars)},
  };
}

llvm::Expected<Network> fromJSON(const json::Value &value) {
  const json::Object *top = value.getAsObject();
  if (!top)
    return bad("network: expected a JSON object");
  Reader r(*top, "network");
  const json::Value *version = top->get("llmflow_bn");
  if (!version)
    return bad("network: missing 'llmflow_bn' (not an llmflow Bayesian network)");
  if (version->getAsInteger() != kVersion)
    return bad("network: unsupported llmflow_bn version (expected " + llvm::Twine(kVersion) + ")");
  if (llvm::Error e = r.only({"llmflow_bn", "app", "ir_version", "training", "variables"}))
    return e;
  Network n;
  BN_TRY(n.app, r.string("app"));
  int64_t irVersion = 0;
  BN_TRY(irVersion, r.count("ir_version"));
  n.irVersion = static_cast<int>(irVersion);
  const json::Value *training = nullptr;
  BN_TRY(training, r.field("training"));
  if (!training->getAsObject())
    return bad("network.training: expected an object");
  Reader t(*training->getAsObject(), "network.training");
  if (llvm::Error e = t.only({"rows", "bins", "max_parents", "smoothing", "search"}))
    return e;
  int64_t rows = 0, bins = 0, maxParents = 0;
  BN_TRY(rows, t.count("rows"));
  BN_TRY(bins, t.count("bins"));
  BN_TRY(maxParents, t.count("max_parents"));
  n.trainRows = static_cast<unsigned>(rows);
  n.bins = static_cast<unsigned>(bins);
  n.maxParents = static_cast<unsigned>(maxParents);
  BN_TRY(n.smoothing, t.number("smoothing"));
  BN_TRY(n.search, t.string("search"));
  const json::Value *vars = nullptr;
  BN_TRY(vars, r.field("variables"));
  const json::Array *arr = vars->getAsArray();
  if (!arr)
    return bad("network.variables: expected an array");
  std::vector<std::vector<std::string>> parentNames;
  for (size_t i = 0; i < arr->size(); ++i) {
    std::string where = "network.variables[" + std::to_string(i) + "]";
    const json::Object *o = (*arr)[i].getAsObject();
    if (!o)
      return bad(where + ": expected an object");
    std::vector<std::string> parents;
    std::vector<double> cpt;
    Variable v;
    BN_TRY(v, readVariable(Reader(*o, where), parents, cpt));
    n.vars.push_back(std::move(v));
    parentNames.push_back(std::move(parents));
    n.cpt.push_back(std::move(cpt));
  }
  llvm::StringMap<unsigned> index;
  for (unsigned v = 0; v < n.vars.size(); ++v)
    index.try_emplace(n.vars[v].name, v);
  for (unsigned v = 0; v < n.vars.size(); ++v) {
    n.parents.emplace_back();
    for (const std::string &p : parentNames[v]) {
      auto it = index.find(p);
      if (it == index.end())
        return bad("network.variables[" + llvm::Twine(v) + "]: unknown parent '" + p + "'");
      n.parents.back().push_back(it->second);
    }
  }
  if (llvm::Error e = verify(n))
    return e;
  return n;
}

} // namespace llmflow::bn
