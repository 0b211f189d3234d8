#include "behave/behaviour.h"

#include "core/toml_json.h"
#include "exec/builtins.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace llmflow::behave {
namespace {

llvm::Error fail(const llvm::Twine &msg) { return llvm::createStringError(llvm::inconvertibleErrorCode(), msg); }

Dist lognormal(double median, double sigma, std::vector<std::pair<std::string, double>> shared = {},
               double min = -1e300, double max = 1e300) {
  Dist d;
  d.family = Dist::Family::LogNormal;
  d.median = median;
  d.sigma = sigma;
  d.shared = std::move(shared);
  d.min = min;
  d.max = max;
  return d;
}

const ir::Node *findNode(const ir::Module &m, llvm::StringRef id) {
  const ir::Node *found = nullptr;
  for (const ir::App &a : m.apps)
    ir::forEachNode(a.graph, [&](const ir::Node &n) {
      if (n.id == id)
        found = &n;
    });
  return found;
}

std::vector<std::string> sortedKeys(const llvm::json::Object &o) {
  std::vector<std::string> keys;
  for (const auto &kv : o)
    keys.push_back(kv.first.str());
  std::sort(keys.begin(), keys.end());
  return keys;
}

} // namespace

BehaviourModel BehaviourModel::defaults(llvm::StringRef app) {
  BehaviourModel m;
  m.app = app.str();
  Dist n01;
  n01.family = Dist::Family::Normal;
  n01.median = 0;
  n01.sigma = 1;
  m.latents = {{"difficulty", n01}, {"verbosity", n01}};
  // ShareGPT-like answer lengths; verbosity shared by the job's LLM stages.
  m.defaultLLM.outputTokens = lognormal(150, 0.6, {{"verbosity", 0.5}}, 1, 4096);
  m.defaultTool.latency = lognormal(0.2, 0.5, {}, 0.001, 600);
  return m;
}

namespace {

/// Where `target` sits relative to `loop`: inside its body (1), next to it
/// or after it in the graph that holds the loop (2), or unrelated (0). A
/// loop, map or call between the two makes the instance names unrelated (0).
int placeRelativeToLoop(const ir::Module &m, const ir::Node &loop, const ir::Node &target) {
  // Whether `g` holds the target directly or inside branch arms (which add
  // nothing to instance names).
  std::function<bool(const ir::Graph &)> holds = [&](const ir::Graph &g) {
    for (const ir::Node &n : g.nodes) {
      if (&n == &target)
        return true;
      if (n.dynamic && n.dynamic->kind == ir::DynamicKind::Branch)
        for (const ir::Graph &b : n.dynamic->bodies)
          if (holds(b))
            return true;
    }
    return false;
  };
  if (holds(loop.dynamic->bodies.at(0)))
    return 1;
  // The graph that holds the loop (looking through branch arms).
  const ir::Graph *home = nullptr;
  std::function<void(const ir::Graph &, const ir::Graph *)> find = [&](const ir::Graph &g, const ir::Graph *top) {
    for (const ir::Node &n : g.nodes) {
      if (&n == &loop)
        home = top;
      if (n.dynamic)
        for (const ir::Graph &b : n.dynamic->bodies)
          find(b, n.dynamic->kind == ir::DynamicKind::Branch ? top : &b);
    }
  };
  for (const ir::App &a : m.apps)
    find(a.graph, &a.graph);
  // A branch whose arm holds the loop is before it, not after it.
  bool ancestor = false;
  if (target.dynamic)
    for (const ir::Graph &b : target.dynamic->bodies)
      ir::forEachNode(b, [&](const ir::Node &n) { ancestor = ancestor || &n == &loop; });
  return home && !ancestor && holds(*home) ? 2 : 0;
}

} // namespace

llvm::Expected<BehaviourModel> BehaviourModel::load(llvm::StringRef path, const ir::Module &mod, const ir::App &app) {
  return loadFor(path, mod, &app);
}

