// LLMClient against fake_openai.py: successful requests, streaming and not,
// structured output, framing variants, keep-alive reuse, API keys, IPv6.
#include "client_harness.h"
#include "kind_names.h"

#include <cstdlib>

using namespace llmflow::llm;
using namespace llmflow::llm::testing;

TEST_CASE("client: non-streaming success with usage") {
  Harness h;
  Outcome o = h.run(prompt("hello big world", /*stream=*/false));
  REQUIRE_MESSAGE(o.ok(), o.message);
  CHECK(o.result->content == "echo: hello big world");
  CHECK(o.result->finishReason == "stop");
  CHECK(o.result->promptTokens == 3u);
  CHECK(o.result->completionTokens == 4u);
  CHECK(o.result->attempts == 1);
  CHECK(o.result->endpoint == "a");
  auto last = llvm::json::parse(httpGet(h.server.baseUrl() + "/last_request"));
  REQUIRE(last);
  const llvm::json::Object *body = last->getAsObject()->getObject("body");
  CHECK(body->getBoolean("stream") == false);
  CHECK_FALSE(body->get("stream_options"));
}

TEST_CASE("client: streaming success accumulates deltas and reads the usage chunk") {
  Harness h({"--ttft", "0.05", "--tpot", "0.01"});
  Outcome o = h.run(prompt("one two three four five"));
  REQUIRE_MESSAGE(o.ok(), o.message);
  CHECK(o.result->content == "echo: one two three four five");
  CHECK(o.result->finishReason == "stop");
  CHECK(o.result->promptTokens == 5u);
  CHECK(o.result->completionTokens == 6u);
  CHECK(o.result->firstTokenSeconds >= 0.05);
  CHECK(o.result->totalSeconds >= o.result->firstTokenSeconds + 0.04);
  auto last = llvm::json::parse(httpGet(h.server.baseUrl() + "/last_request"));
  REQUIRE(last);
  const llvm::json::Object *body = last->getAsObject()->getObject("body");
  CHECK(body->getBoolean("stream") == true);
  CHECK(body->getObject("stream_options")->getBoolean("include_usage") == true);
  const llvm::json::Object *headers = last->getAsObject()->getObject("headers");
  CHECK(headers->getString("accept") == llvm::StringRef("text/event-stream"));
  CHECK_FALSE(headers->get("authorization"));
}

TEST_CASE("client: structured output request carries response_format json_schema") {
  Harness h;
  ChatRequest req = prompt("give me code");
  req.schemaName = "Code";
  req.responseSchema = llvm::json::Object{
      {"type", "object"},
      {"properties",
       llvm::json::Object{
           {"code", llvm::json::Object{{"type", "string"}}},
           {"n", llvm::json::Object{{"type", "integer"}}},
           {"tags", llvm::json::Object{{"type", "array"},
                                       {"items", llvm::json::Object{{"enum", {"p", "q"}}}}}}}},
      {"required", {"code", "n", "tags"}}};
  for (bool stream : {true, false}) {
    req.stream = stream;
    Outcome o = h.run(req);
    REQUIRE_MESSAGE(o.ok(), o.message);
    CHECK(o.result->content == R"({"code":"x","n":1,"tags":["p"]})");
    auto last = llvm::json::parse(httpGet(h.server.baseUrl() + "/last_request"));
    REQUIRE(last);
    const llvm::json::Object *rf =
        last->getAsObject()->getObject("body")->getObject("response_format");
    REQUIRE(rf);
    CHECK(rf->getString("type") == llvm::StringRef("json_schema"));
    CHECK(rf->getObject("json_schema")->getString("name") == llvm::StringRef("Code"));
    CHECK(rf->getObject("json_schema")->getBoolean("strict") == true);
    CHECK(rf->getObject("json_schema")->getObject("schema")->getString("type") ==
          llvm::StringRef("object"));
  }
}

