// Trace replay (sim/replay.h): jobs of an example are run alone in the
// simulator and profiled (profile::fromEvents), then replayed from those
// records. A replayed job must take exactly the recorded structure (branch
// arms, loop iterations, expansion sizes, instance by instance), run about
// as long alone as the recorded job did, and keep its structure under any
// scheduler. Workload files name a trace per application.

#include "sim_helpers.h"

#include "sim/replay.h"
#include "sim/workload.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace llmflow;
using namespace llmflow::simtest;

namespace {

constexpr uint64_t kSeed = 77031;

/// Each job to itself: no slot ever makes a task wait (as sim::standalone).
sim::SimConfig aloneConfig() {
  sim::SimConfig cfg;
  cfg.llmEndpoints = 1;
  cfg.llmMaxInFlight = 1u << 20;
  cfg.regularSlots = 1u << 20;
  cfg.seed = kSeed;
  return cfg;
}

using Structure = std::multiset<std::tuple<std::string, std::string, std::string, int64_t>>; // node, instance, kind, size

std::map<uint64_t, Structure> structures(const std::vector<engine::Event> &events) {
  std::map<uint64_t, Structure> out;
  for (const engine::Event &e : events)
    if (e.type == engine::EventType::Expanded)
      out[e.job].insert({e.node, e.instance, e.structure, e.size});
  return out;
}

std::string show(const Structure &s) {
  std::string out;
  for (const auto &[node, inst, kind, size] : s)
    out += inst + " " + kind + "=" + std::to_string(size) + "; ";
  return out;
}

/// One application's jobs, run alone one after another and profiled: the
/// recorded trace, with what each recorded job expanded into.
struct Recorded {
  std::vector<sim::SimApp> apps;
  std::vector<sim::SimJob> jobs;                 // as recorded (behaviour-model draws)
  std::vector<profile::JobProfile> profiles;     // by job, same order
  std::map<uint64_t, Structure> structure;       // by job id
  std::unique_ptr<sim::ReplayIndex> index;
};

const Recorded &recorded(const std::string &name, unsigned n) {
  static std::map<std::string, std::unique_ptr<Recorded>> cache;
  auto &slot = cache[name + "/" + std::to_string(n)];
  if (slot)
    return *slot;
  auto r = std::make_unique<Recorded>();
  const LoadedExample &ex = example(name);
  r->index = std::make_unique<sim::ReplayIndex>(*ex.module, *ex.app);
  r->apps = {ex.simApp()};
  r->apps[0].replay = r->index.get();
  engine::MemorySink sink;
  for (unsigned k = 0; k < n; ++k) {
    sim::SimJob j{0, ex.inputs[k % ex.inputs.size()], 0, k + 1};
    r->jobs.push_back(j);
    std::vector<sim::SimJob> one{j};
    auto fcfs = sched::makeFCFS();
    sim::SimResult res = sim::simulate(r->apps, one, *fcfs, aloneConfig(), &sink);
    REQUIRE_MESSAGE(res.jobs.at(0).ok, res.jobs.at(0).error);
  }
  r->profiles = profile::fromEvents(sink.events, *ex.module);
  REQUIRE(r->profiles.size() == n);
  for (unsigned k = 0; k < n; ++k)
    REQUIRE(r->profiles[k].job == k + 1);
  llvm::Error bad = profile::checkAgainst(r->profiles, *ex.module, ex.app->name);
  REQUIRE_MESSAGE(!bad, llvm::toString(std::move(bad)));
  r->structure = structures(sink.events);
  slot = std::move(r);
  return *slot;
}

/// The recorded jobs as replays: same inputs, other job ids (a replay does
/// not read the behaviour draw the id keys).
std::vector<sim::SimJob> replays(const Recorded &rec, double gap = 0) {
  std::vector<sim::SimJob> out;
  for (size_t k = 0; k < rec.jobs.size(); ++k)
    out.push_back({0, rec.jobs[k].inputs, gap * double(k), 1000 + k, &rec.profiles[k]});
  return out;
}

struct Fidelity {
  unsigned jobs = 0, sameStructure = 0, mismatches = 0;
  double worstRelErr = 0, meanRelErr = 0, recordedMean = 0, replayedMean = 0;
};

/// Replays every recorded job alone and compares it with its record.
Fidelity replayAlone(const Recorded &rec, std::vector<std::string> *problems = nullptr) {
  Fidelity f;
  std::vector<sim::SimJob> jobs = replays(rec);
  for (size_t k = 0; k < jobs.size(); ++k) {
    engine::MemorySink sink;
    std::vector<sim::SimJob> one{jobs[k]};
    auto fcfs = sched::makeFCFS();
    sim::SimResult r = sim::simulate(rec.apps, one, *fcfs, aloneConfig(), &sink);
    const sim::JobOutcome &o = r.jobs.at(0);
    ++f.jobs;
    double jct = o.finish - o.arrival, want = rec.profiles[k].total;
    double err = std::abs(jct - want) / want;
    f.worstRelErr = std::max(f.worstRelErr, err);
    f.meanRelErr += err / double(jobs.size());
    f.recordedMean += want / double(jobs.size());
    f.replayedMean += jct / double(jobs.size());
    f.mismatches += r.replayMismatches;
    Structure got = structures(sink.events)[jobs[k].id];
    const Structure &expect = rec.structure.at(rec.jobs[k].id);
    // Instances are named the same in both runs (they do not contain the job id).
    bool same = got == expect && o.ok;
    f.sameStructure += same;
    if (!same && problems)
      problems->push_back("job " + std::to_string(k + 1) + ": recorded " + show(expect) + " replayed " + show(got) +
                          (o.ok ? "" : " failed: " + o.error));
  }
  return f;
}

} // namespace

