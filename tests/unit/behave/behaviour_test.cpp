// Behaviour models: the six examples' behaviour.toml files load against
// their compiled programs, bad files are rejected with errors that name the
// problem, and the simulated draws have the shapes and correlations the
// files promise (docs/behaviour.md). Every draw is keyed, so these tests
// are deterministic.

#include "behave/behaviour.h"
#include "core/toml_json.h"
#include "driver/driver.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

using namespace llmflow;
using behave::BehaviourModel;
using behave::Dist;
using behave::JobBehaviour;
using behave::Latents;

namespace {

struct Example {
  support::CollectingDiagnosticConsumer diags;
  std::unique_ptr<driver::Session> session;
  std::optional<ir::Module> module;
  const ir::App *app = nullptr;
  std::string dir;
};

/// Compiles examples/NAME/app.llmflow with the real driver and stdlib (once per process).
const Example &example(const std::string &name) {
  static std::map<std::string, std::unique_ptr<Example>> cache;
  auto &slot = cache[name];
  if (slot)
    return *slot;
  slot = std::make_unique<Example>();
  Example &e = *slot;
  e.dir = std::string(LLMFLOW_SOURCE_DIR) + "/examples/" + name;
  driver::Options opts;
  opts.stdlibDir = LLMFLOW_SOURCE_DIR "/stdlib";
  e.session = std::make_unique<driver::Session>(e.diags, opts);
  REQUIRE_MESSAGE(e.session->load(e.dir + "/app.llmflow"), name);
  REQUIRE_MESSAGE(e.session->check(), name);
  auto m = e.session->lower();
  REQUIRE_MESSAGE(bool(m), (m ? std::string() : llvm::toString(m.takeError())));
  e.module = std::move(*m);
  e.app = e.module->findApp(name);
  REQUIRE_MESSAGE(e.app, name);
  return e;
}

BehaviourModel model(const std::string &name) {
  const Example &e = example(name);
  auto m = BehaviourModel::load(e.dir + "/behaviour.toml", *e.module, *e.app);
  REQUIRE_MESSAGE(bool(m), (m ? std::string() : llvm::toString(m.takeError())));
  return std::move(*m);
}

const ir::Node &node(const ir::Module &m, llvm::StringRef id) {
  const ir::Node *found = nullptr;
  for (const ir::App &a : m.apps)
    ir::forEachNode(a.graph, [&](const ir::Node &n) {
      if (n.id == id)
        found = &n;
    });
  REQUIRE_MESSAGE(found, id.str());
  return *found;
}

std::string writeTemp(const std::string &text) {
  llvm::SmallString<128> path;
  int fd = -1;
  REQUIRE(!llvm::sys::fs::createTemporaryFile("behaviour", "toml", fd, path));
  llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
  os << text;
  return std::string(path);
}

/// Loads TOML text against the codegen program; returns the error text ("" when it loads).
std::string loadError(const std::string &text, const std::string &app = "codegen") {
  const Example &e = example(app);
  std::string path = writeTemp(text);
  auto m = BehaviourModel::load(path, *e.module, *e.app);
  llvm::sys::fs::remove(path);
  return m ? std::string() : llvm::toString(m.takeError());
}

double pearson(const std::vector<double> &x, const std::vector<double> &y) {
  REQUIRE(x.size() == y.size());
  double n = double(x.size());
  double mx = std::accumulate(x.begin(), x.end(), 0.0) / n, my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

std::vector<double> ranks(const std::vector<double> &x) {
  std::vector<size_t> idx(x.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
  std::vector<double> r(x.size());
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j < idx.size() && x[idx[j]] == x[idx[i]])
      ++j;
    for (size_t k = i; k < j; ++k)
      r[idx[k]] = (double(i) + double(j - 1)) / 2; // ties share their mean rank
    i = j;
  }
  return r;
}

double spearman(const std::vector<double> &x, const std::vector<double> &y) { return pearson(ranks(x), ranks(y)); }

const char *const kExamples[] = {"codegen", "hugginggpt", "llmcompiler", "rag", "react", "mapreduce"};
constexpr uint64_t kSeed = 20250401;
constexpr int kJobs = 2000;

} // namespace

// --- loading -------------------------------------------------------------------------------------

TEST_CASE("every example's behaviour.toml loads and describes every stage") {
  for (const char *name : kExamples) {
    CAPTURE(name);
    BehaviourModel m = model(name);
    CHECK(m.app == name);
    CHECK(m.latents.size() >= 2);
    const Example &e = example(name);
    // Every LLM, tool, branch, loop and planner node of the module has an
    // entry; nothing falls back to the built-in defaults.
    for (const ir::App &a : e.module->apps)
      ir::forEachNode(a.graph, [&](const ir::Node &n) {
        CAPTURE(n.id);
        if (n.kind == ir::NodeKind::LLM)
          CHECK(m.llm.count(n.id) == 1);
        else if (n.kind == ir::NodeKind::Regular)
          CHECK(m.tool.count(n.id) == 1);
        else if (n.dynamic->kind == ir::DynamicKind::Branch)
          CHECK(m.branch.count(n.id) == 1);
        else if (n.dynamic->kind == ir::DynamicKind::Loop)
          CHECK(m.loopIterations.count(n.id) == 1);
        else if (n.dynamic->kind == ir::DynamicKind::Planner)
          CHECK(m.plan.count(n.id) == 1);
      });
  }
  // Maps fan out over a simulated list only where a [list] entry sizes it.
  CHECK(model("rag").listLength.count("rag/context/hits") == 1);
  CHECK(model("mapreduce").listLength.count("mapreduce/condensed/groups") == 1);
}

