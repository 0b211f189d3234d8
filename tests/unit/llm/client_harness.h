// Test support for LLMClient integration tests: a fake_openai.py server per
// test, an io_context, helpers to run requests to completion with a wall-time
// cap, and a blocking HTTP GET for the server's /metrics and /last_request.
#pragma once

#include "fake_openai_process.h"
#include "llm/llm_client.h"

#include <boost/asio/io_context.hpp>
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <chrono>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>

namespace llmflow::llm::testing {

using Clock = std::chrono::steady_clock;

/// The outcome of one request, flattened for CHECKs.
struct Outcome {
  bool done = false;
  std::optional<ChatResult> result;
  std::optional<ErrorKind> kind;
  std::string message;
  std::optional<double> retryAfter;
  double seconds = 0;
  bool ok() const { return result.has_value(); }
};

inline Outcome flatten(llvm::Expected<ChatResult> r) {
  Outcome o;
  o.done = true;
  if (r) {
    o.result = std::move(*r);
    return o;
  }
  llvm::handleAllErrors(r.takeError(), [&](const LLMError &e) {
    o.kind = e.kind;
    o.message = e.message;
    o.retryAfter = e.retryAfterSeconds;
  });
  return o;
}

inline std::string httpGet(const std::string &url) {
  std::string body;
  CURL *easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(
      easy, CURLOPT_WRITEFUNCTION, +[](char *p, size_t s, size_t n, void *out) {
        static_cast<std::string *>(out)->append(p, s * n);
        return s * n;
      });
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl_easy_perform(easy);
  curl_easy_cleanup(easy);
  REQUIRE_MESSAGE(rc == CURLE_OK, "GET " << url << ": " << curl_easy_strerror(rc));
  return body;
}

/// A metric's value from the server's Prometheus text (-1 if absent).
inline double metric(const llmflow::testing::FakeOpenAIServer &server, llvm::StringRef name) {
  std::string text = httpGet(server.baseUrl() + "/metrics");
  llvm::StringRef rest = text;
  while (!rest.empty()) {
    auto [line, tail] = rest.split('\n');
    rest = tail;
    if (line.startswith(name) && line.size() > name.size() &&
        (line[name.size()] == ' ' || line[name.size()] == '{')) {
      double v = -1;
      line.rsplit(' ').second.trim().getAsDouble(v);
      return v;
    }
  }
  return -1;
}

/// A loopback port with nothing listening (connections are refused).
inline unsigned deadPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

inline Timeouts quickTimeouts() {
  Timeouts t;
  t.connectSeconds = 2;
  t.firstTokenSeconds = 5;
  t.idleSeconds = 5;
  t.totalSeconds = 10;
  return t;
}

inline RetryPolicy quickRetry(unsigned attempts = 3) {
  RetryPolicy r;
  r.attempts = attempts;
  r.backoffSeconds = 0.01;
  r.backoffMaxSeconds = 0.05;
  r.jitter = 0.2;
  return r;
}

inline ChatRequest prompt(std::string text, bool stream = true) {
  ChatRequest req;
  req.model = "m";
  req.messages = {{"user", std::move(text)}};
  req.stream = stream;
  req.maxTokens = 64;
  return req;
}

/// One server, one io_context, one client with endpoint "a" on the server
/// (more endpoints can be set up before the client is made).
struct Harness {
  explicit Harness(std::vector<std::string> serverArgs = {}) : server(std::move(serverArgs)) {
    config.endpoints.push_back(endpoint("a", server.baseUrl()));
  }

  static Endpoint endpoint(std::string name, std::string url, unsigned maxInFlight = 16) {
    Endpoint e;
    e.name = std::move(name);
    e.baseUrl = std::move(url);
    e.maxInFlight = maxInFlight;
    return e;
  }

  LLMClient &client() {
    if (!clientPtr)
      clientPtr = std::make_unique<LLMClient>(io, config);
    return *clientPtr;
  }

  /// Runs the io_context until `pred` holds; fails the test after `limit` s.
  template <typename Pred> void runUntil(Pred pred, double limit = 10) {
    auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(limit));
    while (!pred()) {
      if (Clock::now() >= deadline)
        FAIL("test ran out of time");
      if (io.stopped())
        io.restart(); // it stops whenever it runs out of work
      if (io.run_one_for(std::chrono::milliseconds(20)) == 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(1)); // nothing to do yet
    }
  }

  Outcome run(ChatRequest req, Timeouts t = quickTimeouts(), RetryPolicy r = quickRetry()) {
    Outcome out;
    auto start = Clock::now();
    client().submit(std::move(req), t, r, [&](llvm::Expected<ChatResult> res) {
      out = flatten(std::move(res));
      out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    });
    runUntil([&] { return out.done; }, 15);
    std::string died = server.diedHow();
    REQUIRE_MESSAGE(died.empty(), "fake_openai.py " << died << " during the test");
    return out;
  }

  double requestsTotal() { return metric(server, "fake_openai:requests_total"); }

  llmflow::testing::FakeOpenAIServer server;
  boost::asio::io_context io;
  ClientConfig config;
  std::unique_ptr<LLMClient> clientPtr;
};

} // namespace llmflow::llm::testing
