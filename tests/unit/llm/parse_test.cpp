// Pure parts of the client: completion bodies, stream chunks, structured
// checks, HTTP error classes, Retry-After, request JSON, URLs.
#include "llm/completion.h"
#include "llm/http_errors.h"
#include "llm/request_json.h"

#include "kind_names.h"

#include <doctest/doctest.h>

using namespace llmflow::llm;
using namespace llmflow::llm::testing;

namespace {
ErrorKind kindOf(llvm::Error err) { return errorKind(std::move(err)); }
bool failed(llvm::Error err) {
  bool f = static_cast<bool>(err);
  llvm::consumeError(std::move(err));
  return f;
}
} // namespace

TEST_CASE("parseCompletion: content, finish_reason, usage") {
  auto r = parseCompletion(R"({"choices":[{"index":0,"message":{"role":"assistant",
      "content":"hi there"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,
      "completion_tokens":2,"total_tokens":5}})");
  REQUIRE(r);
  CHECK(r->content == "hi there");
  CHECK(r->finishReason == "stop");
  CHECK(r->promptTokens == 3u);
  CHECK(r->completionTokens == 2u);
}

TEST_CASE("parseCompletion: missing usage is unknown (not zero) and null content is empty") {
  auto r = parseCompletion(R"({"choices":[{"message":{"content":null},"finish_reason":"stop"}]})");
  REQUIRE(r);
  CHECK(r->content.empty());
  CHECK_FALSE(r->promptTokens.has_value());
  CHECK_FALSE(r->completionTokens.has_value());
}

TEST_CASE("parseCompletion: malformed bodies") {
  CHECK(kindName(kindOf(parseCompletion("{\"choices\": [").takeError())) == "malformed");
  CHECK(kindName(kindOf(parseCompletion("[]").takeError())) == "malformed");
  CHECK(kindName(kindOf(parseCompletion(R"({"choices":[]})").takeError())) == "malformed");
  CHECK(
      kindName(kindOf(parseCompletion(R"({"choices":[{"message":{"content":5}}]})").takeError())) ==
      "malformed");
  CHECK(kindName(kindOf(parseCompletion(R"({"error":{"message":"boom"}})").takeError())) ==
        "server-error");
}

TEST_CASE("StreamAccumulator: deltas, finish, usage chunk, [DONE]") {
  StreamAccumulator acc;
  CHECK_FALSE(acc.started());
  REQUIRE_FALSE(failed(acc.onData(R"({"choices":[{"delta":{"role":"assistant","content":""}}]})")));
  CHECK_FALSE(acc.started()); // a role-only chunk is not a token
  REQUIRE_FALSE(
      failed(acc.onData(R"({"choices":[{"delta":{"content":"Hel"},"finish_reason":null}]})")));
  CHECK(acc.started());
  CHECK(acc.firstContentJustArrived());
  REQUIRE_FALSE(failed(acc.onData(R"({"choices":[{"delta":{"content":"lo"}}]})")));
  CHECK_FALSE(acc.firstContentJustArrived());
  REQUIRE_FALSE(failed(acc.onData(R"({"choices":[{"delta":{},"finish_reason":"stop"}]})")));
  REQUIRE_FALSE(
      failed(acc.onData(R"({"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":2}})")));
  CHECK_FALSE(acc.done());
  REQUIRE_FALSE(failed(acc.onData("[DONE]")));
  CHECK(acc.done());
  ChatResult r = acc.take();
  CHECK(r.content == "Hello");
  CHECK(r.finishReason == "stop");
  CHECK(r.promptTokens == 4u);
  CHECK(r.completionTokens == 2u);
}

TEST_CASE("StreamAccumulator: without a usage chunk the usage is unknown") {
  StreamAccumulator acc;
  REQUIRE_FALSE(
      failed(acc.onData(R"({"choices":[{"delta":{"content":"x"},"finish_reason":"stop"}]})")));
  REQUIRE_FALSE(failed(acc.onData("[DONE]")));
  ChatResult r = acc.take();
  CHECK_FALSE(r.promptTokens.has_value());
  CHECK_FALSE(r.completionTokens.has_value());
}