TEST_CASE("every entry of the example files cites a source") {
  for (const char *name : kExamples) {
    CAPTURE(name);
    auto doc = rt::readTOMLFile(example(name).dir + "/behaviour.toml");
    REQUIRE(bool(doc));
    const llvm::json::Object &root = *doc->getAsObject();
    for (const auto &section : root) {
      const llvm::json::Object *t = section.second.getAsObject();
      if (!t)
        continue;
      auto cited = [](const llvm::json::Object &o) {
        auto s = o.getString("source");
        return s && s->size() > 10;
      };
      for (const auto &entry : *t) {
        std::string at = section.first.str() + "." + entry.first.str();
        CAPTURE(at);
        const llvm::json::Object *o = entry.second.getAsObject();
        REQUIRE(o);
        if (section.first == "latent") {
          CHECK(cited(*o));
          continue;
        }
        // Each distribution cites its own source; other values (fail rates,
        // plan tools and shapes, loop ties) are covered by the entry's source.
        bool hasOther = false;
        for (const auto &kv : *o) {
          if (const llvm::json::Object *d = kv.second.getAsObject(); d && d->get("dist"))
            CHECK_MESSAGE(cited(*d), kv.first.str());
          else if (kv.first != "source")
            hasOther = true;
        }
        if (hasOther)
          CHECK(cited(*o));
      }
    }
  }
}

TEST_CASE("a program's behaviour model serves every application of it (a service of all of them)") {
  const Example &e = example("codegen");
  auto whole = BehaviourModel::loadProgram(e.dir + "/behaviour.toml", *e.module);
  REQUIRE_MESSAGE(bool(whole), (whole ? std::string() : llvm::toString(whole.takeError())));
  CHECK(whole->app == "codegen"); // the file names it; fix_round's nodes are described in it too
  CHECK(whole->llm.size() == model("codegen").llm.size());
  std::string path = writeTemp("app = \"react\"\n");
  auto other = BehaviourModel::loadProgram(path, *e.module);
  llvm::sys::fs::remove(path);
  REQUIRE(!other);
  CHECK(llvm::toString(other.takeError()).find("describes application 'react', which is not in the program") !=
        std::string::npos);
}

