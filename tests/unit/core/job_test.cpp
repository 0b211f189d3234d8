// The job state machine driven by hand: tasks are completed with chosen
// values and the test checks what becomes ready, how Dynamic nodes expand,
// and how failures end the job.
#include "../compiler/compile_helpers.h"

#include "common/json_reader.h"
#include "core/eval.h"
#include "core/job.h"

using namespace llmflow;
using rt::Job;
using rt::TaskId;

namespace {

struct Harness {
  std::unique_ptr<test::Compiled> c;
  std::unique_ptr<Job> job;

  Harness(const std::string &src, std::initializer_list<llvm::json::Object::KV> inputs, const char *app = nullptr,
          rt::StructureOracle *oracle = nullptr) {
    c = test::compile(src);
    REQUIRE_MESSAGE(c->module, c->messages());
    const ir::App *a = app ? c->module->findApp(app) : &c->module->apps.back();
    REQUIRE(a);
    job = std::make_unique<Job>(1, *c->module, *a, llvm::json::Object(inputs), oracle);
    job->start();
  }
  /// Instances of the ready tasks, sorted.
  std::vector<std::string> ready() const {
    std::vector<std::string> out;
    for (TaskId t : job->ready())
      out.push_back(job->task(t).instance);
    std::sort(out.begin(), out.end());
    return out;
  }
  TaskId find(const std::string &instance) const {
    for (TaskId t : job->ready())
      if (job->task(t).instance == instance)
        return t;
    FAIL("no ready task " << instance);
    return 0;
  }
  void finish(const std::string &instance, llvm::json::Value v) {
    TaskId t = find(instance);
    job->markRunning(t);
    job->complete(t, rt::TaskOutcome{true, std::move(v), ""});
  }
  std::vector<rt::JobEvent> expansions() {
    std::vector<rt::JobEvent> out;
    for (rt::JobEvent &e : job->takeEvents())
      if (e.kind == rt::JobEvent::Kind::Expanded)
        out.push_back(e);
    return out;
  }
};

using V = std::vector<std::string>;

} // namespace

TEST_CASE("job: independent stages are ready together; dependants wait") {
  Harness h(R"(
app a(q: string) -> string {
  llm x { prompt = "{{q}}"; timeout = 1s; }
  llm y { prompt = "{{q}}!"; timeout = 1s; }
  llm z { prompt = "{{x}} {{y}}"; timeout = 1s; }
  return z;
}
)", {{"q", "hi"}});
  CHECK(h.ready() == V{"a/x", "a/y"});
  CHECK(h.job->task(h.find("a/y")).prompt == "hi!");
  h.finish("a/x", "X");
  CHECK(h.ready() == V{"a/y"});
  h.finish("a/y", "Y");
  REQUIRE(h.ready() == V{"a/z"});
  CHECK(h.job->task(h.find("a/z")).prompt == "X Y");
  h.finish("a/z", "done");
  CHECK(h.job->done());
  CHECK_FALSE(h.job->failed());
  CHECK(h.job->result() == llvm::json::Value("done"));
}

TEST_CASE("job: a loop iterates until its condition, then yields the last value") {
  Harness h(R"(
tool t(x: int) -> bool { exec = ["true"]; }
app a(n: int) -> int {
  loop l (max = 5, init = 0) {
    tool probe = t(x: l)
    yield l + 1;
  } until (probe)
  return l;
}
)", {{"n", 1}});
  CHECK(h.ready() == V{"a/l/probe#1"});
  CHECK(*h.job->task(h.find("a/l/probe#1")).args.getInteger("x") == 0);
  h.finish("a/l/probe#1", false);
  REQUIRE(h.ready() == V{"a/l/probe#2"});
  CHECK(*h.job->task(h.find("a/l/probe#2")).args.getInteger("x") == 1);
  h.finish("a/l/probe#2", true);
  CHECK(h.job->done());
  CHECK(h.job->result() == llvm::json::Value(2));
  auto ex = h.expansions();
  REQUIRE(ex.size() == 1);
  CHECK(ex[0].structure == "iterations");
  CHECK(ex[0].size == 2);
}

TEST_CASE("job: a loop stops at its bound") {
  Harness h(R"(
tool t(x: int) -> bool { exec = ["true"]; }
app a() -> int {
  loop l (max = 3, init = 0) {
    tool probe = t(x: l)
    yield l + 1;
  } until (probe)
  return l;
}
)", {});
  for (int i = 1; i <= 3; ++i)
    h.finish("a/l/probe#" + std::to_string(i), false);
  CHECK(h.job->done());
  CHECK(h.job->result() == llvm::json::Value(3));
}

