// LLMClient against hostile replies over real sockets: nesting that would
// overflow a recursive parser, floods of content, fenced structured output.
// Each costs a failed (or, for fences, a successful) request, never the process.
#include "client_harness.h"
#include "kind_names.h"

using namespace llmflow::llm;
using namespace llmflow::llm::testing;

namespace {
ChatRequest typedPrompt(std::string text, bool stream) {
  ChatRequest req = prompt(std::move(text), stream);
  req.responseSchema = llvm::json::Object{{"type", "object"},
                                          {"properties", llvm::json::Object{{"text", llvm::json::Object{{"type", "string"}}}}},
                                          {"required", llvm::json::Array{"text"}}};
  return req;
}
} // namespace

TEST_CASE("hostile: 100,000 nested brackets in a stream event or a body are Malformed") {
  Harness h;
  for (bool stream : {true, false}) {
    CAPTURE(stream);
    Outcome o = h.run(prompt(std::string("deep [[fault:deep]] ") + (stream ? "s" : "n"), stream));
    CHECK(kindName(o.kind) == "malformed");
    CHECK(llvm::StringRef(o.message).contains("nested deeper than 256 levels"));
  }
}

TEST_CASE("hostile: a streamed reply over maxReplyBytes is Malformed, not an unbounded buffer") {
  Harness h;
  h.config.limits.maxReplyBytes = 256 << 10;
  Outcome o = h.run(prompt("flood [[fault:flood:2]]"), quickTimeouts(), quickRetry(1));
  CHECK(kindName(o.kind) == "malformed");
  CHECK(llvm::StringRef(o.message).contains("the streamed reply exceeds 262144 bytes"));
}

TEST_CASE("hostile: a flood within the limit is delivered whole") {
  Harness h;
  Outcome o = h.run(prompt("flood [[fault:flood:1]]"), quickTimeouts(), quickRetry(1));
  REQUIRE_MESSAGE(o.ok(), o.message);
  CHECK(o.result->content.size() > (1u << 20));
}

TEST_CASE("hostile: code-fenced, prose-wrapped structured output is accepted over HTTP") {
  Harness h;
  for (bool stream : {true, false}) {
    CAPTURE(stream);
    Outcome o = h.run(typedPrompt(std::string("fenced [[fault:fenced]] ") + (stream ? "s" : "n"), stream));
    REQUIRE_MESSAGE(o.ok(), o.message);
    REQUIRE(o.result->json.has_value());
    CHECK(o.result->json->getAsObject()->getString("text").getValue() == "x");
  }
}

TEST_CASE("hostile: keep-alives without tokens hit the stall timeout, not only first-token and idle") {
  Harness h;
  Timeouts t = quickTimeouts();
  t.idleSeconds = 5; // the keep-alives arrive every 0.1 s: never idle
  t.stallSeconds = 0.5;
  Outcome o = h.run(prompt("a b c d [[fault:chatter:30]]"), t, quickRetry(1));
  CHECK(kindName(o.kind) == "timeout");
  CHECK(llvm::StringRef(o.message).contains("no new tokens for 0.5"));
  CHECK(o.seconds < 3);

  t.stallSeconds = 2;
  Outcome ok = h.run(prompt("a b c d [[fault:chatter:0.5]]"), t, quickRetry(1));
  REQUIRE_MESSAGE(ok.ok(), ok.message);
  CHECK(ok.result->content == "echo: a b c d");
}
