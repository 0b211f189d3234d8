// The OpenAI-compatible chat-completions client: libcurl's multi interface
// driven by a Boost.Asio io_context (no extra threads), streaming (SSE) and
// non-streaming requests, per-endpoint admission control (vLLM never pushes
// back, so we cap in-flight requests ourselves), timeouts, retries with
// exponential backoff and jitter for retryable failures only, then fallback
// endpoints, then a typed error.
//
// Not for: choosing which stage runs next (the scheduler), simulated models
// (sim backend). Everything here is asynchronous and runs on the io_context's
// thread; callbacks are invoked from that thread, never from inside libcurl.
// Not thread-safe: call the client only from the thread running the io_context.
// Proxies follow libcurl's environment variables (https_proxy, no_proxy...).
//
// Failure policy (see isRetryable and the notes on ErrorKind):
//   - retryable kinds are retried on the same endpoint up to RetryPolicy::attempts
//     with exponential backoff and jitter (429/503 wait at least Retry-After),
//     then the request falls back to the next endpoint of the model's route;
//   - Auth, NotFound and QuotaExceeded are properties of an endpoint: not
//     retried there, but the next endpoint is tried;
//   - BadRequest, ContextOverflow and Truncated are properties of the request:
//     the request fails at once, no other endpoint is tried;
//   - Malformed is retried once per endpoint (a glitch may not repeat, a buggy
//     server would), then falls back.
// The final LLMError carries the last kind and a per-endpoint history.
#pragma once

#include "common/json_reader.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llmflow::llm {

struct Message {
  std::string role; // "system", "user", "assistant"
  std::string content;
};

struct ChatRequest {
  std::string model; // logical model name (resolved to endpoints)
  std::vector<Message> messages;
  unsigned maxTokens = 512;
  double temperature = 0.7;
  std::optional<uint64_t> seed;
  /// JSON schema for structured output (sent as response_format json_schema).
  std::optional<llvm::json::Value> responseSchema;
  std::string schemaName = "output";
  bool stream = true;
};

struct ChatResult {
  std::string content;
  /// Under a responseSchema: the content read as JSON (tolerating a code
  /// fence or prose around it).
  std::optional<llvm::json::Value> json;
  std::string finishReason;             // "stop", "length", ...
  std::optional<unsigned> promptTokens; // nullopt = unknown (e.g. cut stream)
  std::optional<unsigned> completionTokens;
  double firstTokenSeconds = 0; // from send to first content byte (streaming;
                                // non-streaming: = totalSeconds)
  double totalSeconds = 0;      // of the successful attempt
  unsigned attempts = 1;        // including retries and fallbacks
  std::string endpoint;         // name of the endpoint that answered
  std::string requestBody;      // the body that endpoint was sent (no headers)
};

/// Per attempt (each retry gets the full budgets again). For a bound on the
/// whole request, including retries and backoff, cancel() it from a timer.
struct Timeouts {
  double connectSeconds = 10;    // TCP connect (libcurl)
  double firstTokenSeconds = 60; // streaming: until the first chunk carrying
                                 // content, a finish_reason or usage
  double idleSeconds = 30;       // streaming: silence between received bytes
  double stallSeconds = 60;      // streaming, after the first token: no new
                                 // content (keep-alives and empty chunks do
                                 // not count)
  double totalSeconds = 600;     // one attempt, start to end (non-streaming
                                 // calls rely on this one alone)
};

struct RetryPolicy {
  unsigned attempts = 3;       // per endpoint, including the first
  double backoffSeconds = 0.5; // first delay; doubled each retry
  double backoffMaxSeconds = 20;
  double jitter = 0.2; // +- fraction of the delay
  // A Retry-After header (seconds or an HTTP date) raises the delay to at least its value;
  // one longer than backoffMaxSeconds is not waited for: the request moves
  // to the next endpoint, or fails with RateLimited/ServerError and the
  // LLMError's retryAfterSeconds set, for the caller to decide.
};

