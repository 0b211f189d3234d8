// Engine benchmarks (a separate command, not a test):
//  1. dispatch overhead: jobs of a chain (or a fan-out: one stage, W
//     parallel stages, a join) with a zero-latency executor, so all time is
//     the engine's (job state machine, scheduler, Asio posts; events are
//     discarded): microseconds per stage, stages/s, min and median over
//     repeats. bench/asyncio_dispatch.py is the same in plain Python asyncio;
//  2. memory per active job: RSS growth while many jobs wait on tasks that
//     have not returned yet.
//   bench_engine [JOBS] [REPEATS] [STAGES] [SLOTS] [chain|fanout] [ACTIVE]
//   (defaults 200, 5, 50, 64, chain, 2000; ACTIVE 0 skips the memory row)
#include "driver/driver.h"
#include "engine/engine.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>

using namespace llmflow;

namespace {

/// Completes every task at once (posted, never inside the engine's call).
class ZeroExecutor : public engine::TaskExecutor {
public:
  explicit ZeroExecutor(boost::asio::io_context &io) : io(io) {}
  void run(const rt::Task &, rt::Job &, engine::ExecCallback done) override {
    if (hold) {
      held.push_back(std::move(done));
      return;
    }
    boost::asio::post(io, [done = std::move(done)] {
      engine::ExecResult r;
      r.outcome.value = "x";
      done(std::move(r));
    });
  }
  void cancel(rt::JobId, rt::TaskId) override {} // tasks finish at once anyway
  std::string name() const override { return "zero"; }
  bool hold = false;
  std::vector<engine::ExecCallback> held;

private:
  boost::asio::io_context &io;
};

size_t rssBytes() {
  std::ifstream f("/proc/self/statm");
  size_t pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * 4096;
}

/// Discards events: the dispatch figure is the engine's, not a log's.
class NullSink : public engine::EventSink {
public:
  void record(const engine::Event &) override {}
};

/// The benchmark's program: a chain of `stages` LLM stages, or a fan-out
/// (a first stage, stages - 2 parallel ones reading it, a join reading all).
std::string program(unsigned stages, bool fanout) {
  std::string src = "app bench(q: string) -> string {\n";
  auto stage = [&](const std::string &n, const std::string &reads) {
    src += "  llm " + n + " { prompt = \"step " + reads + "\"; timeout = 5s; max_tokens = 16; }\n";
  };
  if (!fanout) {
    std::string prev = "q";
    for (unsigned i = 0; i < stages; ++i) {
      stage("s" + std::to_string(i), "{{" + prev + "}}");
      prev = "s" + std::to_string(i);
    }
    return src + "  return " + prev + ";\n}\n";
  }
  stage("first", "{{q}}");
  std::string all;
  for (unsigned i = 0; i + 2 < stages; ++i) {
    stage("w" + std::to_string(i), "{{first}}");
    all += "{{w" + std::to_string(i) + "}} ";
  }
  stage("join", all);
  return src + "  return join;\n}\n";
}

} // namespace

int main(int argc, char **argv) {
  unsigned jobs = argc > 1 ? unsigned(std::atoi(argv[1])) : 200;
  unsigned repeats = argc > 2 ? unsigned(std::atoi(argv[2])) : 5;
  unsigned stages = argc > 3 ? unsigned(std::atoi(argv[3])) : 50;
  unsigned slots = argc > 4 ? unsigned(std::atoi(argv[4])) : 64;
  std::string shape = argc > 5 ? argv[5] : "chain";
  unsigned active = argc > 6 ? unsigned(std::atoi(argv[6])) : 2000;
  if (!jobs || !repeats || stages < 3 || !slots || (shape != "chain" && shape != "fanout")) {
    llvm::errs() << "usage: bench_engine [JOBS] [REPEATS] [STAGES >= 3] [SLOTS] [chain|fanout] [ACTIVE]\n";
    return 2;
  }
  std::string src = program(stages, shape == "fanout");
  support::CollectingDiagnosticConsumer diags;
  driver::Options opts;
  opts.stdlibDir = LLMFLOW_SOURCE_DIR "/stdlib";
  driver::Session session(diags, opts);
  if (!session.loadSource("bench.llmflow", src) || !session.check()) {
    llvm::errs() << "bench program failed to check\n";
    return 1;
  }
  auto m = session.lower();
  if (!m) {
    llvm::errs() << llvm::toString(m.takeError()) << "\n";
    return 1;
  }
  const ir::App &app = m->apps[0];

  std::vector<double> perStage;
  for (unsigned r = 0; r < repeats; ++r) {
    boost::asio::io_context io;
    engine::EngineClock clock;
    ZeroExecutor exec(io);
    auto fcfs = sched::makeFCFS();
    NullSink sink;
    engine::Engine eng(io, clock, {&*m}, *fcfs, exec, exec, sink, {slots, slots});
    for (unsigned j = 0; j < jobs; ++j)
      eng.submit(*m, app, llvm::json::Object{{"q", "go"}}, 0);
    auto t0 = std::chrono::steady_clock::now();
    eng.run();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    unsigned ok = 0;
    for (auto &kv : eng.records())
      ok += kv.second.ok;
    if (ok != jobs) {
      llvm::errs() << "only " << ok << " of " << jobs << " jobs finished\n";
      return 1;
    }
    perStage.push_back(s / double(jobs * stages));
  }
  std::sort(perStage.begin(), perStage.end());
  double med = perStage[perStage.size() / 2];
  llvm::outs() << llvm::format("dispatch: %u jobs x %u stages (%s), %u slots, zero-latency executor, %u runs: "
                               "min %.2f us, median %.2f us per stage, %.0f stages/s\n",
                               jobs, stages, shape.c_str(), slots, repeats, perStage.front() * 1e6, med * 1e6,
                               1.0 / med);
  if (!active)
    return 0;

  // Memory per active job: every job holds one task in flight.
  {
    boost::asio::io_context io;
    engine::EngineClock clock;
    ZeroExecutor exec(io);
    exec.hold = true;
    auto fcfs = sched::makeFCFS();
    NullSink sink;
    size_t before = rssBytes();
    engine::Engine eng(io, clock, {&*m}, *fcfs, exec, exec, sink, {active, active});
    for (unsigned j = 0; j < active; ++j)
      eng.submit(*m, app, llvm::json::Object{{"q", "go"}}, 0);
    io.run_for(std::chrono::milliseconds(500));
    size_t after = rssBytes();
    llvm::outs() << llvm::format("memory: %u active jobs (one task in flight each, events discarded): "
                                 "%.1f KiB per job\n",
                                 active, double(after - before) / active / 1024.0);
    if (exec.held.size() != active)
      llvm::errs() << "warning: " << exec.held.size() << " tasks in flight, expected " << active << "\n";
  }
  return 0;
}