TEST_CASE("load errors name the problem") {
  const std::string latent = "[latent]\ndifficulty = { dist = \"normal\", mean = 0, sigma = 1 }\n";
  SUBCASE("the file is fine") {
    CHECK(loadError(latent + "[llm.\"codegen/gen\"]\noutput_tokens = { dist = \"lognormal\", median = 80, sigma = "
                             "0.6, shift = { difficulty = 0.3 } }\n") == "");
  }
  SUBCASE("unknown node id") {
    std::string err = loadError("[llm.\"codegen/nope\"]\noutput_tokens = 10\n");
    CHECK(err.find("codegen/nope") != std::string::npos);
    CHECK(err.find("no node with this id") != std::string::npos);
  }
  SUBCASE("wrong node kind: a tool described as an LLM") {
    std::string err = loadError("[llm.\"codegen/lint\"]\noutput_tokens = 10\n");
    CHECK(err.find("codegen/lint") != std::string::npos);
    CHECK(err.find("the node is a tool (regular) node, which [llm] does not describe") != std::string::npos);
  }
  SUBCASE("wrong node kind: a branch described as a loop") {
    std::string err = loadError("[loop.\"codegen/result\"]\niterations = 2\n");
    CHECK(err.find("codegen/result") != std::string::npos);
    CHECK(err.find("the node is a branch (dynamic) node, which [loop] does not describe") != std::string::npos);
  }
  SUBCASE("unknown key in an entry") {
    std::string err = loadError("[llm.\"codegen/gen\"]\noutput_tokens = 10\noutput_tokenz = 3\n");
    CHECK(err.find("unknown key 'output_tokenz'") != std::string::npos);
  }
  SUBCASE("unknown key in a distribution") {
    std::string err =
        loadError("[llm.\"codegen/gen\"]\noutput_tokens = { dist = \"lognormal\", median = 80, sigma = 0.6, sigm = 1 }\n");
    CHECK(err.find("unknown key 'sigm'") != std::string::npos);
    CHECK(err.find("codegen/gen") != std::string::npos);
  }
  SUBCASE("a key of another family") {
    std::string err = loadError("[branch.\"codegen/result\"]\nthen = { dist = \"bernoulli\", p = 0.3, median = 2 }\n");
    CHECK(err.find("unknown key 'median' for a bernoulli") != std::string::npos);
  }
  SUBCASE("unknown key in [defaults]") {
    std::string err = loadError("[defaults]\noutput_tokenz = 10\n");
    CHECK(err.find("unknown key 'output_tokenz'") != std::string::npos);
  }
  SUBCASE("bad distributions") {
    auto gen = [&](const std::string &dist) {
      return loadError(latent + "[llm.\"codegen/gen\"]\noutput_tokens = " + dist + "\n");
    };
    CHECK(gen("{ dist = \"gamma\", shape = 2 }").find("unknown dist 'gamma'") != std::string::npos);
    CHECK(gen("{ dist = \"lognormal\", median = 80 }").find("missing 'sigma'") != std::string::npos);
    CHECK(gen("{ dist = \"lognormal\", median = -3, sigma = 1 }").find("'median' must be > 0") != std::string::npos);
    CHECK(gen("{ dist = \"lognormal\", median = 80, sigma = \"wide\" }").find("'sigma' must be a number") !=
          std::string::npos);
    CHECK(gen("{ dist = \"lognormal\", median = 80, sigma = 0.5, rho = 1.5 }").find("'rho' must be in [0, 1)") !=
          std::string::npos);
    CHECK(gen("{ dist = \"lognormal\", median = 80, sigma = 0.5, min = 9, max = 3 }").find("'min' must be <= 'max'") !=
          std::string::npos);
    CHECK(gen("{ dist = \"lognormal\", median = 80, sigma = 0.5, shared = { difficulty = 0.9, verbosity = 0.9 } }")
              .find("add up to more than 1") != std::string::npos);
    CHECK(gen("{ dist = \"categorical\", values = [1, 2], weights = [1] }").find("same, non-zero length") !=
          std::string::npos);
    CHECK(gen("\"eighty\"").find("expected a number or a table") != std::string::npos);
  }
  SUBCASE("a shift on an undeclared latent") {
    std::string err = loadError(latent + "[llm.\"codegen/gen\"]\noutput_tokens = { dist = \"lognormal\", median = 80, "
                                         "sigma = 0.6, shift = { dificulty = 0.3 } }\n");
    CHECK(err.find("unknown latent 'dificulty'") != std::string::npos);
  }
  SUBCASE("counts outside the node's bounds") {
    std::string err = loadError("[loop.\"codegen/result/fixes\"]\niterations = { dist = \"categorical\", values = [1, "
                                "9], weights = [1, 1] }\n");
    CHECK(err.find("outside [1, 5]") != std::string::npos);
  }
  SUBCASE("unknown section, wrong application") {
    CHECK(loadError("[lm.\"codegen/gen\"]\noutput_tokens = 1\n").find("unknown section 'lm'") != std::string::npos);
    CHECK(loadError("app = \"react\"\n").find("describes application 'react'") != std::string::npos);
  }
  SUBCASE("branch modes") {
    CHECK(loadError("[branch.\"codegen/result\"]\nsource = \"x\"\n").find("exactly one of") != std::string::npos);
    CHECK(loadError("[branch.\"codegen/result\"]\nevaluate = true\nthen = 0.5\n").find("exactly one of") !=
          std::string::npos);
    CHECK(loadError("[branch.\"codegen/result\"]\nloop = \"codegen/result/fixes\"\nthen_if = \"finished\"\n")
              .find("neither in the body") != std::string::npos);
    CHECK(loadError("[branch.\"react/answer\"]\nloop = \"react/steps\"\nthen_if = \"continues\"\n", "react")
              .find("after the loop") != std::string::npos);
    CHECK(loadError("[branch.\"react/answer\"]\nloop = \"react/steps\"\nthen_if = \"finished\"\n", "react") == "");
    CHECK(loadError("[branch.\"codegen/result\"]\nthen = 1.5\n").find("P(then arm)") != std::string::npos);
  }
  SUBCASE("plan entries") {
    std::string base = "[plan.\"llmcompiler/plan.steps\"]\nsteps = 3\n";
    CHECK(loadError(base, "llmcompiler") == "");
    CHECK(loadError(base + "tools = { serach = 1 }\n", "llmcompiler").find("tools.serach") != std::string::npos);
    CHECK(loadError(base + "shape = { paralel = 1 }\n", "llmcompiler").find("unknown key 'paralel'") !=
          std::string::npos);
    CHECK(loadError("[plan.\"llmcompiler/join\"]\nsteps = 3\n", "llmcompiler").find("the node is an LLM node") !=
          std::string::npos);
  }
  SUBCASE("list entries that could change nothing are errors") {
    CHECK(loadError("[list.\"rag/context/hits\"]\nlength = 3\n", "rag") == "");
    CHECK(loadError("[list.\"rag/candidates\"]\nlength = 5\n", "rag").find("no map fans out over this node") !=
          std::string::npos);
    CHECK(loadError("[list.\"mapreduce/chunks\"]\nlength = 5\n", "mapreduce").find("builtin 'text.chunk'") !=
          std::string::npos);
    CHECK(loadError("[list.\"rag/grade\"]\nlength = 5\n", "rag").find("not a list") != std::string::npos);
  }
  SUBCASE("a missing file") {
    const Example &e = example("codegen");
    auto m = BehaviourModel::load("/nonexistent/behaviour.toml", *e.module, *e.app);
    REQUIRE(!m);
    CHECK(llvm::toString(m.takeError()).find("cannot read") != std::string::npos);
  }
}

