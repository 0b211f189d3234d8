// bench_spawn: spawn /bin/true N times (default 1000), at most C at once
// (default 32), on one io_context; prints the median and p90 spawn-to-exit
// latency (runProcess call to callback), processes per second, and the
// parent's own CPU time per process.
// Usage: bench_spawn [count] [concurrency]
#include "exec/process.h"

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include <sys/resource.h>

using Clock = std::chrono::steady_clock;

int main(int argc, char **argv) {
  int count = argc > 1 ? std::atoi(argv[1]) : 1000;
  int concurrency = argc > 2 ? std::atoi(argv[2]) : 32;
  if (count < 1 || concurrency < 1) {
    std::fprintf(stderr, "usage: bench_spawn [count >= 1] [concurrency >= 1]\n");
    return 2;
  }
  boost::asio::io_context io;
  std::vector<double> latencies;
  latencies.reserve(count);
  int started = 0, failures = 0;

  std::function<void()> launch = [&] {
    if (started >= count)
      return;
    ++started;
    auto t0 = Clock::now();
    llmflow::exec::ProcessSpec spec;
    spec.argv = {"/bin/true"};
    spec.timeoutSeconds = 10;
    llmflow::exec::runProcess(io, spec, [&, t0](llvm::Expected<llmflow::exec::ProcessResult> r) {
      latencies.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
      if (!r) {
        ++failures;
        llvm::consumeError(r.takeError());
      } else if (r->exitCode != 0) {
        ++failures;
      }
      launch();
    });
  };

  auto begin = Clock::now();
  for (int i = 0; i < concurrency; ++i)
    launch();
  io.run();
  double total = std::chrono::duration<double>(Clock::now() - begin).count();

  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) { return latencies[std::min(latencies.size() - 1, size_t(p * latencies.size()))]; };
  std::printf("processes:        %d (concurrency %d, failures %d)\n", count, concurrency, failures);
  std::printf("spawn-to-exit:    median %.3f ms, p90 %.3f ms, max %.3f ms\n", pct(0.5) * 1e3, pct(0.9) * 1e3,
              latencies.back() * 1e3);
  std::printf("throughput:       %.0f processes/s (%.3f s total)\n", count / total, total);
  // CPU of this process only (spawning, event loop, reaping), not the children's.
  struct rusage self;
  getrusage(RUSAGE_SELF, &self);
  double cpu = self.ru_utime.tv_sec + self.ru_utime.tv_usec * 1e-6 + self.ru_stime.tv_sec + self.ru_stime.tv_usec * 1e-6;
  std::printf("parent CPU:       %.3f ms per process (user+system)\n", cpu / count * 1e3);
  return failures ? 1 : 0;
}
