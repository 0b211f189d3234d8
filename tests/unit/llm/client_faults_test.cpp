// LLMClient against every fault fake_openai.py can inject: retried faults
// succeed once the fault clears, non-retryable faults fail at once with the
// right ErrorKind, timeouts end hung and stalled streams.
#include "client_harness.h"
#include "kind_names.h"

using namespace llmflow::llm;
using namespace llmflow::llm::testing;

TEST_CASE("faults: 500x2 is retried and then succeeds") {
  Harness h;
  Outcome o = h.run(prompt("retry me [[fault:500x2]]"));
  REQUIRE_MESSAGE(o.ok(), o.message);
  CHECK(o.result->attempts == 3);
  CHECK(o.result->content == "echo: retry me");
  CHECK(h.requestsTotal() == 3);
}

TEST_CASE("faults: 502, 503 and 504 are retried, streaming or not") {
  Harness h;
  for (const char *status : {"502", "503", "504"})
    for (bool stream : {true, false}) {
      CAPTURE(status);
      CAPTURE(stream);
      Outcome o = h.run(prompt(
          std::string("gateway [[fault:") + status + "x1]] " + (stream ? "s" : "n"), stream));
      REQUIRE_MESSAGE(o.ok(), o.message);
      CHECK(o.result->attempts == 2);
    }
}

TEST_CASE("faults: persistent 500 exhausts the attempts and reports ServerError") {
  Harness h;
  Outcome o = h.run(prompt("always [[fault:500]]"), quickTimeouts(), quickRetry(3));
  CHECK(kindName(o.kind) == "server-error");
  CHECK(h.requestsTotal() == 3);
  CHECK(llvm::StringRef(o.message).contains("3 attempts"));
  CHECK(llvm::StringRef(o.message).contains("HTTP 500"));
}

TEST_CASE("faults: 429 waits for Retry-After before retrying") {
  Harness h;
  RetryPolicy r = quickRetry();
  r.backoffMaxSeconds = 2; // Retry-After: 1 is within what we are willing to wait
  Outcome o = h.run(prompt("busy [[fault:429x1]]"), quickTimeouts(), r);
  REQUIRE_MESSAGE(o.ok(), o.message);
  CHECK(o.result->attempts == 2);
  CHECK(o.seconds >= 1.0); // Retry-After: 1, although the backoff is 10 ms
  CHECK(o.seconds < 3.0);
}

TEST_CASE("faults: a Retry-After beyond backoffMaxSeconds is reported, not waited for") {
  Harness h;
  RetryPolicy r = quickRetry(3);
  r.backoffMaxSeconds = 2;
  Outcome o = h.run(prompt("very busy [[fault:429:30]]"), quickTimeouts(), r);
  CHECK(kindName(o.kind) == "rate-limited");
  CHECK(o.retryAfter == 30.0);
  CHECK(o.seconds < 1.0);
  CHECK(h.requestsTotal() == 1);
}

TEST_CASE("faults: non-retryable answers fail at once with their kind") {
  Harness h;
  struct Case {
    const char *fault;
    ErrorKind kind;
  } cases[] = {{"quota", ErrorKind::QuotaExceeded},
               {"ctx", ErrorKind::ContextOverflow},
               {"400", ErrorKind::BadRequest},
               {"401", ErrorKind::Auth},
               {"403", ErrorKind::Auth},
               {"404", ErrorKind::NotFound},
               {"413", ErrorKind::BadRequest},
               {"422", ErrorKind::BadRequest}};
  double before = h.requestsTotal();
  for (const Case &c : cases) {
    CAPTURE(c.fault);
    Outcome o = h.run(prompt(std::string("nope [[fault:") + c.fault + "]]"));
    REQUIRE(o.done);
    REQUIRE_FALSE(o.ok());
    CHECK(kindName(o.kind) == kindName(c.kind));
    CHECK(llvm::StringRef(o.message).contains("1 attempt"));
    double now = h.requestsTotal();
    CHECK(now == before + 1); // exactly one request reached the server
    before = now;
  }
}

TEST_CASE("faults: hang hits the first-token timeout, and is retried") {
  Harness h;
  Timeouts t = quickTimeouts();
  t.firstTokenSeconds = 0.3;
  Outcome o = h.run(prompt("stuck [[fault:hang]]"), t, quickRetry(1));
  CHECK(kindName(o.kind) == "timeout");
  CHECK(o.seconds >= 0.3);
  CHECK(o.seconds < 2.0);
  CHECK(llvm::StringRef(o.message).contains("first token"));

  Outcome again = h.run(prompt("stuck once [[fault:hangx1]]"), t, quickRetry(2));
  REQUIRE_MESSAGE(again.ok(), again.message);
  CHECK(again.result->attempts == 2);
  // The hung connection was closed by the client: the server is idle again.
  h.runUntil([&] { return metric(h.server, "vllm:num_requests_running") == 0; }, 5);
}

TEST_CASE("faults: a non-streaming hang ends at the total timeout") {
  Harness h;
  Timeouts t = quickTimeouts();
  t.firstTokenSeconds = 0.1; // does not apply without streaming
  t.totalSeconds = 0.4;
  Outcome o = h.run(prompt("stuck [[fault:hang]]", false), t, quickRetry(1));
  CHECK(kindName(o.kind) == "timeout");
  CHECK(o.seconds >= 0.4);
  CHECK(o.seconds < 2.0);
}

