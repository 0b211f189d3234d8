// The call cache on its own: which calls it may answer, that its key changes
// with every part of a call (stage, prompt, model, parameters, executor) and
// nothing else, what the store gives back, the errors for bad files, and the
// decorator answering a repeated call without running it.
#include "cache/caching_executor.h"
#include "engine/tool_request.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <fstream>

using namespace llmflow;
using namespace llmflow::cache;

namespace {
std::string scratch(const char *name) {
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory("cache-test", dir));
  llvm::sys::path::append(dir, name);
  return std::string(dir);
}

/// An LLM stage at temperature `t`.
struct LLMStage {
  ir::Node node;
  rt::Task task;
  explicit LLMStage(double t = 0, std::string prompt = "What is 2+2?") {
    node.id = "app/answer";
    node.executor = ir::ExecutorClass::LLM;
    node.llm = ir::LLMPayload{};
    node.llm->model = "small";
    node.llm->temperature = t;
    task.node = &node;
    task.nodeId = node.id;
    task.instance = node.id;
    task.executor = ir::ExecutorClass::LLM;
    task.prompt = std::move(prompt);
  }
  std::string key(const CacheRules &rules = {}, llvm::StringRef executor = "sim-llm") const {
    auto request = engine::renderedRequest(task);
    REQUIRE(bool(request));
    return cacheKey(executor, task, *request, rules);
  }
};

/// A tool stage running `echo ARG`.
struct ToolStage {
  ir::ToolDef tool;
  ir::Node node;
  rt::Task task;
  ToolStage() {
    tool.name = "echo";
    tool.impl = ir::ToolDef::Impl::Builtin;
    tool.builtin = "text.upper";
    node.id = "app/shout";
    node.tool = ir::ToolPayload{"echo", {}};
    task.node = &node;
    task.nodeId = node.id;
    task.tool = &tool;
    task.args = llvm::json::Object{{"text", "hi"}};
  }
};

std::unique_ptr<CallCache> openCache(const std::string &path) {
  auto c = CallCache::open(path);
  REQUIRE_MESSAGE(bool(c), (c ? "" : llvm::toString(c.takeError())));
  return std::move(*c);
}

std::string openError(const std::string &path) {
  auto c = CallCache::open(path);
  REQUIRE(!c);
  return llvm::toString(c.takeError());
}
} // namespace

TEST_CASE("the same call has the same key") {
  CHECK(LLMStage().key() == LLMStage().key());
  CHECK(LLMStage().key().size() == 64);
}

TEST_CASE("any difference in stage, prompt, model, parameters or executor changes the key") {
  LLMStage base;
  std::string k = base.key();
  LLMStage other;
  other.node.id = other.task.nodeId = "app/other";
  CHECK(other.key() != k);
  CHECK(LLMStage(0, "What is 2+3?").key() != k);
  LLMStage model;
  model.node.llm->model = "large";
  CHECK(model.key() != k);
  LLMStage tokens;
  tokens.node.llm->maxTokens = 100;
  CHECK(tokens.key() != k);
  LLMStage temperature(0.5);
  CHECK(temperature.key() != k);
  LLMStage system;
  system.task.system = "Be brief.";
  CHECK(system.key() != k);
  CHECK(base.key({}, "http-llm") != k);
  CacheRules params;
  params.modelParams.insert_or_assign("small", llvm::json::Object{{"extra", llvm::json::Object{{"top_p", 0.9}}}});
  CHECK(base.key(params) != k);
  CacheRules otherModel; // parameters of another model do not matter
  otherModel.modelParams.insert_or_assign("large", llvm::json::Object{{"extra", llvm::json::Object{{"top_p", 0.9}}}});
  CHECK(base.key(otherModel) == k);
  // What the request does not contain does not count: the task's number, its job.
  LLMStage later;
  later.task.id = 42;
  later.task.job = 7;
  CHECK(later.key() == k);
}