// --- Dist::sample ----------------------------------------------------------------------------------

namespace {
Dist parseD(const std::string &toml) {
  auto v = rt::parseTOML("d = " + toml, "test");
  REQUIRE(bool(v));
  auto d = behave::parseDist(*v->getAsObject()->get("d"), "d");
  REQUIRE_MESSAGE(bool(d), (d ? std::string() : llvm::toString(d.takeError())));
  return *d;
}

std::vector<double> draws(const Dist &d, const Latents &l, int n = 4000, uint64_t salt = 0) {
  std::vector<double> out;
  for (int i = 0; i < n; ++i)
    out.push_back(d.sample(behave::mixKey(kSeed, uint64_t(i), "test" + std::to_string(salt)), l));
  return out;
}

double median(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  return x[x.size() / 2];
}

double share(const std::vector<double> &x, double v) {
  return double(std::count(x.begin(), x.end(), v)) / double(x.size());
}
} // namespace

TEST_CASE("Dist::sample: lognormal median, sigma and shift") {
  Dist d = parseD("{ dist = \"lognormal\", median = 80, sigma = 0.6 }");
  std::vector<double> x = draws(d, {});
  CHECK(median(x) == doctest::Approx(80).epsilon(0.05));
  std::vector<double> logs;
  for (double v : x)
    logs.push_back(std::log(v));
  double m = std::accumulate(logs.begin(), logs.end(), 0.0) / double(logs.size()), var = 0;
  for (double v : logs)
    var += (v - m) * (v - m);
  CHECK(std::sqrt(var / double(logs.size())) == doctest::Approx(0.6).epsilon(0.05));
  // A shift of 0.3 * d moves the log-median by 0.3 per unit of d.
  Dist s = parseD("{ dist = \"lognormal\", median = 80, sigma = 0.6, shift = { difficulty = 0.3 }, max = 1000 }");
  Latents hard;
  hard["difficulty"] = 2;
  CHECK(median(draws(s, hard)) == doctest::Approx(80 * std::exp(0.6)).epsilon(0.05));
  CHECK(*std::max_element(x.begin(), x.end()) > 300); // the tail is there ...
  for (double v : draws(s, hard))
    CHECK(v <= 1000); // ... and max clamps it
  // mean() agrees with the sample mean, given the latents.
  Dist sh = parseD("{ dist = \"lognormal\", median = 80, sigma = 0.6, shared = { verbosity = 0.5 } }");
  Latents verbose;
  verbose["verbosity"] = 1;
  std::vector<double> y = draws(sh, verbose, 8000);
  CHECK(std::accumulate(y.begin(), y.end(), 0.0) / double(y.size()) == doctest::Approx(sh.mean(verbose)).epsilon(0.04));
}

TEST_CASE("Dist::sample: shared noise") {
  // A weight of 1 leaves no own noise: the draw is fixed by the latent.
  Dist all = parseD("{ dist = \"lognormal\", median = 100, sigma = 0.5, shared = { verbosity = 1.0 } }");
  Latents l;
  l["verbosity"] = 1;
  for (double v : draws(all, l, 50))
    CHECK(v == doctest::Approx(100 * std::exp(0.5)));
  // A weight of 0.5: the median moves by sigma * 0.5 * v, the log-sd shrinks to sigma * sqrt(0.75).
  Dist half = parseD("{ dist = \"normal\", mean = 0, sigma = 2, shared = { verbosity = 0.5 } }");
  std::vector<double> x = draws(half, l);
  double m = std::accumulate(x.begin(), x.end(), 0.0) / double(x.size()), var = 0;
  for (double v : x)
    var += (v - m) * (v - m);
  CHECK(m == doctest::Approx(1.0).epsilon(0.08));
  CHECK(std::sqrt(var / double(x.size())) == doctest::Approx(2 * std::sqrt(0.75)).epsilon(0.05));
}

TEST_CASE("Dist::sample: bernoulli rate and its shift") {
  Dist d = parseD("{ dist = \"bernoulli\", p = 0.3, shift = { difficulty = 1.0 } }");
  Latents easy, mid, hard;
  easy["difficulty"] = -1;
  mid["difficulty"] = 0;
  hard["difficulty"] = 1;
  auto rate = [&](const Latents &l) {
    std::vector<double> x = draws(d, l);
    return std::accumulate(x.begin(), x.end(), 0.0) / double(x.size());
  };
  double re = rate(easy), rm = rate(mid), rh = rate(hard);
  CHECK(rm == doctest::Approx(0.3).epsilon(0.07));
  CHECK(rh == doctest::Approx(1 / (1 + std::exp(-(std::log(0.3 / 0.7) + 1)))).epsilon(0.07));
  CHECK(re < rm - 0.1);
  CHECK(rh > rm + 0.1);
}