TEST_CASE("trace replay: each ReAct job takes its recorded structure and runs alone as long as recorded") {
  const Recorded &rec = recorded("react", 24);
  // The records vary: several step counts, and both answers (finished, capped).
  std::set<int64_t> steps, answers;
  for (const profile::JobProfile &p : rec.profiles) {
    steps.insert(*p.nodes.at("react/steps").structureValue);
    answers.insert(*p.nodes.at("react/answer").structureValue);
  }
  CHECK(steps.size() >= 3);
  std::vector<std::string> problems;
  Fidelity f = replayAlone(rec, &problems);
  for (const std::string &p : problems)
    FAIL_CHECK(p);
  CHECK(f.sameStructure == f.jobs);
  CHECK(f.mismatches == 0);
  MESSAGE("react: " << f.jobs << " jobs, mean recorded " << f.recordedMean << " s, replayed " << f.replayedMean
                    << " s, mean |error| " << f.meanRelErr * 100 << "%, worst " << f.worstRelErr * 100 << "%");
  CHECK(f.worstRelErr < 0.03);
  CHECK(f.meanRelErr < 0.01);
}

TEST_CASE("trace replay: planners, maps, calls and loops of the other examples take their recorded structure") {
  for (std::string name : {"hugginggpt", "llmcompiler", "rag", "codegen", "mapreduce"}) {
    CAPTURE(name);
    const Recorded &rec = recorded(name, 12);
    std::vector<std::string> problems;
    Fidelity f = replayAlone(rec, &problems);
    for (const std::string &p : problems)
      FAIL_CHECK(p);
    CHECK(f.sameStructure == f.jobs);
    CHECK(f.mismatches == 0);
    MESSAGE(name << ": " << f.jobs << " jobs, mean recorded " << f.recordedMean << " s, replayed " << f.replayedMean
                 << " s, mean |error| " << f.meanRelErr * 100 << "%, worst " << f.worstRelErr * 100 << "%");
    // Per-instance averages stand in for each instance's own time, and a
    // plan's edges are guessed (chain or parallel): looser than ReAct.
    CHECK(f.meanRelErr < 0.10);
  }
}