TEST_CASE("client: events split into small writes and close-delimited streams") {
  Harness h;
  Outcome split = h.run(prompt("split me up please [[fault:split]]"));
  REQUIRE_MESSAGE(split.ok(), split.message);
  CHECK(split.result->content == "echo: split me up please");
  CHECK(split.result->completionTokens == 5u);

  h.config.endpoints[0].headers = {{"X-Framing", "close"}};
  h.clientPtr.reset(); // the next client() sees the new header
  Outcome closed = h.run(prompt("no chunked framing"));
  REQUIRE_MESSAGE(closed.ok(), closed.message);
  CHECK(closed.result->content == "echo: no chunked framing");
  CHECK(closed.result->completionTokens == 4u);
  auto last = llvm::json::parse(httpGet(h.server.baseUrl() + "/last_request"));
  REQUIRE(last);
  CHECK(last->getAsObject()->getObject("headers")->getString("x-framing") ==
        llvm::StringRef("close"));
}

TEST_CASE("client: sequential requests reuse one keep-alive connection") {
  Harness h;
  for (int i = 0; i < 5; ++i) {
    Outcome o = h.run(prompt("again " + std::to_string(i), i % 2 == 0));
    REQUIRE_MESSAGE(o.ok(), o.message);
  }
  // 1 for the five chat requests + 1 for this /metrics request itself.
  CHECK(metric(h.server, "fake_openai:connections_total") == 2);
}

TEST_CASE("client: API key from the named environment variable") {
  Harness h({"--api-key", "sekret"});
  h.config.endpoints[0].apiKeyEnv = "LLMFLOW_TEST_LLM_KEY";
  ::unsetenv("LLMFLOW_TEST_LLM_KEY");
  Outcome unset = h.run(prompt("hi"));
  CHECK(kindName(unset.kind) == "auth");
  CHECK(h.requestsTotal() == 0); // nothing was sent without a key

  ::setenv("LLMFLOW_TEST_LLM_KEY", "wrong", 1);
  Outcome wrong = h.run(prompt("hi"));
  CHECK(kindName(wrong.kind) == "auth");
  CHECK(h.requestsTotal() == 1); // 401 is not retried

  ::setenv("LLMFLOW_TEST_LLM_KEY", "sekret", 1);
  Outcome right = h.run(prompt("hi"));
  REQUIRE_MESSAGE(right.ok(), right.message);
  ::unsetenv("LLMFLOW_TEST_LLM_KEY");
}

TEST_CASE("client: IPv6 loopback endpoint") {
  std::unique_ptr<llmflow::testing::FakeOpenAIServer> server;
  try {
    server = std::make_unique<llmflow::testing::FakeOpenAIServer>(
        std::vector<std::string>{"--host", "::1"});
  } catch (const std::exception &e) {
    MESSAGE("skipped: no IPv6 loopback here (" << e.what() << ")");
    return;
  }
  boost::asio::io_context io;
  ClientConfig config;
  config.endpoints.push_back(
      Harness::endpoint("v6", "http://[::1]:" + std::to_string(server->port())));
  LLMClient client(io, config);
  Outcome out;
  client.submit(prompt("over ipv6"), quickTimeouts(), quickRetry(),
                [&](llvm::Expected<ChatResult> r) { out = flatten(std::move(r)); });
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!out.done && Clock::now() < deadline)
    io.run_one_for(std::chrono::milliseconds(20));
  REQUIRE_MESSAGE(out.ok(), out.message);
  CHECK(out.result->content == "echo: over ipv6");
}

TEST_CASE("client: 200 concurrent streaming requests all succeed") {
  Harness h({"--ttft", "0.02", "--tpot", "0.002"});
  h.config.endpoints[0].maxInFlight = 200;
  int ok = 0, failed = 0;
  std::string firstError;
  for (int i = 0; i < 200; ++i)
    h.client().submit(prompt("request number " + std::to_string(i)), quickTimeouts(), quickRetry(1),
                      [&, i](llvm::Expected<ChatResult> r) {
                        Outcome o = flatten(std::move(r));
                        if (o.ok() &&
                            o.result->content == "echo: request number " + std::to_string(i))
                          ++ok;
                        else if (++failed == 1)
                          firstError = o.ok() ? "wrong content " + o.result->content : o.message;
                      });
  h.runUntil([&] { return ok + failed == 200; }, 15);
  CHECK_MESSAGE(failed == 0, firstError);
  CHECK(ok == 200);
  CHECK(h.client().pending() == 0);
  CHECK(h.client().inFlight("a") == 0);
}