TEST_CASE("Dist::sample: bimodal masses") {
  Dist d = parseD("{ dist = \"bimodal\", lo = 1, hi = 5, p_low = 0.2, p_high = 0.5, geometric = 0.5 }");
  std::vector<double> x = draws(d, {});
  CHECK(share(x, 1) == doctest::Approx(0.2).epsilon(0.1));
  CHECK(share(x, 5) == doctest::Approx(0.5).epsilon(0.06));
  // The middle (0.3) is a truncated geometric over 2..4: 1/2, 1/4, 1/4.
  CHECK(share(x, 2) == doctest::Approx(0.15).epsilon(0.15));
  CHECK(share(x, 3) == doctest::Approx(0.075).epsilon(0.2));
  CHECK(share(x, 4) == doctest::Approx(0.075).epsilon(0.2));
  for (double v : x)
    CHECK((v >= 1 && v <= 5 && v == std::round(v)));
  // A positive shift moves mass from lo to hi.
  Dist s = parseD("{ dist = \"bimodal\", lo = 1, hi = 5, p_low = 0.2, p_high = 0.5, shift = { difficulty = 1 } }");
  Latents hard;
  hard["difficulty"] = 1;
  std::vector<double> y = draws(s, hard);
  CHECK(share(y, 5) > share(x, 5) + 0.1);
  CHECK(share(y, 1) < share(x, 1) - 0.05);
}

TEST_CASE("Dist::sample: categorical weights and tilt") {
  Dist d = parseD("{ dist = \"categorical\", values = [2, 3, 4], weights = [0.2, 0.5, 0.3], shift = { difficulty = 1 } }");
  std::vector<double> x = draws(d, {});
  CHECK(share(x, 2) == doctest::Approx(0.2).epsilon(0.1));
  CHECK(share(x, 3) == doctest::Approx(0.5).epsilon(0.06));
  CHECK(share(x, 4) == doctest::Approx(0.3).epsilon(0.08));
  Latents hard;
  hard["difficulty"] = 1;
  std::vector<double> y = draws(d, hard);
  // Tilt: weight_i * exp(s * z_i) with z = -1, 0, 1.
  double t = 0.2 / M_E + 0.5 + 0.3 * M_E;
  CHECK(share(y, 4) == doctest::Approx(0.3 * M_E / t).epsilon(0.06));
  CHECK(share(y, 2) < share(x, 2));
}

// --- per-job draws -----------------------------------------------------------------------------------

TEST_CASE("JobBehaviour: the same (seed, job, instance) gives the same draw, in any order") {
  BehaviourModel m = model("codegen");
  const ir::Module &mod = *example("codegen").module;
  const ir::Node &loop = node(mod, "codegen/result/fixes");
  const std::vector<std::string> fixes = {"fix_round/fix@codegen/result/fixes/round#1",
                                          "fix_round/fix@codegen/result/fixes/round#2",
                                          "fix_round/fix@codegen/result/fixes/round#3"};
  for (uint64_t job = 1; job <= 20; ++job) {
    JobBehaviour a(m, mod, kSeed, job), b(m, mod, kSeed, job);
    CHECK(a.latents().lookup("difficulty") == b.latents().lookup("difficulty"));
    // b interleaves other draws and asks for every chained instance twice;
    // a chain is defined by the order of first use (rounds run in order).
    unsigned ga = a.outputTokens("codegen/gen", "codegen/gen");
    std::vector<unsigned> fa;
    for (const std::string &i : fixes)
      fa.push_back(a.outputTokens("fix_round/fix", i));
    b.toolLatency("codegen/lint", "codegen/lint", 1);
    unsigned gb = b.outputTokens("codegen/gen", "codegen/gen");
    std::vector<unsigned> fb;
    for (const std::string &i : fixes) {
      b.outputTokens("fix_round/reflect", "fix_round/reflect" + i.substr(std::string("fix_round/fix").size()));
      unsigned first = b.outputTokens("fix_round/fix", i);
      CHECK(b.outputTokens("fix_round/fix", i) == first);
      CHECK(b.outputTokens("codegen/gen", "codegen/gen") == gb);
      fb.push_back(first);
    }
    CHECK(ga == gb);
    CHECK(fa == fb);
    // Asking again for a chained instance repeats its draw.
    CHECK(a.outputTokens("fix_round/fix", fixes[0]) == fa[0]);
    CHECK(a.outputTokens("codegen/gen", "codegen/gen") == ga);
    CHECK(b.loopIterations(loop, "codegen/result/fixes") == a.loopIterations(loop, "codegen/result/fixes"));
    CHECK(b.toolLatency("codegen/first", "codegen/first", 1) == a.toolLatency("codegen/first", "codegen/first", 1));
    CHECK(a.branchArm(node(mod, "codegen/result"), "codegen/result") ==
          b.branchArm(node(mod, "codegen/result"), "codegen/result"));
    // Independent (non-chained) draws do not depend on what was drawn before.
    JobBehaviour c(m, mod, kSeed, job);
    double lat = c.toolLatency("fix_round/check", "fix_round/check@codegen/result/fixes/round#2", 1);
    CHECK(lat == a.toolLatency("fix_round/check", "fix_round/check@codegen/result/fixes/round#2", 1));
    CHECK(c.outputTokens("fix_round/reflect", "fix_round/reflect@codegen/result/fixes/round#2") ==
          b.outputTokens("fix_round/reflect", "fix_round/reflect@codegen/result/fixes/round#2"));
  }
}