TEST_CASE("job: a branch runs only the chosen arm; no else gives none") {
  const char *src = R"(
tool t(x: string) -> bool { exec = ["true"]; }
app a(q: string) -> optional<string> {
  tool c = t(x: q)
  if b (c) {
    llm yes { prompt = "yes {{q}}"; timeout = 1s; }
    yield yes;
  }
  return b;
}
)";
  Harness taken(src, {{"q", "x"}});
  taken.finish("a/c", true);
  CHECK(taken.ready() == V{"a/b/yes"});
  taken.finish("a/b/yes", "Y");
  CHECK(taken.job->result() == llvm::json::Value("Y"));
  Harness skipped(src, {{"q", "x"}});
  skipped.finish("a/c", false);
  CHECK(skipped.job->done());
  CHECK(skipped.job->result() == llvm::json::Value(nullptr));
}

TEST_CASE("job: a map fans out with its concurrency and keeps list order") {
  Harness h(R"(
app a(items: list<string>) -> list<string> {
  map m (it in items, concurrency = 2) {
    llm up { prompt = "{{it}}"; timeout = 1s; }
    yield up;
  }
  return m;
}
)", {{"items", llvm::json::Array{"p", "q", "r"}}});
  CHECK(h.ready() == V{"a/m/up[0]", "a/m/up[1]"});
  h.finish("a/m/up[1]", "Q");
  CHECK(h.ready() == V{"a/m/up[0]", "a/m/up[2]"});
  CHECK(h.job->task(h.find("a/m/up[2]")).prompt == "r");
  h.finish("a/m/up[2]", "R");
  h.finish("a/m/up[0]", "P");
  CHECK(h.job->result() == llvm::json::Value(llvm::json::Array{"P", "Q", "R"}));
}

static const char *kPlanner = R"(
tool search(q: string) -> string { exec = ["true"]; }
tool calc(e: string) -> float { exec = ["true"]; }
app a(goal: string) -> list<json> {
  planner p {
    prompt = "plan {{goal}}";
    tools = [search, calc];
    max_steps = 3;
    max_parallel = 1;
    timeout = 1s;
  }
  return p;
}
)";

TEST_CASE("job: a valid plan expands into steps honouring after and max_parallel") {
  Harness h(kPlanner, {{"goal", "g"}});
  h.finish("a/p", llvm::json::parse(R"({"steps": [
      {"id": 1, "tool": "search", "args": {"q": "a"}},
      {"id": 2, "tool": "calc", "args": {"e": "1+1"}},
      {"id": 3, "tool": "search", "args": {"q": "b"}, "after": [1]}]})").get());
  // max_parallel = 1: one step at a time even though 1 and 2 are independent.
  REQUIRE_MESSAGE(h.job->ready().size() == 1, h.job->error());
  CHECK(h.ready() == V{"a/p.steps/search#1"});
  CHECK(h.job->task(h.job->ready()[0]).nodeId == "a/p.steps/search");
  h.finish("a/p.steps/search#1", "A");
  CHECK(h.ready() == V{"a/p.steps/calc#2"}); // plan order among ready steps
  h.finish("a/p.steps/calc#2", 2.0);
  h.finish("a/p.steps/search#3", "B");
  CHECK(h.job->result() == llvm::json::Value(llvm::json::Array{"A", 2.0, "B"}));
}

TEST_CASE("job: an invalid plan gets one repair round, then fails the job") {
  Harness h(kPlanner, {{"goal", "g"}});
  h.finish("a/p", llvm::json::parse(R"({"steps": [{"id": 1, "tool": "rm", "args": {}}]})").get());
  REQUIRE(h.ready() == V{"a/p"});
  CHECK(h.job->task(h.find("a/p")).repairNote.find("'rm' is not one of search, calc") != std::string::npos);
  h.finish("a/p", "not json at all");
  CHECK(h.job->failed());
  CHECK(h.job->error().find("invalid plan") != std::string::npos);
}

TEST_CASE("job: plan validation names the problem") {
  for (auto [plan, why] : std::vector<std::pair<const char *, const char *>>{
           {R"({"steps": []})", "no steps"},
           {R"({"steps": [{"id":1,"tool":"search","args":{"q":"a"}},{"id":2,"tool":"search","args":{"q":"b"}},
               {"id":3,"tool":"search","args":{"q":"c"}},{"id":4,"tool":"search","args":{"q":"d"}}]})", "at most 3"},
           {R"({"steps": [{"id":1,"tool":"search","args":{}}]})", "missing argument 'q'"},
           {R"({"steps": [{"id":1,"tool":"search","args":{"q":5}}]})", "expected string"},
           {R"({"steps": [{"id":1,"tool":"search","args":{"q":"a"},"after":[2]}]})", "not an earlier step"},
           {R"({"steps": [{"id":1,"tool":"search","args":{"q":"a"}},{"id":1,"tool":"calc","args":{"e":"x"}}]})", "used twice"},
       }) {
    Harness h(kPlanner, {{"goal", "g"}});
    h.finish("a/p", llvm::json::parse(plan).get());
    REQUIRE(h.ready() == V{"a/p"});
    CHECK_MESSAGE(h.job->task(h.find("a/p")).repairNote.find(why) != std::string::npos,
                  h.job->task(h.find("a/p")).repairNote);
  }
}