/// How a server takes structured output (a JSON schema for the reply).
enum class ResponseFormat {
  JsonSchema, // {"type": "json_schema", "json_schema": {name, schema, strict}} (OpenAI, vLLM, SGLang, Ollama)
  JsonObject, // {"type": "json_object", "schema": S} (llama.cpp's llama-server, every build)
  None,       // no response_format: the prompt must ask for JSON; the reply is still parsed
};

struct Endpoint {
  std::string name;
  std::string baseUrl;       // e.g. http://127.0.0.1:8000 (".../v1" also accepted)
  std::string apiKeyEnv;     // env var holding the key ("" = none)
  unsigned maxInFlight = 16; // 0 = unlimited
  /// Models served; empty = any model.
  std::vector<std::string> models;
  /// Extra request headers (name, value), e.g. for gateways that want them.
  /// Like the key, never logged.
  std::vector<std::pair<std::string, std::string>> headers;
  /// CA certificates (PEM) to verify an https server with ("" = the system's).
  std::string caBundle;
  ResponseFormat responseFormat = ResponseFormat::JsonSchema;
  /// Program model name -> the id this server serves it under; "*" = any
  /// model without an id of its own (a server with one model).
  std::vector<std::pair<std::string, std::string>> modelIds;
  /// Fields merged into every request body sent here (after the model's).
  llvm::json::Object extra;
};

/// Per program model name: the id servers know it by, fields merged into its
/// request bodies (top_p, stop, seed, chat_template_kwargs, ...; they
/// override llmflow's own), and the name of the output-length field.
struct ModelOptions {
  std::string id;                         // "" = the program's name
  llvm::json::Object extra;
  std::string maxTokensField = "max_tokens"; // OpenAI's reasoning models: "max_completion_tokens"
};

/// Bounds on what a server may send back, so that a broken or hostile
/// server costs a failed request and never the process.
struct ReplyLimits {
  /// A whole reply: a non-streamed body, or the content of a stream (its
  /// events are bounded separately by json.maxBytes each).
  size_t maxReplyBytes = size_t(64) << 20;
  /// Every body, stream event and structured reply.
  JSONLimits json;
};

/// Hedged requests: when an attempt has shown no first token after the
/// endpoint's `quantile` of recent times to first token, a second attempt
/// starts on the next endpoint of the route (the same one if the route has
/// only one). The first to succeed wins; the other is cancelled. Hedges may
/// exceed an endpoint's max_in_flight by maxFraction of it (at least one),
/// so that a busy endpoint can still hedge its hung requests.
struct HedgePolicy {
  bool enabled = false;
  double quantile = 0.95;
  unsigned minSamples = 20; // times to first token seen before hedging starts
  double maxFraction = 0.1;
};

struct ClientConfig {
  std::vector<Endpoint> endpoints;
  /// model -> endpoint names in preference order (first = primary, rest =
  /// fallbacks). Models not listed use every endpoint that serves them.
  std::vector<std::pair<std::string, std::vector<std::string>>> routes;
  std::vector<std::pair<std::string, ModelOptions>> models;
  uint64_t seed = 1; // jitter RNG
  ReplyLimits limits;
  HedgePolicy hedging;
};

/// Why a request failed in the end. Retryable kinds were already retried.
enum class ErrorKind {
  Connect,         // refused, unreachable, DNS, connect timeout         (retried)
  Timeout,         // first-token, idle or total timeout; HTTP 408       (retried)
  RateLimited,     // HTTP 429 without insufficient_quota                (retried)
  ServerError,     // HTTP 5xx; an error event inside a stream           (retried)
  CutStream,       // connection reset/closed mid-response, no [DONE]    (retried)
  BadRequest,      // HTTP 400/413/422 and other 4xx                     (request fails)
  Auth,            // HTTP 401/403; the API-key variable is unset        (next endpoint)
  NotFound,        // HTTP 404                                           (next endpoint)
  ContextOverflow, // HTTP 400 about the context length                  (request fails)
  QuotaExceeded,   // HTTP 429 insufficient_quota                        (next endpoint)
  Malformed,       // body/chunk not a chat completion; invalid JSON content
                   // under a responseSchema                             (retried once)
  Truncated,       // finish_reason "length" under a responseSchema      (request fails)
  NoEndpoint,      // no endpoint serves the model / unknown route name
  Cancelled        // cancel() was called
};
llvm::StringRef toString(ErrorKind k);
/// Retried on the same endpoint (with backoff) before falling back.
bool isRetryable(ErrorKind k);
/// Not retried on this endpoint, but the next endpoint of the route is tried.
bool isEndpointFault(ErrorKind k);