TEST_CASE("trace replay: the structure of a replayed job does not depend on the scheduler") {
  const Recorded &react = recorded("react", 24);
  const Recorded &hg = recorded("hugginggpt", 12);
  // One mix of both, contended, arriving faster than it drains.
  std::vector<sim::SimApp> apps = {react.apps[0], hg.apps[0]};
  std::vector<sim::SimJob> jobs;
  for (size_t k = 0; k < 24; ++k) {
    bool useHg = k % 3 == 2;
    const Recorded &rec = useHg ? hg : react;
    size_t i = useHg ? (k / 3) % hg.jobs.size() : k % react.jobs.size();
    jobs.push_back({useHg ? 1u : 0u, rec.jobs[i].inputs, 0.2 * double(k), 1 + k, &rec.profiles[i]});
  }
  sim::SimConfig cfg;
  cfg.llmEndpoints = 1;
  cfg.llmMaxInFlight = 2;
  cfg.regularSlots = 2;
  cfg.seed = kSeed;
  // Knowledge from the records themselves is fine here: only structure is compared.
  std::vector<profile::JobProfile> history = react.profiles;
  history.insert(history.end(), hg.profiles.begin(), hg.profiles.end());
  sched::Knowledge knowledge = profile::buildKnowledge(history);
  std::map<std::string, std::map<uint64_t, Structure>> by;
  std::map<std::string, std::vector<double>> jct;
  for (std::string name : {"fcfs", "srtf-mean", "fair"}) {
    sched::SchedulerContext ctx = contextFor(&knowledge, nullptr, kSeed);
    std::string why;
    auto s = sched::makeScheduler(name, ctx, &why);
    REQUIRE_MESSAGE(s, why);
    engine::MemorySink sink;
    sim::SimResult r = sim::simulate(apps, jobs, *s, cfg, &sink);
    CHECK(r.replayedJobs == jobs.size());
    CHECK(r.replayMismatches == 0);
    for (const sim::JobOutcome &o : r.jobs) {
      CHECK_MESSAGE(o.ok, o.error);
      jct[name].push_back(o.finish - o.arrival);
    }
    by[name] = structures(sink.events);
    REQUIRE(by[name].size() == jobs.size());
  }
  CHECK(by["fcfs"] == by["srtf-mean"]);
  CHECK(by["fcfs"] == by["fair"]);
  CHECK(jct["fcfs"] != jct["srtf-mean"]);   // the schedulers did decide differently
  // And the structure is the recorded one.
  for (const sim::SimJob &j : jobs) {
    const Recorded &rec = j.app == 1 ? hg : react;
    CHECK(by["fcfs"][j.id] == rec.structure.at(j.trace->job));
  }
}

TEST_CASE("trace replay: a node the record lacks falls back to defaults and counts as a mismatch") {
  const Recorded &rec = recorded("react", 24);
  // Take a finished episode and drop its search tool: the replayed job still
  // searches (the branch arms follow the record), with a fallback latency.
  size_t k = 0;
  while (k < rec.profiles.size() && !rec.profiles[k].nodes.count("react/steps/observation/found"))
    ++k;
  REQUIRE(k < rec.profiles.size());
  profile::JobProfile cut = rec.profiles[k];
  unsigned searches = cut.nodes.at("react/steps/observation/found").count;
  cut.nodes.erase("react/steps/observation/found");
  std::vector<sim::SimJob> one{{0, rec.jobs[k].inputs, 0, 1, &cut}};
  auto fcfs = sched::makeFCFS();
  sim::SimResult r = sim::simulate(rec.apps, one, *fcfs, aloneConfig());
  REQUIRE(r.jobs.at(0).ok);
  // Without the tool's count the branch cannot tell its arms apart: every
  // step takes the first recorded arm, so each step searches.
  CHECK(r.replayMismatches >= searches);
  CHECK(r.jobs[0].replayMismatches == r.replayMismatches);
  REQUIRE_FALSE(r.replayNotes.empty());
  CHECK(r.replayNotes[0].find("react/steps/observation/found") != std::string::npos);
  // A loop the record lacks runs once.
  profile::JobProfile noLoop = rec.profiles[k];
  noLoop.nodes.erase("react/steps");
  sim::ReplayJob replay(*rec.index, noLoop, serving::ServingParams::h100(), kSeed, 1);
  const ir::Node *steps = rec.index->node("react/steps");
  REQUIRE(steps);
  CHECK(replay.loopStops(*steps, "react/steps", 1) == std::optional<bool>(true));
  CHECK(replay.mismatches() == 1);
}

