// The Bayesian-network estimator on the example applications, networks
// trained on virtual-time profiles: what each kind of evidence does to a
// job's stages (a plan with mixed tools, unplanned tools, loop iterations,
// nested untaken arms, inputs at arrival) and to its remaining work (never
// negative, growing for a stage that overruns everything profiled).
#include "sim_helpers.h"

#include "core/features.h"
#include "estimate/train_app.h"
#include "sim/experiment.h"

using namespace llmflow;
using namespace llmflow::simtest;
using K = sched::Observation::Kind;

namespace {

/// The example's network trained on 300 jobs profiled alone (once per process).
const estimate::TrainedApp &trained(const std::string &name) {
  static std::map<std::string, std::unique_ptr<estimate::TrainedApp>> cache;
  auto &slot = cache[name];
  if (slot)
    return *slot;
  const LoadedExample &e = example(name);
  std::vector<sim::SimApp> apps{e.simApp()};
  sim::SimConfig cfg;
  cfg.seed = 4321;
  auto profiles = sim::profileAlone(apps, 0, e.inputs, 300, cfg, 1);
  auto t = estimate::trainApp(*e.module, *e.app, profiles, bn::TrainOptions{});
  REQUIRE_MESSAGE(bool(t), (t ? std::string() : llvm::toString(t.takeError())));
  slot = std::make_unique<estimate::TrainedApp>(std::move(*t));
  return *slot;
}

/// Feeds one job's observations to an estimator.
struct JobFeed {
  sched::Estimator &est;
  std::string app;
  sched::JobId job = 1;
  sched::TaskId nextTask = 1;

  void arrive(const llvm::json::Object &inputs, const LoadedExample &e) {
    auto o = sched::Observation::of(K::JobArrived, job, app, "", 0);
    o.features = rt::inputFeatures(*e.module, *e.app, inputs);
    est.observe(o);
  }
  sched::TaskId start(const std::string &node, double t) {
    auto o = sched::Observation::of(K::TaskStarted, job, app, node, t);
    o.task = nextTask;
    est.observe(o);
    return nextTask++;
  }
  void finish(sched::TaskId task, const std::string &node, double t, double duration) {
    auto o = sched::Observation::of(K::TaskFinished, job, app, node, t);
    o.task = task;
    o.duration = duration;
    est.observe(o);
  }
  void run(const std::string &node, double t, double duration) { finish(start(node, t), node, t + duration, duration); }
  void expanded(const std::string &node, const std::string &structure, int64_t size,
                std::vector<std::pair<std::string, int64_t>> parts = {}) {
    auto o = sched::Observation::of(K::Expanded, job, app, node, 0);
    o.structure = structure;
    o.size = size;
    o.parts = std::move(parts);
    est.observe(o);
  }
  void iteration(const std::string &loop, int64_t i) {
    auto o = sched::Observation::of(K::IterationStarted, job, app, loop, 0);
    o.structure = "iterations";
    o.size = i;
    est.observe(o);
  }
  estimate::StageView stage(const std::string &node) {
    auto v = estimate::inspect(est, job, node);
    REQUIRE_MESSAGE(bool(v), node);
    return *v;
  }
};

} // namespace

TEST_CASE("a plan with mixed tools closes each tool's steps; tools it did not pick are ABSENT") {
  const LoadedExample &e = example("hugginggpt");
  auto est = estimate::makeBNEstimator({trained("hugginggpt").network.get()});
  JobFeed f{*est, "hugginggpt"};
  f.arrive(e.inputs[0], e);
  f.run("hugginggpt/plan", 0, 3);
  std::vector<std::pair<std::string, int64_t>> parts;
  for (const char *tool : {"image_caption", "object_detection", "image_classification", "visual_question_answering",
                           "text_to_image", "translation", "automatic_speech_recognition", "text_to_speech",
                           "describe_image"})
    parts.push_back({std::string("hugginggpt/plan.steps/") + tool, 0});
  parts[0].second = 2;   // two captions
  parts[1].second = 1;   // one detection
  f.expanded("hugginggpt/plan.steps", "expansion_size", 3, parts);
  double before = est->estimate(1, "hugginggpt", 3).mean;
  CHECK(f.stage("hugginggpt/plan.steps/image_caption").count == 2);
  CHECK(f.stage("hugginggpt/plan.steps/image_caption").toCome == 2);
  CHECK(f.stage("hugginggpt/plan.steps/object_detection").count == 1);
  for (const char *absent : {"hugginggpt/plan.steps/translation", "hugginggpt/plan.steps/text_to_image",
                             "describe_image/caption", "describe_image/describe"}) {
    CAPTURE(absent);
    CHECK(f.stage(absent).absent);
    CHECK(f.stage(absent).closed);
  }
  // The three steps run: each tool closes on its own count (before, a plan
  // step closed only when its count reached the whole plan's size).
  sched::TaskId a = f.start("hugginggpt/plan.steps/image_caption", 3);
  sched::TaskId b = f.start("hugginggpt/plan.steps/image_caption", 3);
  sched::TaskId c = f.start("hugginggpt/plan.steps/object_detection", 3);
  CHECK(f.stage("hugginggpt/plan.steps/image_caption").toCome == 0);
  f.finish(a, "hugginggpt/plan.steps/image_caption", 4, 1);
  CHECK_FALSE(f.stage("hugginggpt/plan.steps/image_caption").closed);
  f.finish(b, "hugginggpt/plan.steps/image_caption", 4.5, 1.5);
  f.finish(c, "hugginggpt/plan.steps/object_detection", 5, 2);
  CHECK(f.stage("hugginggpt/plan.steps/image_caption").closed);
  CHECK(f.stage("hugginggpt/plan.steps/object_detection").closed);
  CHECK_FALSE(f.stage("hugginggpt/respond").closed);
  double after = est->estimate(1, "hugginggpt", 5).mean;
  CHECK(after > 0);          // the response is still to come
  CHECK(after < before);
}