TEST_CASE("tool calls are keyed by their rendered request") {
  ToolStage a, b;
  auto key = [](const ToolStage &s) {
    auto r = engine::renderedRequest(s.task);
    REQUIRE(bool(r));
    return cacheKey("tools", s.task, *r, {});
  };
  CHECK(key(a) == key(b));
  b.task.args["text"] = "ho";
  CHECK(key(a) != key(b));
}

TEST_CASE("temperature above 0 is cached only when asked") {
  CacheRules rules;
  CHECK(eligible(LLMStage(0).task, rules));
  CHECK(!eligible(LLMStage(0.7).task, rules));
  LLMStage always(0.7);
  always.node.policy.cache = ir::CachePolicy::Always;
  CHECK(eligible(always.task, rules));
  LLMStage on(0.7); // true: still deterministic calls only
  on.node.policy.cache = ir::CachePolicy::On;
  CHECK(!eligible(on.task, rules));
  LLMStage off(0);
  off.node.policy.cache = ir::CachePolicy::Off;
  CHECK(!eligible(off.task, rules));
}

TEST_CASE("a model's rule applies where the stage sets none") {
  CacheRules rules;
  rules.models["small"] = ir::CachePolicy::Always;
  CHECK(eligible(LLMStage(0.7).task, rules));
  rules.models["small"] = ir::CachePolicy::Off;
  CHECK(!eligible(LLMStage(0).task, rules));
  LLMStage stage(0);
  stage.node.policy.cache = ir::CachePolicy::On; // the stage wins
  CHECK(eligible(stage.task, rules));
  rules.models.clear();
  rules.models["large"] = ir::CachePolicy::Off;
  CHECK(eligible(LLMStage(0).task, rules));
}

TEST_CASE("tool calls are cached unless their stage or tool says cache = false") {
  ToolStage s;
  CHECK(eligible(s.task, {}));
  s.node.policy.cache = ir::CachePolicy::Off;
  CHECK(!eligible(s.task, {}));
}

TEST_CASE("the store gives back value, tokens and transcript, across opens") {
  std::string path = scratch("c.db");
  {
    auto c = openCache(path);
    CachedCall call{llvm::json::Object{{"x", 1}}, 12, 3,
                    engine::Transcript{llvm::json::Object{{"model", "small"}}, "{\"x\":1}", "warn"}};
    REQUIRE(!c->store("k1", "app/a", call));
    REQUIRE(!c->store("k2", "app/b", CachedCall{"plain", std::nullopt, std::nullopt, std::nullopt}));
    // A key already stored keeps its first result.
    REQUIRE(!c->store("k1", "app/a", CachedCall{"other", 1, 1, std::nullopt}));
  }
  auto c = openCache(path);
  auto one = c->lookup("k1");
  REQUIRE(bool(one));
  REQUIRE(one->has_value());
  CHECK((*one)->value == llvm::json::Value(llvm::json::Object{{"x", 1}}));
  CHECK((*one)->tokensIn == 12u);
  CHECK((*one)->tokensOut == 3u);
  REQUIRE((*one)->transcript);
  CHECK((*one)->transcript->response == "{\"x\":1}");
  CHECK((*one)->transcript->stderrText == "warn");
  auto two = c->lookup("k2");
  REQUIRE(bool(two));
  REQUIRE(two->has_value());
  CHECK((*two)->value == llvm::json::Value("plain"));
  CHECK(!(*two)->tokensIn);
  CHECK(!(*two)->transcript);
  auto none = c->lookup("k3");
  REQUIRE(bool(none));
  CHECK(!none->has_value());
}

TEST_CASE("a folder holds the cache as llmflow-cache.db") {
  std::string dir = scratch("folder");
  REQUIRE(!llvm::sys::fs::create_directory(dir));
  auto c = openCache(dir);
  CHECK(llvm::StringRef(c->file()).endswith("llmflow-cache.db"));
  CHECK(llvm::sys::fs::exists(c->file()));
}