TEST_CASE("faults: slow first token within and beyond the first-token timeout") {
  Harness h;
  Timeouts t = quickTimeouts();
  t.firstTokenSeconds = 0.2;
  Outcome late = h.run(prompt("slow [[fault:slow:0.6]]"), t, quickRetry(1));
  CHECK(kindName(late.kind) == "timeout");
  CHECK(late.seconds < 0.55);

  t.firstTokenSeconds = 2;
  Outcome fine = h.run(prompt("slow [[fault:slow:0.3]]"), t, quickRetry(1));
  REQUIRE_MESSAGE(fine.ok(), fine.message);
  CHECK(fine.result->firstTokenSeconds >= 0.3);
}

TEST_CASE("faults: a stalled stream hits the idle timeout") {
  Harness h;
  Timeouts t = quickTimeouts();
  t.idleSeconds = 0.25;
  Outcome o = h.run(prompt("a b c d e f [[fault:stall:1.5]]"), t, quickRetry(1));
  CHECK(kindName(o.kind) == "timeout");
  CHECK(llvm::StringRef(o.message).contains("idle"));
  CHECK(o.seconds < 1.2);

  t.idleSeconds = 1;
  Outcome ok = h.run(prompt("a b c d e f [[fault:stall:0.3]]"), t, quickRetry(1));
  REQUIRE_MESSAGE(ok.ok(), ok.message);
}

TEST_CASE("faults: reset mid-response is CutStream and retried") {
  Harness h;
  for (bool stream : {true, false}) {
    CAPTURE(stream);
    std::string tag = stream ? " s" : " n";
    Outcome cut =
        h.run(prompt("a b c d e f [[fault:reset]]" + tag, stream), quickTimeouts(), quickRetry(1));
    CHECK(kindName(cut.kind) == "cut-stream");
    Outcome ok = h.run(prompt("a b c d e f [[fault:resetx1]]" + tag, stream));
    REQUIRE_MESSAGE(ok.ok(), ok.message);
    CHECK(ok.result->attempts == 2);
    CHECK(ok.result->content == "echo: a b c d e f" + tag);
  }
}

TEST_CASE("faults: a stream truncated before [DONE] is CutStream and retried") {
  Harness h;
  for (bool stream : {true, false}) {
    CAPTURE(stream);
    std::string tag = stream ? " s" : " n";
    Outcome cut = h.run(prompt("a b c d e f [[fault:truncated]]" + tag, stream), quickTimeouts(),
                        quickRetry(1));
    CHECK(kindName(cut.kind) == "cut-stream");
    if (stream)
      CHECK(llvm::StringRef(cut.message).contains("usage unknown"));
    Outcome ok = h.run(prompt("a b c d e f [[fault:truncatedx1]]" + tag, stream));
    REQUIRE_MESSAGE(ok.ok(), ok.message);
    CHECK(ok.result->attempts == 2);
    CHECK(ok.result->promptTokens == 8u); // a..f, the tag, s/n
    CHECK(ok.result->completionTokens == 8u);
  }
  // Close-delimited framing: the cut is only visible as a missing [DONE].
  h.config.endpoints[0].headers = {{"X-Framing", "close"}};
  h.clientPtr.reset();
  Outcome cut = h.run(prompt("a b c d [[fault:truncated]]"), quickTimeouts(), quickRetry(1));
  CHECK(kindName(cut.kind) == "cut-stream");
}

TEST_CASE("faults: malformed JSON is retried once per endpoint") {
  Harness h;
  for (bool stream : {true, false}) {
    CAPTURE(stream);
    std::string tag = stream ? " s" : " n";
    double before = h.requestsTotal();
    Outcome bad =
        h.run(prompt("a b c d [[fault:malformed]]" + tag, stream), quickTimeouts(), quickRetry(5));
    CHECK(kindName(bad.kind) == "malformed");
    CHECK(h.requestsTotal() == before + 2); // first try + one retry, not five
    Outcome ok = h.run(prompt("a b c d [[fault:malformedx1]]" + tag, stream));
    REQUIRE_MESSAGE(ok.ok(), ok.message);
    CHECK(ok.result->attempts == 2);
  }
}

TEST_CASE("faults: finish_reason length is a result without a schema, Truncated with one") {
  Harness h;
  Outcome plain = h.run(prompt("a b c d e f [[fault:length]]"));
  REQUIRE_MESSAGE(plain.ok(), plain.message);
  CHECK(plain.result->finishReason == "length");

  ChatRequest req = prompt("json please [[fault:length]]");
  req.responseSchema = llvm::json::Object{
      {"type", "object"},
      {"properties", llvm::json::Object{{"answer", llvm::json::Object{{"type", "string"}}}}}};
  double before = h.requestsTotal();
  Outcome cut = h.run(req);
  CHECK(kindName(cut.kind) == "truncated");
  CHECK(h.requestsTotal() == before + 1); // not retried
}

TEST_CASE("faults: the X-Fault header selects faults too") {
  Harness h;
  h.config.endpoints[0].headers = {{"X-Fault", "ctx"}};
  Outcome o = h.run(prompt("plain prompt"));
  CHECK(kindName(o.kind) == "context-overflow");
}

TEST_CASE("faults: connection refused is Connect, retried, then reported") {
  Harness h;
  h.config.endpoints[0].baseUrl = "http://127.0.0.1:" + std::to_string(deadPort());
  Outcome o = h.run(prompt("anyone?"), quickTimeouts(), quickRetry(2));
  CHECK(kindName(o.kind) == "connect");
  CHECK(llvm::StringRef(o.message).contains("2 attempts"));
}