TEST_CASE("job: a plan given as hostile text is rejected with the reason") {
  for (auto [plan, why] : std::vector<std::pair<std::string, const char *>>{
           {std::string(100000, '[') + std::string(100000, ']'), "nested deeper than 256 levels"},
           {R"({"steps": [], "steps": [{"id":1,"tool":"search","args":{"q":"a"}}]})", "duplicate key 'steps'"},
       }) {
    Harness h(kPlanner, {{"goal", "g"}});
    h.finish("a/p", llvm::json::Value(plan));
    REQUIRE(h.ready() == V{"a/p"});
    CHECK_MESSAGE(h.job->task(h.find("a/p")).repairNote.find(why) != std::string::npos,
                  h.job->task(h.find("a/p")).repairNote);
  }
}

TEST_CASE("job: a sub-workflow call runs the callee's stages with its own inputs") {
  Harness h(R"(
app inner(x: string) -> string {
  llm e { prompt = "inner {{x}}"; timeout = 1s; }
  return e;
}
app outer(q: string) -> string {
  call c = inner(x: q + "!")
  return c;
}
)", {{"q", "hi"}}, "outer");
  REQUIRE(h.ready() == V{"inner/e@outer/c"});
  CHECK(h.job->task(h.find("inner/e@outer/c")).prompt == "inner hi!");
  h.finish("inner/e@outer/c", "E");
  CHECK(h.job->result() == llvm::json::Value("E"));
}

TEST_CASE("job: bad inputs, failed tasks and wrongly typed outputs fail the job with a reason") {
  const char *src = R"(
record R { n: int }
app a(k: int) -> int {
  llm x -> R { prompt = "{{k}}"; timeout = 1s; }
  return x.n;
}
)";
  Harness missing(src, {});
  CHECK(missing.job->failed());
  CHECK(missing.job->error().find("missing input 'k' of type int") != std::string::npos);
  Harness wrong(src, {{"k", "seven"}});
  CHECK(wrong.job->error().find("input 'k' must be int") != std::string::npos);
  Harness failed(src, {{"k", 7}});
  TaskId t = failed.find("a/x");
  failed.job->markRunning(t);
  failed.job->complete(t, rt::TaskOutcome{false, nullptr, "endpoint down"});
  CHECK(failed.job->failed());
  CHECK(failed.job->error().find("endpoint down") != std::string::npos);
  Harness badType(src, {{"k", 7}});
  badType.finish("a/x", llvm::json::Object{{"n", "not a number"}});
  CHECK(badType.job->failed());
  CHECK(badType.job->error().find("field 'n'") != std::string::npos);
}

namespace {
struct FixedOracle : rt::StructureOracle {
  unsigned arm = 1, stopAfter = 2;
  std::optional<unsigned> branchArm(const ir::Node &, llvm::StringRef) override { return arm; }
  std::optional<bool> loopStops(const ir::Node &, llvm::StringRef, unsigned it) override { return it >= stopAfter; }
};
} // namespace

TEST_CASE("job: a structure oracle overrides branch and loop decisions") {
  FixedOracle o;
  Harness h(R"(
tool t(x: int) -> bool { exec = ["true"]; }
app a() -> int {
  loop l (max = 5, init = 0) {
    tool probe = t(x: l)
    yield l + 1;
  } until (probe)
  if b (true) { yield 10; } else { yield l; }
  return b;
}
)", {}, nullptr, &o);
  h.finish("a/l/probe#1", true); // the condition says stop; the oracle says go on
  h.finish("a/l/probe#2", false);
  CHECK(h.job->done());
  CHECK(h.job->result() == llvm::json::Value(2)); // else arm chosen by the oracle
}

TEST_CASE("conforms: an int is an int64; 1e23, 2^63 and fractions are not") {
  llmflow::ir::Module m;
  llmflow::ir::Type intType;
  intType.kind = llmflow::ir::Type::Kind::Int;
  auto isInt = [&](llvm::StringRef text) {
    auto v = llmflow::parseJSON(text);
    REQUIRE(bool(v));
    return llmflow::rt::conforms(*v, intType, m);
  };
  CHECK(isInt("5"));
  CHECK(isInt("4.0"));
  CHECK(isInt("9223372036854775807"));
  CHECK(isInt("-9223372036854775808"));
  CHECK_FALSE(isInt("1e23"));
  CHECK_FALSE(isInt("9223372036854775808"));
  CHECK_FALSE(isInt("9223372036854775807.5"));
  CHECK_FALSE(isInt("-1e19"));
  CHECK_FALSE(isInt("2.5"));
  CHECK(llmflow::rt::conforms(llvm::json::Value(uint64_t(1) << 63), intType, m) == false);
}