TEST_CASE("StreamAccumulator: malformed chunk and error event") {
  StreamAccumulator a;
  CHECK(kindName(kindOf(a.onData(R"({"choices": [{"delta": {"content": "oops)"))) == "malformed");
  StreamAccumulator b;
  CHECK(kindName(kindOf(b.onData(R"({"error":{"message":"overloaded"}})"))) == "server-error");
  StreamAccumulator c;
  CHECK(kindName(kindOf(c.onData(R"({"id":"x"})"))) == "malformed");
}

TEST_CASE("checkStructured: length under a schema is Truncated, non-JSON is Malformed") {
  ChatResult r;
  r.content = "{\"a\":";
  r.finishReason = "length";
  CHECK(kindName(kindOf(checkStructured(r, true))) == "truncated");
  CHECK_FALSE(failed(checkStructured(r, false))); // without a schema "length" is a normal result
  r.finishReason = "stop";
  CHECK(kindName(kindOf(checkStructured(r, true))) == "malformed");
  r.content = "{\"a\":1}";
  CHECK_FALSE(failed(checkStructured(r, true)));
}

TEST_CASE("classifyHttpError: the retry classes of docs/servers.md") {
  auto kind = [](long status, llvm::StringRef body = "{}") {
    return classifyHttpError(status, body).kind;
  };
  CHECK(kindName(kind(429, R"({"error":{"message":"slow down","code":"rate_limit_exceeded"}})")) ==
        "rate-limited");
  CHECK(kindName(kind(429, R"({"error":{"message":"quota","type":"insufficient_quota"}})")) ==
        "quota-exceeded");
  CHECK(
      kindName(kind(400, R"({"message":"This model's maximum context length is 4096 tokens"})")) ==
      "context-overflow");
  CHECK(kindName(kind(400, R"({"error":{"message":"bad temperature"}})")) == "bad-request");
  CHECK(kindName(kind(401)) == "auth");
  CHECK(kindName(kind(403)) == "auth");
  CHECK(kindName(kind(404)) == "not-found");
  CHECK(kindName(kind(408)) == "timeout");
  CHECK(kindName(kind(413)) == "bad-request");
  CHECK(kindName(kind(422)) == "bad-request");
  for (long s : {500, 502, 503, 504})
    CHECK(kindName(kind(s)) == "server-error");
  CHECK(classifyHttpError(503, R"({"error":{"message":"overloaded"}})").message ==
        "HTTP 503: overloaded");
  CHECK(classifyHttpError(500, "plain text").message == "HTTP 500: plain text");
}

TEST_CASE("retry classes: retryable, endpoint faults, request faults") {
  for (ErrorKind k : {ErrorKind::Connect, ErrorKind::Timeout, ErrorKind::RateLimited,
                      ErrorKind::ServerError, ErrorKind::CutStream, ErrorKind::Malformed})
    CHECK(isRetryable(k));
  for (ErrorKind k : {ErrorKind::BadRequest, ErrorKind::Auth, ErrorKind::NotFound,
                      ErrorKind::ContextOverflow, ErrorKind::QuotaExceeded, ErrorKind::Truncated,
                      ErrorKind::NoEndpoint, ErrorKind::Cancelled})
    CHECK_FALSE(isRetryable(k));
  CHECK(isEndpointFault(ErrorKind::Auth));
  CHECK(isEndpointFault(ErrorKind::QuotaExceeded));
  CHECK_FALSE(isEndpointFault(ErrorKind::ContextOverflow));
  CHECK(toString(ErrorKind::CutStream) == "cut-stream");
}

TEST_CASE("parseRetryAfter: delta-seconds and HTTP dates") {
  CHECK(parseRetryAfter("1") == 1.0);
  CHECK(parseRetryAfter(" 30 ") == 30.0);
  std::time_t now = 1445412470; // 2015-10-21 07:27:50 UTC
  CHECK(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now) == 10.0);           // IMF-fixdate
  CHECK(parseRetryAfter("Wednesday, 21-Oct-15 07:28:00 GMT", now) == 10.0);       // RFC 850
  CHECK(parseRetryAfter("Wed Oct 21 07:28:00 2015", now) == 10.0);                // asctime
  CHECK(parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now) == 0.0);            // past: no wait
  CHECK_FALSE(parseRetryAfter("").has_value());
  CHECK_FALSE(parseRetryAfter("-1").has_value());
  CHECK_FALSE(parseRetryAfter("soon").has_value());
}

TEST_CASE("buildRequestBody: stream options and response_format") {
  ChatRequest req;
  req.model = "m";
  req.messages = {{"system", "be brief"}, {"user", "hi"}};
  req.maxTokens = 7;
  req.seed = 42;
  req.responseSchema = llvm::json::Object{{"type", "object"}};
  req.schemaName = "Code";
  auto v = llvm::json::parse(buildRequestBody(req));
  REQUIRE(v);
  const llvm::json::Object &o = *v->getAsObject();
  CHECK(o.getString("model") == llvm::StringRef("m"));
  CHECK(*o.getInteger("max_tokens") == 7);
  CHECK(*o.getInteger("seed") == 42);
  CHECK(o.getBoolean("stream") == true);
  CHECK(o.getObject("stream_options")->getBoolean("include_usage") == true);
  CHECK(o.getArray("messages")->size() == 2);
  const llvm::json::Object *rf = o.getObject("response_format");
  REQUIRE(rf);
  CHECK(rf->getString("type") == llvm::StringRef("json_schema"));
  const llvm::json::Object *js = rf->getObject("json_schema");
  REQUIRE(js);
  CHECK(js->getString("name") == llvm::StringRef("Code"));
  CHECK(js->getBoolean("strict") == true);
  CHECK(js->getObject("schema")->getString("type") == llvm::StringRef("object"));

  req.stream = false;
  req.responseSchema.reset();
  req.seed.reset();
  auto w = llvm::json::parse(buildRequestBody(req));
  REQUIRE(w);
  CHECK_FALSE(w->getAsObject()->get("stream_options"));
  CHECK_FALSE(w->getAsObject()->get("response_format"));
  CHECK_FALSE(w->getAsObject()->get("seed"));
}

TEST_CASE("buildRequestBody: a server's model id, response_format form and extra fields") {
  ChatRequest req;
  req.model = "coder";
  req.messages = {{"user", "hi"}};
  req.maxTokens = 9;
  req.responseSchema = llvm::json::Object{{"type", "object"}};
  BodyOptions opts;
  opts.modelId = "Qwen/Qwen2.5-Coder-7B-Instruct";
  opts.format = ResponseFormat::JsonObject;
  opts.maxTokensField = "max_completion_tokens";
  opts.extra = llvm::json::Object{{"top_p", 0.9}, {"temperature", 0.0},
                                  {"chat_template_kwargs", llvm::json::Object{{"enable_thinking", false}}}};
  auto v = llvm::json::parse(buildRequestBody(req, opts));
  REQUIRE(v);
  const llvm::json::Object &o = *v->getAsObject();
  CHECK(o.getString("model") == llvm::StringRef("Qwen/Qwen2.5-Coder-7B-Instruct"));
  CHECK(o.getObject("response_format")->getString("type") == llvm::StringRef("json_object"));
  CHECK(o.getObject("response_format")->getObject("schema"));
  CHECK(*o.getInteger("max_completion_tokens") == 9);
  CHECK_FALSE(o.get("max_tokens"));
  CHECK(*o.getNumber("top_p") == 0.9);
  CHECK(*o.getNumber("temperature") == 0.0); // extra fields override llmflow's own
  CHECK(o.getObject("chat_template_kwargs")->getBoolean("enable_thinking") == false);
  opts.format = ResponseFormat::None;
  auto w = llvm::json::parse(buildRequestBody(req, opts));
  REQUIRE(w);
  CHECK_FALSE(w->getAsObject()->get("response_format"));
}

TEST_CASE("bodyOptions: endpoint id over model id over the program's name; extras merged") {
  ClientConfig c;
  Endpoint a, b;
  a.name = "a";
  b.name = "b";
  b.modelIds = {{"coder", "qwen2.5-coder:7b"}};
  b.extra = llvm::json::Object{{"seed", 3}};
  ModelOptions m;
  m.id = "Qwen/Qwen2.5-Coder-7B-Instruct";
  m.extra = llvm::json::Object{{"seed", 1}, {"top_p", 0.5}};
  c.models = {{"coder", m}};
  CHECK(bodyOptions(c, a, "coder").modelId == "Qwen/Qwen2.5-Coder-7B-Instruct");
  CHECK(bodyOptions(c, b, "coder").modelId == "qwen2.5-coder:7b");
  CHECK(bodyOptions(c, a, "other").modelId.empty());
  Endpoint star;
  star.modelIds = {{"*", "qwen2.5:7b"}};
  CHECK(bodyOptions(c, star, "other").modelId == "qwen2.5:7b");
  CHECK(bodyOptions(c, star, "coder").modelId == "Qwen/Qwen2.5-Coder-7B-Instruct"); // the model's id wins over "*"
  BodyOptions ob = bodyOptions(c, b, "coder");
  CHECK(*ob.extra.getInteger("seed") == 3); // the endpoint's extras come last
  CHECK(*ob.extra.getNumber("top_p") == 0.5);
}

TEST_CASE("chatCompletionsUrl: base URL forms") {
  CHECK(chatCompletionsUrl("http://h:1") == "http://h:1/v1/chat/completions");
  CHECK(chatCompletionsUrl("http://h:1/") == "http://h:1/v1/chat/completions");
  CHECK(chatCompletionsUrl("http://h:1/v1") == "http://h:1/v1/chat/completions");
  CHECK(chatCompletionsUrl("http://h:1/v1/") == "http://h:1/v1/chat/completions");
  CHECK(chatCompletionsUrl("http://[::1]:8/v1/chat/completions") ==
        "http://[::1]:8/v1/chat/completions");
}

TEST_CASE("stream chunks: hostile nesting and duplicate keys are Malformed") {
  StreamAccumulator acc;
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  llvm::Error e = acc.onData(deep);
  CHECK(kindName(kindOf(std::move(e))) == "malformed");
  StreamAccumulator dup;
  CHECK(kindName(kindOf(dup.onData(R"({"choices":[{"delta":{"content":"a"}}],"choices":[]})"))) == "malformed");
}

TEST_CASE("checkStructured: fenced or prose-wrapped JSON is read tolerantly and kept") {
  ChatResult r;
  r.finishReason = "stop";
  r.content = "Sure! ```json\n{\"a\": 1}\n```";
  CHECK_FALSE(failed(checkStructured(r, true)));
  r.content = "```json\n{\"a\": 1}\n```";
  CHECK_FALSE(failed(checkStructured(r, true)));
  REQUIRE(r.json.has_value());
  CHECK(r.json->getAsObject()->getInteger("a").getValue() == 1);
  r.content = "The plan is {\"a\": 2} as requested.";
  CHECK_FALSE(failed(checkStructured(r, true)));
  CHECK(r.json->getAsObject()->getInteger("a").getValue() == 2);
  r.content = "{\"a\": 1, \"a\": 2}";
  CHECK(kindName(kindOf(checkStructured(r, true))) == "malformed");
}