llvm::Expected<BehaviourModel> BehaviourModel::loadProgram(llvm::StringRef path, const ir::Module &mod) {
  return loadFor(path, mod, nullptr);
}

llvm::Expected<BehaviourModel> BehaviourModel::loadFor(llvm::StringRef path, const ir::Module &mod,
                                                       const ir::App *app) {
  auto doc = rt::readTOMLFile(path);
  if (!doc)
    return doc.takeError();
  const llvm::json::Object *root = doc->getAsObject();
  if (!root)
    return fail(path + ": expected a TOML document");
  BehaviourModel m = defaults(app ? llvm::StringRef(app->name) : "");
  m.source = path.str();
  auto where = [&](const llvm::Twine &what) { return (path + ": " + what).str(); };
  if (const llvm::json::Value *a = root->get("app")) {
    if (!a->getAsString())
      return fail(where("'app' must be a string (the application's name)"));
    llvm::StringRef named = *a->getAsString();
    if (app && named != app->name)
      return fail(where("describes application '" + named + "', not '" + app->name + "'"));
    if (!app && !mod.findApp(named))
      return fail(where("describes application '" + named + "', which is not in the program"));
    m.app = named.str();
  }
  if (const llvm::json::Value *d = root->get("description"); d && !d->getAsString())
    return fail(where("'description' must be a string"));
  // Node ids are checked against the whole module: a file may describe the
  // nodes of every application the module holds (sub-workflows, planner tools).
  auto checkNode = [&](const std::string &id, llvm::StringRef section, std::initializer_list<ir::NodeKind> kinds,
                       std::optional<ir::DynamicKind> dyn = std::nullopt) -> llvm::Expected<const ir::Node *> {
    const ir::Node *n = findNode(mod, id);
    if (!n)
      return fail(where("[" + section + ".\"" + id + "\"]: no node with this id in the program"));
    auto what = [&]() -> std::string {
      if (n->kind == ir::NodeKind::Regular)
        return "a tool (regular) node";
      if (n->kind == ir::NodeKind::LLM)
        return "an LLM node";
      return ("a " + ir::toString(n->dynamic->kind) + " (dynamic) node").str();
    };
    if (std::find(kinds.begin(), kinds.end(), n->kind) == kinds.end() ||
        (dyn && (!n->dynamic || n->dynamic->kind != *dyn)))
      return fail(where("[" + section + ".\"" + id + "\"]: the node is " + what() + ", which [" + section +
                        "] does not describe"));
    return n;
  };
  // Every latent a distribution reads must be declared; checked once the
  // [latent] section is known, whatever the order of sections.
  auto parse = [&](const llvm::json::Value &v, const std::string &at) -> llvm::Expected<Dist> {
    // Errors read "FILE: SECTION.\"ID\".KEY: what is wrong".
    return parseDist(v, where(at));
  };
  for (const std::string &section : sortedKeys(*root)) {
    const llvm::json::Value &v = *root->get(section);
    if (section == "app" || section == "description")
      continue;
    const llvm::json::Object *table = v.getAsObject();
    if (!table)
      return fail(where("'" + section + "' must be a table"));
    if (section == "latent") {
      m.latents.clear();
      for (const std::string &name : sortedKeys(*table)) {
        auto d = parse(*table->get(name), "latent." + name);
        if (!d)
          return d.takeError();
        m.latents.push_back({name, *d});
      }
      continue;
    }
    if (section == "defaults") {
      for (const auto &kv : *table)
        if (kv.first != "output_tokens" && kv.first != "tool_latency" && kv.first != "tool_fail_rate" &&
            kv.first != "source")
          return fail(where("[defaults]: unknown key '" + kv.first.str() +
                            "' (expected output_tokens, tool_latency, tool_fail_rate, source)"));
      if (const llvm::json::Value *x = table->get("output_tokens")) {
        auto d = parse(*x, "defaults.output_tokens");
        if (!d)
          return d.takeError();
        m.defaultLLM.outputTokens = *d;
      }
      if (const llvm::json::Value *x = table->get("tool_latency")) {
        auto d = parse(*x, "defaults.tool_latency");
        if (!d)
          return d.takeError();
        m.defaultTool.latency = *d;
      }
      if (const llvm::json::Value *f = table->get("tool_fail_rate")) {
        auto x = f->getAsNumber();
        if (!x || *x < 0 || *x >= 1)
          return fail(where("defaults.tool_fail_rate must be a number in [0, 1)"));
        m.defaultTool.failRate = *x;
      }
      continue;
    }
    static const char *kSections[] = {"llm", "tool", "branch", "loop", "plan", "list"};
    if (std::none_of(std::begin(kSections), std::end(kSections), [&](const char *k) { return section == k; }))
      return fail(where("unknown section '" + section +
                        "' (expected latent, defaults, llm, tool, branch, loop, plan, list)"));
    for (const std::string &id : sortedKeys(*table)) {
      const llvm::json::Object *spec = table->get(id)->getAsObject();
      std::string at = section + ".\"" + id + "\"";
      if (!spec)
        return fail(where(at + " must be a table"));
      auto dist = [&](llvm::StringRef key, bool required) -> llvm::Expected<std::optional<Dist>> {
        const llvm::json::Value *x = spec->get(key);
        if (!x) {
          if (required)
            return fail(where(at + ": missing '" + key + "'"));
          return std::optional<Dist>();
        }
        auto d = parse(*x, at + "." + key.str());
        if (!d)
          return d.takeError();
        return std::optional<Dist>(*d);
      };
      auto unknownKeys = [&](std::initializer_list<llvm::StringRef> allowed) -> llvm::Error {
        for (const auto &kv : *spec)
          if (std::find(allowed.begin(), allowed.end(), llvm::StringRef(kv.first)) == allowed.end())
            return fail(where(at + ": unknown key '" + kv.first.str() + "'"));
        return llvm::Error::success();
      };
      // A count (iterations, plan steps, list length) must fit its bounds.
      auto checkCount = [&](const Dist &d, llvm::StringRef what, double lo, double hi) -> llvm::Error {
        auto [a, b] = d.support();
        if (a < lo - 0.5 || b > hi + 0.5)
          return fail(where(at + "." + what + ": draws can fall outside [" + llvm::Twine(int64_t(lo)) + ", " +
                            (hi >= 1e9 ? std::string("inf") : std::to_string(int64_t(hi))) +
                            "]; set min/max or change the distribution"));
        return llvm::Error::success();
      };
#define TRY(x)                                                                                               \
  if (llvm::Error e = (x))                                                                                   \
    return e;
#define TRY_NODE(var, x)                                                                                     \
  auto var##OrErr = (x);                                                                                     \
  if (!var##OrErr)                                                                                           \
    return var##OrErr.takeError();                                                                           \
  const ir::Node *var = *var##OrErr;                                                                         \
  (void)var;
      if (section == "llm") {
        TRY_NODE(n, checkNode(id, section, {ir::NodeKind::LLM}));
        TRY(unknownKeys({"output_tokens", "prompt_tokens", "source"}));
        auto o = dist("output_tokens", true);
        if (!o) return o.takeError();
        auto p = dist("prompt_tokens", false);
        if (!p) return p.takeError();
        m.llm[id] = LLMSpec{**o, *p};
      } else if (section == "tool") {
        TRY_NODE(n, checkNode(id, section, {ir::NodeKind::Regular}));
        TRY(unknownKeys({"latency", "fail_rate", "source"}));
        auto l = dist("latency", true);
        if (!l) return l.takeError();
        ToolSpec t{**l, 0};
        if (const llvm::json::Value *f = spec->get("fail_rate")) {
          auto x = f->getAsNumber();
          if (!x || *x < 0 || *x >= 1)
            return fail(where(at + ".fail_rate must be a number in [0, 1)"));
          t.failRate = *x;
        }
        m.tool[id] = t;
      } else if (section == "branch") {
        TRY_NODE(n, checkNode(id, section, {ir::NodeKind::Dynamic}, ir::DynamicKind::Branch));
        TRY(unknownKeys({"then", "evaluate", "loop", "then_if", "source"}));
        BranchSpec b;
        int modes = spec->get("then") != nullptr;
        if (const llvm::json::Value *e = spec->get("evaluate")) {
          auto on = e->getAsBoolean();
          if (!on || !*on)
            return fail(where(at + ".evaluate must be true (leave it out to draw the arm)"));
          b.mode = BranchSpec::Mode::Evaluate;
          ++modes;
        }
        if (const llvm::json::Value *l = spec->get("loop")) {
          ++modes;
          b.mode = BranchSpec::Mode::Loop;
          auto lid = l->getAsString();
          if (!lid)
            return fail(where(at + ".loop must be the id of a loop node"));
          b.loop = lid->str();
          const ir::Node *loop = findNode(mod, b.loop);
          if (!loop || !loop->dynamic || loop->dynamic->kind != ir::DynamicKind::Loop)
            return fail(where(at + ".loop: no loop with the id '" + b.loop + "' in the program"));
          int place = placeRelativeToLoop(mod, *loop, *n);
          if (place == 0)
            return fail(where(at + ": the branch is neither in the body of loop '" + b.loop +
                              "' nor in the graph that holds it (without a loop, map or call in between)"));
          b.insideLoop = place == 1;
          auto ti = spec->getString("then_if");
          if (!ti)
            return fail(where(at + ": a branch that follows a loop needs then_if (" +
                              (b.insideLoop ? "\"continues\" or \"stops\"" : "\"finished\" or \"capped\"") + ")"));
          static const std::pair<const char *, BranchSpec::ThenIf> kThenIf[] = {
              {"continues", BranchSpec::ThenIf::Continues},
              {"stops", BranchSpec::ThenIf::Stops},
              {"finished", BranchSpec::ThenIf::Finished},
              {"capped", BranchSpec::ThenIf::Capped}};
          bool ok = false;
          for (auto [name, v] : kThenIf)
            if (*ti == name) {
              b.thenIf = v;
              ok = true;
            }
          bool inside = b.thenIf == BranchSpec::ThenIf::Continues || b.thenIf == BranchSpec::ThenIf::Stops;
          if (!ok || inside != b.insideLoop)
            return fail(where(at + ".then_if: '" + *ti + "' does not apply to a branch " +
                              (b.insideLoop ? "inside the loop (use \"continues\" or \"stops\")"
                                            : "after the loop (use \"finished\" or \"capped\")")));
        } else if (spec->get("then_if")) {
          return fail(where(at + ": then_if needs loop = \"LOOP_ID\""));
        }
        if (modes != 1)
          return fail(where(at + ": give exactly one of then (a bernoulli), evaluate = true, or loop + then_if"));
        if (b.mode == BranchSpec::Mode::Coin) {
          auto t = dist("then", true);
          if (!t) return t.takeError();
          b.then = **t;
          // A plain number is P(then), not a fixed draw (0.3 would never reach 0.5).
          if (spec->get("then")->getAsNumber()) {
            b.then.family = Dist::Family::Bernoulli;
            b.then.p = b.then.value;
            if (b.then.p < 0 || b.then.p > 1)
              return fail(where(at + ".then: a number is P(then arm) and must be in [0, 1]"));
          }
          TRY(checkCount(b.then, "then", 0, 1));
        }
        m.branch[id] = b;
      } else if (section == "loop") {
        TRY_NODE(n, checkNode(id, section, {ir::NodeKind::Dynamic}, ir::DynamicKind::Loop));
        TRY(unknownKeys({"iterations", "source"}));
        auto t = dist("iterations", true);
        if (!t) return t.takeError();
        TRY(checkCount(**t, "iterations", 1, std::max(1u, n->dynamic->maxExpansion)));
        m.loopIterations[id] = **t;
      } else if (section == "list") {
        TRY_NODE(n, checkNode(id, section, {ir::NodeKind::Regular, ir::NodeKind::LLM}));
        TRY(unknownKeys({"length", "source"}));
        if (n->resultType.kind != ir::Type::Kind::List)
          return fail(where(at + ": the node's output is " + n->resultType.str() + ", not a list"));
        // An entry that could change nothing is a mistake, not a no-op: the
        // length only matters to a map fanning out over the node, and a
        // builtin's output is real even in the simulated backend.
        bool mapSource = false;
        for (const ir::App &a : mod.apps)
          ir::forEachNode(a.graph, [&](const ir::Node &x) {
            if (x.dynamic && x.dynamic->kind == ir::DynamicKind::Map &&
                llvm::is_contained(x.dynamic->resolvedBy, id))
              mapSource = true;
          });
        if (!mapSource)
          return fail(where(at + ": no map fans out over this node's output, so its length would change "
                                 "nothing ([list] describes the list a map iterates)"));
        if (const ir::ToolDef *td = n->tool ? mod.findTool(n->tool->tool) : nullptr;
            td && td->impl == ir::ToolDef::Impl::Builtin && exec::isSyncBuiltin(td->builtin))
          return fail(where(at + ": the node runs the builtin '" + td->builtin +
                            "', which really runs in the simulated backend: its list follows its inputs"));
        auto t = dist("length", true);
        if (!t) return t.takeError();
        TRY(checkCount(**t, "length", 0, 1e300));
        m.listLength[id] = **t;
      } else if (section == "plan") {
        TRY_NODE(n, checkNode(id, section, {ir::NodeKind::Dynamic}));
        TRY(unknownKeys({"steps", "tools", "shape", "tokens_per_step", "source"}));
        if (!n->dynamic || n->dynamic->kind != ir::DynamicKind::Planner)
          return fail(where(at + ": not a planner's steps node (ids look like \"app/NAME.steps\")"));
        auto s = dist("steps", true);
        if (!s) return s.takeError();
        PlanSpec p;
        p.steps = **s;
        TRY(checkCount(p.steps, "steps", 1, std::max(1u, n->dynamic->maxExpansion)));
        if (const llvm::json::Value *tv = spec->get("tools")) {
          const llvm::json::Object *tw = tv->getAsObject();
          if (!tw)
            return fail(where(at + ".tools must be a table of tool name = weight"));
          double sum = 0;
          for (const std::string &t : sortedKeys(*tw)) {
            auto w = tw->get(t)->getAsNumber();
            const auto &allowed = n->dynamic->allowedTools;
            if (!w || *w < 0 || std::find(allowed.begin(), allowed.end(), t) == allowed.end())
              return fail(where(at + ".tools." + t + ": expected an allowed tool of the planner with a weight >= 0"));
            p.toolWeights[t] = *w;
            sum += *w;
          }
          if (sum <= 0)
            return fail(where(at + ".tools: the weights must add up to more than 0"));
        }
        if (const llvm::json::Value *sv = spec->get("shape")) {
          const llvm::json::Object *sh = sv->getAsObject();
          if (!sh)
            return fail(where(at + ".shape must be a table like { parallel = 0.5, chain = 0.3, dag = 0.2 }"));
          for (const auto &kv : *sh) {
            auto w = kv.second.getAsNumber();
            if (kv.first != "parallel" && kv.first != "chain" && kv.first != "dag")
              return fail(where(at + ".shape: unknown key '" + kv.first.str() + "' (expected parallel, chain, dag)"));
            if (!w || *w < 0)
              return fail(where(at + ".shape." + kv.first.str() + " must be a number >= 0"));
          }
          p.parallel = sh->getNumber("parallel").getValueOr(0);
          p.chain = sh->getNumber("chain").getValueOr(0);
          p.dag = sh->getNumber("dag").getValueOr(0);
          if (p.parallel + p.chain + p.dag <= 0)
            return fail(where(at + ".shape: weights of parallel, chain and dag must add up to more than 0"));
        }
        if (const llvm::json::Value *tv = spec->get("tokens_per_step")) {
          auto t = tv->getAsNumber();
          if (!t || *t < 0)
            return fail(where(at + ".tokens_per_step must be a number >= 0"));
          p.tokensPerStep = *t;
        }
        m.plan[id] = p;
      }
#undef TRY
#undef TRY_NODE
    }
  }
  // Latents named by shift/shared must exist (a typo would silently read 0).
  auto checkLatents = [&](const Dist &d, const std::string &at) -> llvm::Error {
    for (const std::string &name : d.latentsUsed())
      if (std::none_of(m.latents.begin(), m.latents.end(), [&](const auto &l) { return l.first == name; }))
        return fail(where(at + ": unknown latent '" + name + "' (declare it in [latent])"));
    return llvm::Error::success();
  };
  std::vector<std::pair<const Dist *, std::string>> all;
  for (const auto &[name, d] : m.latents)
    all.push_back({&d, "latent." + name});
  // The built-in defaults read `verbosity`, which a file need not declare
  // (an undeclared latent reads 0); only what the file sets is checked.
  if (root->getObject("defaults") && root->getObject("defaults")->get("output_tokens"))
    all.push_back({&m.defaultLLM.outputTokens, "defaults.output_tokens"});
  if (root->getObject("defaults") && root->getObject("defaults")->get("tool_latency"))
    all.push_back({&m.defaultTool.latency, "defaults.tool_latency"});
  for (const auto &[id, s] : m.llm) {
    all.push_back({&s.outputTokens, "llm.\"" + id + "\".output_tokens"});
    if (s.promptTokens)
      all.push_back({&*s.promptTokens, "llm.\"" + id + "\".prompt_tokens"});
  }
  for (const auto &[id, s] : m.tool)
    all.push_back({&s.latency, "tool.\"" + id + "\".latency"});
  for (const auto &[id, s] : m.branch)
    if (s.mode == BranchSpec::Mode::Coin)
      all.push_back({&s.then, "branch.\"" + id + "\".then"});
  for (const auto &[id, d] : m.loopIterations)
    all.push_back({&d, "loop.\"" + id + "\".iterations"});
  for (const auto &[id, s] : m.plan)
    all.push_back({&s.steps, "plan.\"" + id + "\".steps"});
  for (const auto &[id, d] : m.listLength)
    all.push_back({&d, "list.\"" + id + "\".length"});
  for (const auto &[d, at] : all)
    if (llvm::Error e = checkLatents(*d, at))
      return e;
  // A latent may read latents drawn before it (alphabetical order) only.
  for (size_t i = 0; i < m.latents.size(); ++i)
    for (const std::string &name : m.latents[i].second.latentsUsed())
      for (size_t j = i; j < m.latents.size(); ++j)
        if (m.latents[j].first == name)
          return fail(where("latent." + m.latents[i].first + ": reads latent '" + name +
                            "', which is drawn later (latents are drawn in alphabetical order)"));
  return m;
}

JobBehaviour::JobBehaviour(const BehaviourModel &model, const ir::Module &m, uint64_t seed, uint64_t job)
    : model(model), module(m), seed(seed), job(job) {
  for (const auto &[name, d] : model.latents)
    factors[name] = d.sample(key("latent:" + name), factors);
}

unsigned JobBehaviour::outputTokens(const std::string &nodeId, const std::string &instance) {
  auto it = model.llm.find(nodeId);
  const Dist &d = it == model.llm.end() ? model.defaultLLM.outputTokens : it->second.outputTokens;
  uint64_t k = key("out:" + instance);
  double eps = standardNormal(k);
  if (d.rho > 0) {
    // A regenerated artifact (code across fix rounds): the noise continues
    // the chain's previous draw in this job, eps = rho * prev + sqrt(1 - rho^2) * z.
    // The chain is the node itself unless `chain` names one several nodes
    // share (the first program and its rewrites). An instance keeps its
    // noise once drawn, so asking again gives the same answer.
    auto drawn = drawnEps.find(instance);
    if (drawn != drawnEps.end()) {
      eps = drawn->second;
    } else {
      const std::string &chain = d.chain.empty() ? nodeId : d.chain;
      auto prev = lastEps.find(chain);
      if (prev != lastEps.end())
        eps = d.rho * prev->second + std::sqrt(1 - d.rho * d.rho) * eps;
      lastEps[chain] = eps;
      drawnEps[instance] = eps;
    }
  }
  return unsigned(std::max(1.0, std::round(d.sample(k, factors, eps))));
}

unsigned JobBehaviour::promptTokens(const std::string &nodeId, const std::string &instance,
                                    llvm::ArrayRef<llvm::StringRef> prompt) {
  auto it = model.llm.find(nodeId);
  if (it != model.llm.end() && it->second.promptTokens)
    return unsigned(std::max(1.0, it->second.promptTokens->sample(key("in:" + instance), factors)));
  return promptTokensOf(prompt);
}

double JobBehaviour::toolLatency(const std::string &nodeId, const std::string &instance, unsigned attempt) {
  auto it = model.tool.find(nodeId);
  const Dist &d = it == model.tool.end() ? model.defaultTool.latency : it->second.latency;
  return std::max(0.0, d.sample(key("lat:" + instance + "/" + std::to_string(attempt)), factors));
}

bool JobBehaviour::toolFails(const std::string &nodeId, const std::string &instance, unsigned attempt) {
  auto it = model.tool.find(nodeId);
  double rate = it == model.tool.end() ? model.defaultTool.failRate : it->second.failRate;
  return rate > 0 && uniform01(key("fail:" + instance + "/" + std::to_string(attempt))) < rate;
}

llvm::json::Value JobBehaviour::synthesize(const ir::Type &t, const std::string &nodeId, const std::string &instance,
                                           unsigned words) {
  auto keyOf = [this](llvm::StringRef what) { return key(what); };
  auto length = [this](const std::string &id, const std::string &inst, uint64_t k) {
    auto it = model.listLength.find(id);
    return it != model.listLength.end()
               ? unsigned(std::max(0.0, std::round(it->second.sample(key("len:" + inst), factors))))
               : unsigned(1 + k % 3);
  };
  return synthesizeValue(module, t, nodeId, instance, words, keyOf, length);
}

double JobBehaviour::tokensPerStep(const std::string &stepsId) const {
  auto it = model.plan.find(stepsId);
  return it == model.plan.end() ? BehaviourModel::kDefaultTokensPerStep : it->second.tokensPerStep;
}

llvm::json::Value JobBehaviour::makePlan(const ir::Node &steps, const std::string &instance, unsigned *count) {
  const ir::DynamicPayload &d = *steps.dynamic;
  auto it = model.plan.find(steps.id);
  PlanSpec spec;
  if (it != model.plan.end()) {
    spec = it->second;
  } else {
    spec.steps.family = Dist::Family::Uniform;
    spec.steps.lo = 1;
    spec.steps.hi = std::min(BehaviourModel::kDefaultPlanMaxSteps, double(std::max(1u, d.maxExpansion)));
  }
  unsigned k = unsigned(std::clamp(std::round(spec.steps.sample(key("plan:" + instance), factors)), 1.0,
                                   double(std::max(1u, d.maxExpansion))));
  *count = k;
  double total = spec.parallel + spec.chain + spec.dag;
  double u = uniform01(key("shape:" + instance)) * total;
  enum { Parallel, Chain, Dag } shape = u < spec.parallel ? Parallel : (u < spec.parallel + spec.chain ? Chain : Dag);
  std::vector<double> weights;
  double wsum = 0;
  for (const std::string &t : d.allowedTools) {
    auto w = spec.toolWeights.find(t);
    weights.push_back(w == spec.toolWeights.end() ? (spec.toolWeights.empty() ? 1.0 : 0.0) : w->second);
    wsum += weights.back();
  }
  llvm::json::Array out;
  for (unsigned s = 1; s <= k; ++s) {
    std::string si = instance + "/step" + std::to_string(s);
    double pick = uniform01(key("tool:" + si)) * wsum;
    size_t ti = 0;
    for (; ti + 1 < weights.size() && pick >= weights[ti]; ++ti)
      pick -= weights[ti];
    std::vector<unsigned> after;
    if (shape == Chain && s > 1)
      after.push_back(s - 1);
    if (shape == Dag && s > 1)
      for (unsigned e = 1; e < s; ++e)
        if (uniform01(key("edge:" + si + ":" + std::to_string(e))) < 0.4)
          after.push_back(e);
    auto synth = [this](const ir::Type &t, const std::string &id, const std::string &inst, unsigned w) {
      return synthesize(t, id, inst, w);
    };
    out.push_back(planStep(module, steps, s, d.allowedTools[ti], si, std::move(after), synth));
  }
  return llvm::json::Object{{"steps", std::move(out)}};
}

std::optional<unsigned> JobBehaviour::branchArm(const ir::Node &branch, llvm::StringRef instance) {
  auto it = model.branch.find(branch.id);
  std::string k = ("branch:" + instance).str();
  if (it == model.branch.end())
    return uniform01(key(k)) < BehaviourModel::kDefaultBranchThen ? 0u : 1u;
  const BranchSpec &b = it->second;
  switch (b.mode) {
  case BranchSpec::Mode::Evaluate: return std::nullopt;
  case BranchSpec::Mode::Coin: return b.then.sample(key(k), factors) >= 0.5 ? 0u : 1u;
  case BranchSpec::Mode::Loop: break;
  }
  // Follow the loop's drawn iteration count. Instance names are the node id
  // plus the frame path; a loop iteration's frame adds "#i" to the loop's.
  const ir::Node *&loop = nodeCache[b.loop];
  if (!loop)
    loop = findNode(module, b.loop);
  llvm::StringRef path = instance;
  if (!path.consume_front(branch.id) || !loop || !loop->dynamic)
    return std::nullopt;
  unsigned iteration = 0;
  if (b.insideLoop) {
    size_t hash = path.rfind('#');
    if (hash == llvm::StringRef::npos || path.substr(hash + 1).getAsInteger(10, iteration))
      return std::nullopt;
    path = path.substr(0, hash);
  }
  unsigned n = loopIterations(*loop, (b.loop + path).str());
  bool capped = n >= std::max(1u, loop->dynamic->maxExpansion);
  bool then = false;
  switch (b.thenIf) {
  case BranchSpec::ThenIf::Continues: then = iteration < n || capped; break;
  case BranchSpec::ThenIf::Stops: then = !(iteration < n || capped); break;
  case BranchSpec::ThenIf::Finished: then = !capped; break;
  case BranchSpec::ThenIf::Capped: then = capped; break;
  }
  return then ? 0u : 1u;
}

unsigned JobBehaviour::loopIterations(const ir::Node &loop, llvm::StringRef instance) {
  auto found = loopTarget.find(instance);
  if (found != loopTarget.end())
    return found->second;
  unsigned max = std::max(1u, loop.dynamic->maxExpansion);
  auto it = model.loopIterations.find(loop.id);
  double n;
  if (it != model.loopIterations.end()) {
    n = it->second.sample(key(("loop:" + instance).str()), factors);
  } else {
    // Default: geometric, stopping after each iteration with probability 1/2.
    n = 1;
    uint64_t k = key(("loop:" + instance).str());
    while (n < max && uniform01(k = mixKey(k, 1, "next")) > 1 - BehaviourModel::kDefaultLoopStop)
      n += 1;
  }
  unsigned target = unsigned(std::clamp(std::round(n), 1.0, double(max)));
  loopTarget[instance] = target;
  return target;
}

std::optional<bool> JobBehaviour::loopStops(const ir::Node &loop, llvm::StringRef instance, unsigned iteration) {
  return iteration >= loopIterations(loop, instance);
}

} // namespace llmflow::behave