TEST_CASE("JobBehaviour: different seeds and jobs give different draws") {
  BehaviourModel m = model("react");
  const ir::Module &mod = *example("react").module;
  int sameSeed = 0, sameJob = 0;
  for (uint64_t job = 1; job <= 50; ++job) {
    JobBehaviour a(m, mod, kSeed, job), b(m, mod, kSeed + 1, job), c(m, mod, kSeed, job + 1000);
    double da = a.latents().lookup("difficulty");
    sameSeed += da == b.latents().lookup("difficulty");
    sameJob += da == c.latents().lookup("difficulty");
    sameSeed += a.toolLatency("react/steps/observation/found", "react/steps/observation/found#1", 1) ==
                b.toolLatency("react/steps/observation/found", "react/steps/observation/found#1", 1);
  }
  CHECK(sameSeed == 0);
  CHECK(sameJob == 0);
}

TEST_CASE("JobBehaviour: stages of one job are correlated, stages of different jobs are not") {
  // Map-reduce: two chunk summaries of one job share verbosity and the
  // document factor (log-correlation 0.5); HuggingGPT: planner base and
  // response share verbosity only (0.25).
  BehaviourModel mr = model("mapreduce"), hg = model("hugginggpt");
  const ir::Module &mrm = *example("mapreduce").module, &hgm = *example("hugginggpt").module;
  std::vector<double> map0, map1, plan, respond, respondNext;
  for (int j = 0; j < kJobs; ++j) {
    JobBehaviour a(mr, mrm, kSeed, uint64_t(j));
    map0.push_back(std::log(a.outputTokens("summarize_chunk/notes", "summarize_chunk/notes@mapreduce/notes/part[0]")));
    map1.push_back(std::log(a.outputTokens("summarize_chunk/notes", "summarize_chunk/notes@mapreduce/notes/part[1]")));
    JobBehaviour h(hg, hgm, kSeed, uint64_t(j)), next(hg, hgm, kSeed, uint64_t(j + 1));
    plan.push_back(std::log(h.outputTokens("hugginggpt/plan", "hugginggpt/plan")));
    respond.push_back(std::log(h.outputTokens("hugginggpt/respond", "hugginggpt/respond")));
    respondNext.push_back(std::log(next.outputTokens("hugginggpt/respond", "hugginggpt/respond")));
  }
  double rMaps = spearman(map0, map1), rJob = spearman(plan, respond), rAcross = spearman(plan, respondNext);
  CAPTURE(rMaps);
  CAPTURE(rJob);
  CAPTURE(rAcross);
  CHECK(rMaps > 0.4);
  CHECK(rMaps < 0.6);
  CHECK(rJob > 0.15);
  CHECK(std::abs(rAcross) < 0.07);
}

TEST_CASE("codegen: code length chains across rounds; difficulty drives failures and rounds") {
  BehaviourModel m = model("codegen");
  const ir::Module &mod = *example("codegen").module;
  const ir::Node &branch = node(mod, "codegen/result"), &loop = node(mod, "codegen/result/fixes");
  std::vector<double> gen, fix1, fix2, reflect, diff, failed, allRounds;
  std::map<unsigned, int> rounds;
  int looped = 0;
  for (int j = 0; j < kJobs; ++j) {
    JobBehaviour b(m, mod, kSeed, uint64_t(j));
    gen.push_back(std::log(b.outputTokens("codegen/gen", "codegen/gen")));
    fix1.push_back(std::log(b.outputTokens("fix_round/fix", "fix_round/fix@codegen/result/fixes/round#1")));
    fix2.push_back(std::log(b.outputTokens("fix_round/fix", "fix_round/fix@codegen/result/fixes/round#2")));
    reflect.push_back(std::log(b.outputTokens("fix_round/reflect", "fix_round/reflect@codegen/result/fixes/round#1")));
    diff.push_back(b.latents().lookup("difficulty"));
    auto arm = b.branchArm(branch, "codegen/result");
    REQUIRE(arm);
    failed.push_back(*arm == 0);
    allRounds.push_back(*arm == 0 ? b.loopIterations(loop, "codegen/result/fixes") : 0);
    if (*arm == 0) {
      ++looped;
      unsigned n = b.loopIterations(loop, "codegen/result/fixes");
      ++rounds[n];
      // loopStops agrees with the drawn count.
      for (unsigned i = 1; i <= 5; ++i)
        CHECK(*b.loopStops(loop, "codegen/result/fixes", i) == (i >= n));
    }
  }
  CHECK(pearson(gen, fix1) > 0.9);   // rho 0.95 chain (published ~0.97)
  CHECK(pearson(fix1, fix2) > 0.9);
  double rReflect = pearson(gen, reflect);
  CHECK(rReflect > 0.1);             // verbosity only
  CHECK(rReflect < 0.4);
  // Pass at once ~63% at d = 0; failures rise with difficulty.
  double failRate = std::accumulate(failed.begin(), failed.end(), 0.0) / kJobs;
  CHECK(failRate > 0.30);
  CHECK(failRate < 0.48);
  CHECK(spearman(diff, failed) > 0.2);
  // Longer programs take more rounds (published ~0.35), through difficulty.
  double rLenRounds = spearman(gen, allRounds);
  CAPTURE(rLenRounds);
  CHECK(rLenRounds > 0.1);
  CHECK(rLenRounds < 0.5);
  // Bimodal rounds: mass at 1 and at the cap, little in between.
  auto p = [&](unsigned k) { return double(rounds[k]) / looped; };
  CAPTURE(p(1));
  CAPTURE(p(5));
  CHECK(p(5) > 0.6);
  CHECK(p(1) > 0.08);
  CHECK(p(1) > p(2));
  CHECK(p(2) > p(3));
  CHECK(p(5) > 4 * (p(2) + p(3) + p(4)));
  CHECK(p(2) + p(3) + p(4) < 0.2);
}