TEST_CASE("trace replay: ReplayJob reads what the record says") {
  const Recorded &rec = recorded("react", 24);
  // A record whose episode ran several steps, searching on all but the last.
  size_t k = 0;
  while (k < rec.profiles.size() && *rec.profiles[k].nodes.at("react/steps").structureValue < 3)
    ++k;
  REQUIRE(k < rec.profiles.size());
  const profile::JobProfile &p = rec.profiles[k];
  sim::ReplayJob r(*rec.index, p, serving::ServingParams::h100(), kSeed, 1);
  const ir::Node &loop = *rec.index->node("react/steps");
  const ir::Node &branch = *rec.index->node("react/steps/observation");
  int64_t n = *p.nodes.at("react/steps").structureValue;
  unsigned searches = p.nodes.at("react/steps/observation/found").count;
  for (int64_t i = 1; i <= n; ++i) {
    CAPTURE(i);
    CHECK(r.loopStops(loop, "react/steps", unsigned(i)) == std::optional<bool>(i == n));
    // Arms by iteration: the first `searches` steps search (then arm), the rest finish.
    CHECK(r.branchArm(branch, "react/steps/observation#" + std::to_string(i)) ==
          std::optional<unsigned>(i <= int64_t(searches) ? 0u : 1u));
  }
  // Asking in another order gives the same answers (no hidden order state).
  CHECK(r.branchArm(branch, "react/steps/observation#1") == std::optional<unsigned>(0u));
  const profile::NodeRecord &think = p.nodes.at("react/steps/think");
  CHECK(r.outputTokens("react/steps/think", "react/steps/think#1") ==
        unsigned(std::lround(double(*think.tokensOut) / think.count)));
  CHECK(r.promptTokens("react/steps/think", "react/steps/think#2", {"ignored"}) ==
        unsigned(std::lround(double(*think.tokensIn) / think.count)));
  const profile::NodeRecord &found = p.nodes.at("react/steps/observation/found");
  CHECK(r.toolLatency("react/steps/observation/found", "react/steps/observation/found#1", 1) ==
        doctest::Approx(found.duration / found.count));
  CHECK_FALSE(r.toolFails("react/steps/observation/found", "react/steps/observation/found#1", 1));
  CHECK(r.mismatches() == 0);

  // Without token counts, output tokens come from the recorded time.
  profile::JobProfile noTokens = p;
  profile::NodeRecord &t = noTokens.nodes.at("react/steps/think");
  t.tokensOut.reset();
  serving::ServingParams h100 = serving::ServingParams::h100();
  sim::ReplayJob derived(*rec.index, noTokens, h100, kSeed, 1);
  double per = t.duration / t.count;
  double want = (per - h100.prefillTime(unsigned(std::lround(double(*t.tokensIn) / t.count)))) / h100.stepTime(1);
  CHECK(double(derived.outputTokens("react/steps/think", "react/steps/think#1")) == doctest::Approx(want).epsilon(0.05));
}

TEST_CASE("workload files: an application may name a trace, resolved against the workload's folder") {
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory("llmflow-replay", dir));
  auto write = [&](const std::string &name, const std::string &text) {
    llvm::SmallString<128> p(dir);
    llvm::sys::path::append(p, name);
    std::error_code ec;
    llvm::raw_fd_ostream os(p, ec);
    REQUIRE(!ec);
    os << text;
    return std::string(p);
  };
  std::string path = write("replay.toml", "name = \"r\"\njobs = 10\n[[apps]]\npath = \"../react\"\n"
                                          "trace = \"traces/react.profile.jsonl\"\n[[apps]]\npath = \"../rag\"\n");
  auto w = sim::loadWorkload(path);
  REQUIRE_MESSAGE(bool(w), (w ? std::string() : llvm::toString(w.takeError())));
  REQUIRE(w->apps.size() == 2);
  llvm::SmallString<128> want(dir);
  llvm::sys::path::append(want, "traces/react.profile.jsonl");
  CHECK(w->apps[0].trace == std::string(want));
  CHECK(w->apps[1].trace.empty());

  std::string abs = write("abs.toml", "[[apps]]\npath = \"../react\"\ntrace = \"/data/react.jsonl\"\n");
  auto a = sim::loadWorkload(abs);
  REQUIRE(bool(a));
  CHECK(a->apps[0].trace == "/data/react.jsonl");

  for (const std::string &bad : {std::string("trace = 3\n"), std::string("trace = \"\"\n"), std::string("traces = \"x\"\n")}) {
    CAPTURE(bad);
    auto e = sim::loadWorkload(write("bad.toml", "[[apps]]\npath = \"../react\"\n" + bad));
    REQUIRE_FALSE(bool(e));
    CHECK(llvm::toString(e.takeError()).find("[[apps]]") != std::string::npos);
  }
  llvm::sys::fs::remove_directories(dir);

  // The example workload loads and its trace matches the program.
  auto ex = sim::loadWorkload(LLMFLOW_SOURCE_DIR "/examples/workloads/replay-react.toml");
  REQUIRE_MESSAGE(bool(ex), (ex ? std::string() : llvm::toString(ex.takeError())));
  REQUIRE(ex->apps.size() == 1);
  auto profiles = profile::readProfiles(ex->apps[0].trace);
  REQUIRE_MESSAGE(bool(profiles), (profiles ? std::string() : llvm::toString(profiles.takeError())));
  CHECK(profiles->size() == 60);
  const LoadedExample &react = example("react");
  llvm::Error e = profile::checkAgainst(*profiles, *react.module, "react");
  CHECK_MESSAGE(!e, llvm::toString(std::move(e)));
}

