// ChatAttempt: one HTTP attempt of a chat request against one endpoint. Sets
// up the easy handle (URL, headers, body, connect and total timeouts), reads
// the status line and Retry-After, feeds a streamed body through SSEParser and
// StreamAccumulator, enforces the first-token and idle timeouts with Asio
// timers (aborting the transfer), and maps the end of the transfer to a
// ChatResult or a typed LLMError.
//
// Not for: retries, fallback, admission (llm_client.cpp decides those).
#pragma once

#include "llm/completion.h"
#include "llm/curl_asio.h"

#include <boost/asio/steady_timer.hpp>

#include <chrono>

namespace llmflow::llm {

struct AttemptSpec {
  std::string url;                  // .../v1/chat/completions
  std::string body;                 // JSON (request_json.h)
  std::vector<std::string> headers; // "Name: value" (auth, extras)
  bool stream = true;
  bool hasSchema = false; // apply checkStructured()
  std::string caBundle;   // CURLOPT_CAINFO ("" = libcurl's default)
  Timeouts timeouts;
  ReplyLimits limits;
};

class ChatAttempt {
public:
  using DoneFn = std::function<void(llvm::Expected<ChatResult>)>;

  /// `done` is posted once, unless the attempt is aborted or destroyed first.
  ChatAttempt(CurlMulti &multi, AttemptSpec spec, DoneFn done);
  ~ChatAttempt();
  ChatAttempt(const ChatAttempt &) = delete;
  ChatAttempt &operator=(const ChatAttempt &) = delete;

  /// Starts the transfer (an error to `done`, posted, if libcurl refuses).
  void start();
  /// Stops the transfer silently: `done` is never called.
  void abort();
  /// Generation has visibly started (a first token, a finish or usage).
  bool started() const { return stream.started(); }

private:
  using Clock = std::chrono::steady_clock;
  static size_t onHeader(char *data, size_t size, size_t n, void *self);
  static size_t onBody(char *data, size_t size, size_t n, void *self);
  size_t header(llvm::StringRef line);
  size_t body(llvm::StringRef bytes);
  void onCurlDone(CURLcode code);
  void armWatchdog(Clock::time_point when);
  void onWatchdog();
  std::optional<Clock::time_point> deadline() const;
  void fail(ErrorKind kind, std::string message); // stops the transfer, reports an error
  void finish(llvm::Expected<ChatResult> outcome);
  llvm::Expected<ChatResult> outcomeFor(CURLcode code);
  llvm::Expected<ChatResult> transportFailure(CURLcode code);

  CurlMulti &multi;
  AttemptSpec spec;
  DoneFn done;
  CURL *easy = nullptr;
  curl_slist *headerList = nullptr;
  char errorBuffer[CURL_ERROR_SIZE] = {};

  long status = 0; // from the last status line
  std::optional<double> retryAfter;
  std::string rawBody; // non-streaming or error bodies (capped)
  bool bodyOverflow = false;
  SSEParser sse;
  StreamAccumulator stream;
  struct Failure {
    ErrorKind kind;
    std::string message;
  };
  std::optional<Failure> bodyError; // why body() aborted the transfer
  std::string contentType;
  bool sseMode = false; // decided at the first body byte

  Clock::time_point startedAt, lastByteAt, lastProgressAt, firstContentAt;
  bool gotBytes = false, gotFirstContent = false;
  bool running = false, finished = false;
  boost::asio::steady_timer watchdog; // first-token and idle deadlines
  std::shared_ptr<char> alive = std::make_shared<char>();
};

} // namespace llmflow::llm