TEST_CASE("react: step counts follow the categorical at d = 0, and the branches follow the loop") {
  BehaviourModel m = model("react");
  const ir::Module &mod = *example("react").module;
  // The loop's distribution at the difficulty mean matches the weights.
  const Dist &steps = m.loopIterations.at("react/steps");
  Latents mid;
  mid["difficulty"] = 0;
  std::vector<double> x = draws(steps, mid, 6000, 7);
  const double weights[] = {0.07, 0.55, 0.15, 0.08, 0.06, 0.09};
  for (int k = 2; k <= 7; ++k) {
    CAPTURE(k);
    CHECK(std::abs(share(x, k) - weights[k - 2]) < 0.02);
  }
  // Over jobs (d varies): mode 3, the cap share rises with d.
  const ir::Node &loop = node(mod, "react/steps"), &obs = node(mod, "react/steps/observation"),
                 &answer = node(mod, "react/answer");
  std::map<unsigned, int> count;
  std::vector<double> diff, n;
  for (int j = 0; j < kJobs; ++j) {
    JobBehaviour b(m, mod, kSeed, uint64_t(j));
    unsigned it = b.loopIterations(loop, "react/steps");
    ++count[it];
    diff.push_back(b.latents().lookup("difficulty"));
    n.push_back(it);
    bool capped = it == 7;
    for (unsigned i = 1; i <= it; ++i) {
      auto arm = b.branchArm(obs, "react/steps/observation#" + std::to_string(i));
      REQUIRE(arm);
      CHECK(*arm == ((i < it || capped) ? 0u : 1u)); // search unless this step finishes
    }
    auto a = b.branchArm(answer, "react/answer");
    REQUIRE(a);
    CHECK(*a == (capped ? 1u : 0u)); // best guess exactly when capped
  }
  unsigned mode = std::max_element(count.begin(), count.end(), [](auto &a, auto &b) { return a.second < b.second; })->first;
  CHECK(mode == 3);
  double cap = double(count[7]) / kJobs;
  CHECK(cap > 0.10);
  CHECK(cap < 0.20);
  CHECK(spearman(diff, n) > 0.2);
}

TEST_CASE("hugginggpt: plan sizes in [1, max_steps], 41% single tasks, multi-task mode 4") {
  BehaviourModel m = model("hugginggpt");
  const ir::Module &mod = *example("hugginggpt").module;
  const ir::Node &steps = node(mod, "hugginggpt/plan.steps");
  std::map<unsigned, int> count;
  std::vector<double> diff, size;
  int chains = 0, dags = 0, multi = 0;
  for (int j = 0; j < kJobs; ++j) {
    JobBehaviour b(m, mod, kSeed, uint64_t(j));
    unsigned k = 0;
    llvm::json::Value plan = b.makePlan(steps, "hugginggpt/plan.steps", &k);
    CHECK(k >= 1);
    CHECK(k <= steps.dynamic->maxExpansion);
    ++count[k];
    diff.push_back(b.latents().lookup("difficulty"));
    size.push_back(k);
    const llvm::json::Array *s = plan.getAsObject()->getArray("steps");
    REQUIRE(s);
    CHECK(s->size() == k);
    if (k < 3)
      continue;
    ++multi;
    // Shapes: a chain links every step to the one before; a DAG has other edges.
    bool chain = true;
    for (size_t i = 0; i < s->size(); ++i) {
      const llvm::json::Array *after = (*s)[i].getAsObject()->getArray("after");
      for (const llvm::json::Value &e : *after)
        CHECK(*e.getAsInteger() <= int64_t(i)); // edges point to earlier steps
      chain = chain && (i == 0 ? after->empty() : after->size() == 1 && *(*after)[0].getAsInteger() == int64_t(i));
    }
    chains += chain;
    dags += !chain;
  }
  double single = double(count[1]) / kJobs;
  CAPTURE(single);
  CHECK(single > 0.33);
  CHECK(single < 0.49);
  unsigned modeMulti = 2;
  for (unsigned k = 2; k <= 9; ++k)
    if (count[k] > count[modeMulti])
      modeMulti = k;
  CHECK(modeMulti == 4);
  CHECK(count[9] > 0);
  // Chains outnumber DAGs (0.48 : 0.11; a sparse random DAG may look like a chain).
  CHECK(chains > 3 * dags);
  CHECK(dags > 0);
  CHECK(spearman(diff, size) > 0.3);
  // The planner adds 35 tokens per task.
  CHECK(JobBehaviour(m, mod, kSeed, 1).tokensPerStep("hugginggpt/plan.steps") == 35);
}