TEST_CASE("trace replay: the committed ReAct trace, recorded on the real-time engine, replays as recorded") {
  const LoadedExample &react = example("react");
  auto profiles = profile::readProfiles(LLMFLOW_SOURCE_DIR "/examples/workloads/traces/react.profile.jsonl");
  REQUIRE(bool(profiles));
  sim::ReplayIndex index(*react.module, *react.app);
  std::vector<sim::SimApp> apps = {react.simApp()};
  apps[0].replay = &index;
  double worst = 0, mean = 0, recordedMean = 0, replayedMean = 0;
  unsigned n = 0;
  for (const profile::JobProfile &p : *profiles) {
    if (p.status != "ok")
      continue;
    std::vector<sim::SimJob> one{{0, react.inputs[(p.job - 1) % react.inputs.size()], 0, p.job, &p}};
    auto fcfs = sched::makeFCFS();
    sim::SimResult r = sim::simulate(apps, one, *fcfs, aloneConfig());
    REQUIRE(r.jobs[0].ok);
    // Every expansion (each loop's iterations, each branch instance's arm) agreed with the record.
    CHECK_MESSAGE(r.replayMismatches == 0, (r.replayNotes.empty() ? "" : r.replayNotes[0]));
    double jct = r.jobs[0].finish - r.jobs[0].arrival, err = std::abs(jct - p.total) / p.total;
    worst = std::max(worst, err);
    mean += err;
    recordedMean += p.total;
    replayedMean += jct;
    ++n;
  }
  REQUIRE(n >= 50);
  MESSAGE("committed react trace: " << n << " jobs, mean recorded " << recordedMean / n << " s, replayed "
                                    << replayedMean / n << " s, mean |error| " << mean / n * 100 << "%, worst "
                                    << worst * 100 << "%");
  // The engine's own overheads (timers, process scheduling) are in the
  // recorded times but not in the simulator's.
  CHECK(mean / n < 0.02);
  CHECK(worst < 0.05);
}

TEST_CASE("profile records: counts that do not fit their fields are errors, not wrapped values") {
  auto record = [](llvm::StringRef field, llvm::json::Value v) {
    llvm::json::Object node{{"kind", "llm"}, {"duration", 1.0}};
    node[field] = std::move(v);
    return llvm::json::Value(llvm::json::Object{{"llmflow_profile", int64_t(profile::kVersion)},
                                                {"app", "a"},
                                                {"total", 1.0},
                                                {"job", int64_t(3)},
                                                {"nodes", llvm::json::Object{{"n", std::move(node)}}}});
  };
  for (const char *f : {"count", "retries", "tokens_in", "tokens_out"}) {
    CAPTURE(f);
    auto ok = profile::fromJSON(record(f, int64_t(7)));
    REQUIRE_MESSAGE(bool(ok), (ok ? std::string() : llvm::toString(ok.takeError())));
    for (llvm::json::Value bad : {llvm::json::Value(int64_t(-1)), llvm::json::Value(int64_t(1) << 40),
                                  llvm::json::Value(2.5), llvm::json::Value("7")}) {
      auto p = profile::fromJSON(record(f, bad));
      REQUIRE_FALSE(bool(p));
      CHECK(llvm::toString(p.takeError()).find(std::string("'") + f + "' must be a whole number") != std::string::npos);
    }
  }
  llvm::json::Value negativeJob = record("count", int64_t(1));
  (*negativeJob.getAsObject())["job"] = int64_t(-2);
  auto p = profile::fromJSON(negativeJob);
  REQUIRE_FALSE(bool(p));
  CHECK(llvm::toString(p.takeError()).find("'job'") != std::string::npos);
}