TEST_CASE("bad cache files are clear errors") {
  std::string junk = scratch("junk.db");
  std::ofstream(junk) << std::string(8192, 'x');
  CHECK(openError(junk).find("not an SQLite database, or a damaged one") != std::string::npos);

  std::string other = scratch("other.db");
  {
    sqlite3 *db = nullptr;
    REQUIRE(sqlite3_open(other.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  CHECK(openError(other).find("not an llmflow call cache") != std::string::npos);

  std::string missingDir = scratch("no/such/folder/c.db");
  CHECK(openError(missingDir).find("cannot open") != std::string::npos);
}

namespace {
/// Answers every task at once with a value and a transcript, counting runs;
/// fails while `failing`.
class CountingExecutor : public engine::TaskExecutor {
public:
  explicit CountingExecutor(boost::asio::io_context &io) : io(io) {}
  void run(const rt::Task &task, rt::Job &, engine::ExecCallback done) override {
    ++runs;
    engine::ExecResult r;
    r.outcome.ok = !failing;
    r.outcome.value = "answer to " + task.prompt;
    r.tokensIn = 5;
    r.tokensOut = 2;
    r.endpoint = "e1";
    if (recordContent)
      r.transcript = engine::Transcript{llvm::json::Object{{"prompt", task.prompt}}, "raw", ""};
    boost::asio::post(io, [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
  }
  void cancel(rt::JobId, rt::TaskId) override {}
  std::string name() const override { return "counting"; }
  unsigned runs = 0;
  bool failing = false;

private:
  boost::asio::io_context &io;
};

engine::ExecResult runOnce(boost::asio::io_context &io, engine::TaskExecutor &e, const rt::Task &task) {
  std::optional<engine::ExecResult> out;
  static ir::Module module;
  static ir::App app;
  rt::Job job(1, module, app, {}); // never started: neither executor here looks at it
  e.run(task, job, [&](engine::ExecResult r) { out = std::move(r); });
  io.restart();
  io.run();
  REQUIRE(out);
  return std::move(*out);
}
} // namespace

TEST_CASE("a repeated call is answered from the cache with the original's value, tokens and transcript") {
  boost::asio::io_context io;
  CountingExecutor inner(io);
  auto store = openCache(scratch("c.db"));
  CachingExecutor cached(io, inner, *store, {});
  cached.setRecordContent(true);
  LLMStage stage;
  engine::ExecResult first = runOnce(io, cached, stage.task);
  CHECK(inner.runs == 1);
  CHECK(first.cacheHit == false);
  engine::ExecResult second = runOnce(io, cached, stage.task);
  CHECK(inner.runs == 1);
  CHECK(second.cacheHit == true);
  CHECK(second.outcome.ok);
  CHECK(second.outcome.value == first.outcome.value);
  CHECK(second.tokensIn == first.tokensIn);
  CHECK(second.tokensOut == first.tokensOut);
  REQUIRE(second.transcript);
  CHECK(second.transcript->request == first.transcript->request);
  CHECK(second.transcript->response == "raw");
  CHECK(second.endpoint == "cache");
  // Another prompt is another call.
  runOnce(io, cached, LLMStage(0, "Why?").task);
  CHECK(inner.runs == 2);
  CHECK(cached.firstError().empty());
}

TEST_CASE("failures are not cached, ineligible calls are not counted, transcripts only when asked") {
  boost::asio::io_context io;
  CountingExecutor inner(io);
  auto store = openCache(scratch("c.db"));
  CachingExecutor cached(io, inner, *store, {});
  LLMStage stage;
  inner.failing = true;
  CHECK(runOnce(io, cached, stage.task).cacheHit == false);
  CHECK(runOnce(io, cached, stage.task).cacheHit == false);
  CHECK(inner.runs == 2);
  inner.failing = false;
  engine::ExecResult ok = runOnce(io, cached, stage.task);
  CHECK(!ok.transcript); // recorded for the store, not passed on
  CHECK(runOnce(io, cached, stage.task).cacheHit == true);
  CHECK(inner.runs == 3);
  LLMStage sampled(0.7);
  CHECK(!runOnce(io, cached, sampled.task).cacheHit);
  CHECK(!runOnce(io, cached, sampled.task).cacheHit);
  CHECK(inner.runs == 5);
}