TEST_CASE("llmcompiler: 2-5 parallel tasks, wider and replanned when hard") {
  BehaviourModel m = model("llmcompiler");
  const ir::Module &mod = *example("llmcompiler").module;
  const ir::Node &steps = node(mod, "llmcompiler/plan.steps"), &branch = node(mod, "llmcompiler/answer");
  std::vector<double> diff, size, replan;
  std::map<std::string, int> tools;
  for (int j = 0; j < kJobs; ++j) {
    JobBehaviour b(m, mod, kSeed, uint64_t(j));
    unsigned k = 0;
    llvm::json::Value plan = b.makePlan(steps, "llmcompiler/plan.steps", &k);
    CHECK(k >= 2);
    CHECK(k <= 5);
    for (const llvm::json::Value &s : *plan.getAsObject()->getArray("steps")) {
      CHECK(s.getAsObject()->getArray("after")->empty()); // parallel
      ++tools[s.getAsObject()->getString("tool")->str()];
    }
    diff.push_back(b.latents().lookup("difficulty"));
    size.push_back(k);
    replan.push_back(*b.branchArm(branch, "llmcompiler/answer") == 0);
  }
  double r = std::accumulate(replan.begin(), replan.end(), 0.0) / kJobs;
  CHECK(r > 0.12);
  CHECK(r < 0.25);
  CHECK(spearman(diff, size) > 0.4);
  CHECK(spearman(diff, replan) > 0.15);
  CHECK(tools["search"] > tools["calculator"]);
  CHECK(tools["calculator"] > tools["unit_convert"]);
}

TEST_CASE("rag and mapreduce: branch rates, list lengths, evaluated conditions") {
  BehaviourModel rag = model("rag"), mr = model("mapreduce");
  const ir::Module &rm = *example("rag").module, &mm = *example("mapreduce").module;
  const ir::Node &context = node(rm, "rag/context"), &hits = node(rm, "rag/context/hits");
  std::vector<double> diff, web;
  std::map<size_t, int> lengths;
  for (int j = 0; j < kJobs; ++j) {
    JobBehaviour b(rag, rm, kSeed, uint64_t(j));
    diff.push_back(b.latents().lookup("difficulty"));
    web.push_back(*b.branchArm(context, "rag/context") == 0);
    llvm::json::Value h = b.synthesize(hits.resultType, "rag/context/hits", "rag/context/hits", 30);
    ++lengths[h.getAsArray()->size()];
  }
  double rate = std::accumulate(web.begin(), web.end(), 0.0) / kJobs;
  CHECK(rate > 0.38);
  CHECK(rate < 0.52);
  CHECK(spearman(diff, web) > 0.25);
  CHECK(double(lengths[3]) / kJobs > 0.8);
  CHECK(lengths[0] == 0);
  CHECK(lengths[4] == 0);
  // The collapse level is the program's own condition on the real chunk count.
  JobBehaviour b(mr, mm, kSeed, 1);
  CHECK_FALSE(b.branchArm(node(mm, "mapreduce/condensed"), "mapreduce/condensed").has_value());
  // A plain number in `then` is P(then arm).
  {
    const Example &e = example("rag");
    std::string path = writeTemp("[branch.\"rag/context\"]\nthen = 0.3\nsource = \"test\"\n");
    auto m = BehaviourModel::load(path, *e.module, *e.app);
    llvm::sys::fs::remove(path);
    REQUIRE(bool(m));
    int n = 0;
    for (int j = 0; j < kJobs; ++j)
      n += *JobBehaviour(*m, rm, kSeed, uint64_t(j)).branchArm(context, "rag/context") == 0;
    CHECK(double(n) / kJobs == doctest::Approx(0.3).epsilon(0.12));
  }
  // Without a model a branch is a fair coin.
  BehaviourModel plain = BehaviourModel::defaults("rag");
  int then = 0;
  for (int j = 0; j < kJobs; ++j)
    then += *JobBehaviour(plain, rm, kSeed, uint64_t(j)).branchArm(context, "rag/context") == 0;
  CHECK(double(then) / kJobs == doctest::Approx(0.5).epsilon(0.08));
}

TEST_CASE("promptTokensOf: words x 1.3 over the parts, as if joined by spaces") {
  using behave::promptTokensOf;
  CHECK(promptTokensOf({""}) == 1u);                         // at least one token
  CHECK(promptTokensOf({"one two  three\n\tfour "}) == 5u);  // 4 words x 1.3
  // Parts count like their concatenation with spaces: a word never spans two parts.
  std::string a = "  system says\thello", b = "the prompt\n", c = "note";
  CHECK(promptTokensOf({a, b, c}) == promptTokensOf({a + " " + b + " " + c}));
  CHECK(promptTokensOf({"ab", "cd"}) == promptTokensOf({"ab cd"}));
  CHECK(promptTokensOf({std::string(100, 'x') + " y"}) == 2u);
}