TEST_CASE("a loop enters evidence as each iteration starts") {
  const LoadedExample &e = example("codegen");
  auto est = estimate::makeBNEstimator({trained("codegen").network.get()});
  JobFeed f{*est, "codegen"};
  f.arrive(e.inputs[0], e);
  f.run("codegen/gen", 0, 1);
  f.run("codegen/lint", 1, 0.05);
  f.run("codegen/first", 1.05, 0.3);
  f.expanded("codegen/result", "branch", 0);      // the first test failed: the repair loop runs
  f.iteration("codegen/result/fixes", 1);
  double one = f.stage("codegen/result/fixes").expectedCount;
  CHECK(one >= 1);
  for (int i = 1; i <= 3; ++i) {
    if (i > 1)
      f.iteration("codegen/result/fixes", i);
    f.run("fix_round/reflect", 2 + i, 0.5);
    f.run("fix_round/fix", 2.5 + i, 0.5);
    CHECK(f.stage("codegen/result/fixes").expectedCount >= i);
  }
  double three = f.stage("codegen/result/fixes").expectedCount;
  CHECK(three >= 3);
  CHECK(three > one);
  // The body's stages count the loop's iterations: at least 3, 3 started.
  CHECK(f.stage("fix_round/fix").started == 3);
  CHECK(f.stage("fix_round/fix").toCome >= 0);
  CHECK_FALSE(f.stage("fix_round/fix").closed);
  // The loop ends after 4: its stages close with their counts.
  f.iteration("codegen/result/fixes", 4);
  for (const char *node : {"fix_round/reflect", "fix_round/fix", "fix_round/fix_lint", "fix_round/check"})
    f.run(node, 8, 0.2);
  for (const char *node : {"fix_round/fix_lint", "fix_round/check"})
    for (int i = 0; i < 3; ++i)
      f.run(node, 8, 0.2);
  f.expanded("codegen/result/fixes", "iterations", 4);
  for (const char *node : {"fix_round/reflect", "fix_round/fix", "fix_round/fix_lint", "fix_round/check"}) {
    CAPTURE(node);
    CHECK(f.stage(node).count == 4);
    CHECK(f.stage(node).closed);
  }
  CHECK(est->estimate(1, "codegen", 9).mean == doctest::Approx(0).epsilon(1e-9));
}

TEST_CASE("every stage of an arm not taken is ABSENT, however deeply nested") {
  const LoadedExample &e = example("llmcompiler");
  auto est = estimate::makeBNEstimator({trained("llmcompiler").network.get()});
  JobFeed f{*est, "llmcompiler"};
  f.arrive(e.inputs[0], e);
  f.run("llmcompiler/plan", 0, 2);
  f.expanded("llmcompiler/answer", "branch", 1);   // finish: no replan
  for (const char *node : {"llmcompiler/answer/replan", "llmcompiler/answer/replan.steps/search",
                           "llmcompiler/answer/replan.steps/movie_info", "llmcompiler/answer/final_join"}) {
    CAPTURE(node);
    CHECK(f.stage(node).absent);
  }
  CHECK_FALSE(f.stage("llmcompiler/join").absent);
}

TEST_CASE("remaining work given elapsed is never negative and grows for a stage that overruns") {
  const LoadedExample &e = example("codegen");
  auto est = estimate::makeBNEstimator({trained("codegen").network.get()});
  JobFeed f{*est, "codegen"};
  f.arrive(e.inputs[0], e);
  f.start("codegen/gen", 0);
  double last = -1;
  for (double t : {0.0, 0.5, 2.0, 10.0, 100.0, 1000.0, 1e4, 1e5}) {
    CAPTURE(t);
    double m = est->estimate(1, "codegen", t).mean;
    CHECK(m >= 0);
    if (t >= 100) {           // far past every profiled generation
      CHECK(m > last);
    }
    last = m;
  }
}

TEST_CASE("inputs are evidence on arrival: a longer document is expected to take longer") {
  const LoadedExample &e = example("mapreduce");
  const estimate::TrainedApp &t = trained("mapreduce");
  REQUIRE(t.network->var.count("#in/document"));
  auto est = estimate::makeBNEstimator({t.network.get()});
  // The shortest and the longest sample document, as two jobs.
  const llvm::json::Object *shortest = nullptr, *longest = nullptr;
  for (const llvm::json::Object &in : e.inputs) {
    size_t n = in.getString("document")->size();
    if (!shortest || n < shortest->getString("document")->size())
      shortest = &in;
    if (!longest || n > longest->getString("document")->size())
      longest = &in;
  }
  JobFeed a{*est, "mapreduce", 1}, b{*est, "mapreduce", 2};
  a.arrive(*shortest, e);
  b.arrive(*longest, e);
  CHECK(est->estimate(2, "mapreduce", 0).mean > est->estimate(1, "mapreduce", 0).mean);
}