class LLMError : public llvm::ErrorInfo<LLMError> {
public:
  static char ID;
  LLMError(ErrorKind kind, std::string message, std::string endpoint = "",
           std::optional<double> retryAfterSeconds = std::nullopt, unsigned attempts = 0)
      : kind(kind), message(std::move(message)), endpoint(std::move(endpoint)),
        retryAfterSeconds(retryAfterSeconds), attempts(attempts) {}
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override { return llvm::inconvertibleErrorCode(); }
  ErrorKind kind;
  std::string message;
  std::string endpoint;                    // last endpoint tried ("" if none)
  std::optional<double> retryAfterSeconds; // the server's Retry-After, if it sent one
  unsigned attempts = 0;                   // attempts made (retries and fallbacks included)
};

/// The kind of a failure from this library; any other error counts as
/// Malformed. `err` must be a failure; it is consumed.
ErrorKind errorKind(llvm::Error err);

using ChatCallback = std::function<void(llvm::Expected<ChatResult>)>;

class LLMClient {
public:
  LLMClient(boost::asio::io_context &io, ClientConfig config);
  /// Cancels every pending request: their callbacks are posted with
  /// ErrorKind::Cancelled and run if the io_context runs again.
  ~LLMClient();
  LLMClient(const LLMClient &) = delete;
  LLMClient &operator=(const LLMClient &) = delete;

  /// Starts a request; `done` is called exactly once on the io_context thread,
  /// never from inside submit() (errors found at once are posted too).
  /// Returns a handle usable with cancel() (never 0).
  uint64_t submit(ChatRequest req, Timeouts timeouts, RetryPolicy retry, ChatCallback done);
  /// Stops the request wherever it is (queued, running, backing off); its
  /// callback gets ErrorKind::Cancelled. Unknown or finished handles: no-op.
  void cancel(uint64_t handle);

  /// Requests in flight / queued for admission on an endpoint (0 if unknown).
  unsigned inFlight(llvm::StringRef endpoint) const;
  unsigned queued(llvm::StringRef endpoint) const;
  /// Requests submitted and not yet finished (all endpoints, any phase).
  unsigned pending() const;

private:
  struct Impl;
  std::shared_ptr<Impl> impl; // shared: handlers hold weak references
};

/// Incremental Server-Sent-Events parser (exposed for tests): feed bytes as
/// they arrive, get complete `data:` payloads; ':' comment lines are skipped.
/// Lines may end in LF, CRLF or CR (a CRLF split across feeds is one end);
/// several data: lines of one event are joined with LF; other fields (event:,
/// id:, retry:) are ignored; an event is dispatched at its blank line.
class SSEParser {
public:
  /// Appends bytes; calls onData(payload) for each complete event.
  void feed(llvm::StringRef bytes, llvm::function_ref<void(llvm::StringRef)> onData);
  /// Bytes held for an unfinished line or event.
  size_t pendingBytes() const { return buffer.size() + data.size(); }

private:
  void line(llvm::StringRef text, llvm::function_ref<void(llvm::StringRef)> onData);
  std::string buffer;   // an unfinished line
  std::string data;     // data: lines of the current event
  bool hasData = false; // the event had a data: field
  bool skipLF = false;  // the last feed ended in CR
};

/// Parses a non-streaming chat-completions response body.
llvm::Expected<ChatResult> parseCompletion(llvm::StringRef body, const JSONLimits &limits = {});

} // namespace llmflow::llm
