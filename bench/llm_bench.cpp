// bench_llm: N concurrent streaming chat requests (default 1,000) from one
// io_context through LLMClient to tests/servers/fake_openai.py, which it
// starts itself. Prints errors, wall time, requests/s and latency
// percentiles; exits 1 if any request failed.
//
//   bench_llm [--requests N] [--max-in-flight N] [--ttft S] [--tpot S]
//             [--reply-words N] [--no-stream] [--hang-percent P]
//             [--first-token S] [--attempts N] [--hedge]
//
// With --hang-percent, that share of the requests (evenly spread) hang on
// their first attempt: the server reads them and never answers. Each then
// holds a slot until the first-token timeout and succeeds on its retry
// (--attempts 2), or is hedged (--hedge): how much throughput hung requests
// cost, compared with the same run without them.
#include "fake_openai_process.h"
#include "llm/llm_client.h"

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/resource.h>
#include <vector>

using namespace llmflow::llm;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  unsigned requests = 1000;
  unsigned maxInFlight = 1000;
  double ttft = 0.05;
  double tpot = 0.005;
  unsigned replyWords = 32;
  bool stream = true;
  double hangPercent = 0;
  double firstToken = 30;
  unsigned attempts = 1;
  bool hedge = false;
};

bool parse(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char * { return i + 1 < argc ? argv[++i] : nullptr; };
    const char *v = nullptr;
    if (a == "--no-stream") {
      o.stream = false;
      continue;
    }
    if (a == "--hedge") {
      o.hedge = true;
      continue;
    }
    if (a == "--help" || a == "-h")
      return false;
    if (!(v = next()))
      return false;
    if (a == "--requests")
      o.requests = static_cast<unsigned>(std::stoul(v));
    else if (a == "--max-in-flight")
      o.maxInFlight = static_cast<unsigned>(std::stoul(v));
    else if (a == "--ttft")
      o.ttft = std::stod(v);
    else if (a == "--tpot")
      o.tpot = std::stod(v);
    else if (a == "--reply-words")
      o.replyWords = static_cast<unsigned>(std::stoul(v));
    else if (a == "--hang-percent")
      o.hangPercent = std::stod(v);
    else if (a == "--first-token")
      o.firstToken = std::stod(v);
    else if (a == "--attempts")
      o.attempts = static_cast<unsigned>(std::stoul(v));
    else
      return false;
  }
  return o.requests > 0 && o.hangPercent >= 0 && o.hangPercent <= 50 && o.firstToken > 0 && o.attempts > 0;
}

double percentile(std::vector<double> sorted, double p) {
  size_t idx = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(idx, sorted.size() - 1)];
}

} // namespace

int main(int argc, char **argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(stderr, "usage: bench_llm [--requests N] [--max-in-flight N] [--ttft S] "
                         "[--tpot S] [--reply-words N] [--no-stream] [--hang-percent P] "
                         "[--first-token S] [--attempts N] [--hedge]\n");
    return 2;
  }
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max; // one socket per concurrent request
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }

  llmflow::testing::FakeOpenAIServer server({"--ttft", std::to_string(o.ttft), "--tpot",
                                             std::to_string(o.tpot), "--reply-words",
                                             std::to_string(o.replyWords)});
  boost::asio::io_context io;
  ClientConfig config;
  Endpoint ep;
  ep.name = "fake";
  ep.baseUrl = server.baseUrl();
  ep.maxInFlight = o.maxInFlight;
  config.endpoints.push_back(ep);
  config.hedging.enabled = o.hedge;
  LLMClient client(io, config);

  Timeouts timeouts;
  timeouts.connectSeconds = 10;
  timeouts.firstTokenSeconds = o.firstToken;
  timeouts.idleSeconds = 30;
  timeouts.totalSeconds = 60;
  RetryPolicy retry;
  retry.attempts = o.attempts; // default 1: measure, do not hide failures behind retries
  // Every stride-th request hangs (0: none).
  unsigned stride = o.hangPercent > 0 ? std::max(1u, unsigned(100.0 / o.hangPercent + 0.5)) : 0;
  unsigned hung = 0;

  std::vector<double> latencies;
  latencies.reserve(o.requests);
  unsigned errors = 0, done = 0, badContent = 0;
  uint64_t tokens = 0;
  std::string firstError;
  auto start = Clock::now();
  for (unsigned i = 0; i < o.requests; ++i) {
    ChatRequest req;
    req.model = "fake";
    std::string text = "benchmark request " + std::to_string(i);
    if (stride && i % stride == stride - 1) {
      text += " [[fault:hangx1]]"; // the first attempt hangs, a second one answers
      ++hung;
    }
    req.messages = {{"user", text}};
    req.maxTokens = o.replyWords + 8;
    req.stream = o.stream;
    auto submitted = Clock::now();
    client.submit(std::move(req), timeouts, retry, [&, submitted](llvm::Expected<ChatResult> r) {
      ++done;
      latencies.push_back(std::chrono::duration<double>(Clock::now() - submitted).count());
      if (!r) {
        std::string msg = llvm::toString(r.takeError());
        if (errors++ == 0)
          firstError = msg;
        return;
      }
      if (r->completionTokens != o.replyWords)
        ++badContent;
      tokens += r->completionTokens.value_or(0);
    });
  }
  io.run();
  double wall = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());

  std::printf("requests         %u (%s, max in flight %u)\n", o.requests,
              o.stream ? "streaming" : "non-streaming", o.maxInFlight);
  std::printf("server           ttft %.3f s, %.4f s/token, %u tokens per reply\n", o.ttft, o.tpot,
              o.replyWords);
  if (stride)
    std::printf("hung requests    %u (first attempt; first-token timeout %.1f s, %u attempts, hedging %s)\n", hung,
                o.firstToken, o.attempts, o.hedge ? "on" : "off");
  std::printf("errors           %u\n", errors + badContent);
  std::printf("wall time        %.3f s\n", wall);
  std::printf("requests/s       %.1f\n", static_cast<double>(done) / wall);
  std::printf("tokens/s         %.0f\n", static_cast<double>(tokens) / wall);
  rusage self{};
  ::getrusage(RUSAGE_SELF, &self);
  auto cpu = [](const timeval &t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  std::printf("client CPU       %.3f s user, %.3f s system (the server is a separate process)\n",
              cpu(self.ru_utime), cpu(self.ru_stime));
  if (!latencies.empty()) {
    std::printf("latency p50      %.3f s\n", percentile(latencies, 0.50));
    std::printf("latency p99      %.3f s\n", percentile(latencies, 0.99));
    std::printf("latency max      %.3f s\n", latencies.back());
  }
  std::printf("ideal latency    %.3f s (ttft + tokens x tpot)\n",
              o.ttft + o.tpot * (o.replyWords > 0 ? o.replyWords - 1 : 0));
  if (errors)
    std::fprintf(stderr, "first error: %s\n", firstError.c_str());
  if (badContent)
    std::fprintf(stderr, "%u replies had the wrong token count\n", badContent);
  return errors + badContent == 0 && done == o.requests ? 0 : 1;
}
