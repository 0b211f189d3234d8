// ChatAttempt: one chat-completions HTTP exchange on a CurlMulti.
#include "llm/chat_attempt.h"

#include "llm/http_errors.h"

#include <boost/asio/post.hpp>

namespace llmflow::llm {
namespace {

constexpr size_t kMaxErrorBody = 64u << 10; // error bodies are kept for the message only

std::chrono::steady_clock::duration toDuration(double seconds) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
}

long millis(double seconds) { return seconds <= 0 ? 0 : static_cast<long>(seconds * 1000.0 + 0.5); }

double secondsBetween(std::chrono::steady_clock::time_point a,
                      std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

llvm::Error llmError(ErrorKind kind, std::string message,
                     std::optional<double> retryAfter = std::nullopt) {
  return llvm::make_error<LLMError>(kind, std::move(message), "", retryAfter);
}

} // namespace

ChatAttempt::ChatAttempt(CurlMulti &multi, AttemptSpec specIn, DoneFn doneIn)
    : multi(multi), spec(std::move(specIn)), done(std::move(doneIn)), watchdog(multi.context()) {
  easy = curl_easy_init();
  headerList = curl_slist_append(headerList, "Content-Type: application/json");
  headerList = curl_slist_append(headerList, spec.stream ? "Accept: text/event-stream"
                                                         : "Accept: application/json");
  headerList = curl_slist_append(headerList, "Expect:"); // no 100-continue round trip
  for (const std::string &h : spec.headers)
    headerList = curl_slist_append(headerList, h.c_str());
  curl_easy_setopt(easy, CURLOPT_URL, spec.url.c_str());
  if (!spec.caBundle.empty())
    curl_easy_setopt(easy, CURLOPT_CAINFO, spec.caBundle.c_str());
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, spec.body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(spec.body.size()));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headerList);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &ChatAttempt::onHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &ChatAttempt::onBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errorBuffer);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, millis(spec.timeouts.connectSeconds));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, millis(spec.timeouts.totalSeconds));
  // Non-streaming calls are silent until generation ends: keep NATs from
  // dropping the connection, but no low-speed limit: a long prompt can take
  // minutes before the first byte of a non-streamed reply.
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, 30L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, 15L);
}

ChatAttempt::~ChatAttempt() {
  abort();
  curl_easy_cleanup(easy);
  curl_slist_free_all(headerList);
}

void ChatAttempt::start() {
  startedAt = lastByteAt = lastProgressAt = Clock::now();
  running = true;
  std::weak_ptr<char> weak = alive;
  if (llvm::Error err = multi.add(easy, [this, weak](CURLcode code) {
        if (!weak.expired())
          onCurlDone(code);
      })) {
    running = false;
    finish(llmError(ErrorKind::Connect, llvm::toString(std::move(err))));
    return;
  }
  if (auto when = deadline())
    armWatchdog(*when);
}

void ChatAttempt::abort() {
  if (running)
    multi.remove(easy);
  running = false;
  finished = true;
  watchdog.cancel();
}

size_t ChatAttempt::onHeader(char *data, size_t size, size_t n, void *self) {
  return static_cast<ChatAttempt *>(self)->header(llvm::StringRef(data, size * n));
}

size_t ChatAttempt::onBody(char *data, size_t size, size_t n, void *self) {
  return static_cast<ChatAttempt *>(self)->body(llvm::StringRef(data, size * n));
}

size_t ChatAttempt::header(llvm::StringRef line) {
  // Runs inside libcurl: only our own state is touched here.
  lastByteAt = Clock::now();
  llvm::StringRef text = line.trim();
  if (text.startswith("HTTP/")) { // a new status line (after 100 Continue, redirects...)
    long code = 0;
    llvm::StringRef rest = text.split(' ').second.ltrim();
    if (!rest.take_while([](char c) { return c >= '0' && c <= '9'; }).getAsInteger(10, code))
      status = code;
    retryAfter.reset();
    contentType.clear();
    return line.size();
  }
  auto [name, value] = text.split(':');
  if (name.trim().equals_insensitive("retry-after"))
    retryAfter = parseRetryAfter(value);
  else if (name.trim().equals_insensitive("content-type"))
    contentType = value.trim().lower();
  return line.size();
}

size_t ChatAttempt::body(llvm::StringRef bytes) {
  // Runs inside libcurl: parse and account only; returning a short count
  // makes libcurl end the transfer with CURLE_WRITE_ERROR.
  lastByteAt = Clock::now();
  if (!gotBytes) {
    gotBytes = true;
    sseMode = status == 200 && spec.stream &&
              !llvm::StringRef(contentType).startswith("application/json");
  }
  size_t n = bytes.size();
  if (!sseMode) {
    size_t cap = status == 200 ? spec.limits.maxReplyBytes : kMaxErrorBody;
    if (rawBody.size() + bytes.size() > cap) {
      if (status == 200) {
        bodyOverflow = true;
        return 0;
      }
      bytes = bytes.take_front(cap - rawBody.size()); // keep reading, stop keeping
    }
    rawBody.append(bytes.data(), bytes.size());
    return n;
  }
  bool wasStarted = stream.started();
  uint64_t progressBefore = stream.progress();
  sse.feed(bytes, [&](llvm::StringRef payload) {
    if (bodyError)
      return;
    if (llvm::Error err = stream.onData(payload, spec.limits)) {
      ErrorKind kind = ErrorKind::Malformed;
      std::string message;
      llvm::handleAllErrors(std::move(err), [&](const LLMError &e) {
        kind = e.kind;
        message = e.message;
      });
      bodyError = Failure{kind, std::move(message)};
      return;
    }
    if (stream.firstContentJustArrived()) {
      gotFirstContent = true;
      firstContentAt = Clock::now();
    }
  });
  if (stream.progress() != progressBefore)
    lastProgressAt = lastByteAt;
  if (!bodyError && sse.pendingBytes() > spec.limits.json.maxBytes)
    bodyError = Failure{ErrorKind::Malformed,
                        "an SSE event exceeds " + std::to_string(spec.limits.json.maxBytes) + " bytes"};
  if (!wasStarted && stream.started() && !bodyError) {
    // From the first-token to the idle deadline, which may be earlier: re-arm
    // once (an Asio call, not a libcurl one, so allowed here).
    if (auto when = deadline())
      armWatchdog(*when);
  }
  return bodyError ? 0 : n;
}

std::optional<ChatAttempt::Clock::time_point> ChatAttempt::deadline() const {
  if (!spec.stream)
    return std::nullopt; // only libcurl's total timeout applies
  bool waitingForFirst = (status == 0 || status == 200) && !stream.started();
  if (waitingForFirst)
    return spec.timeouts.firstTokenSeconds > 0
               ? std::optional(startedAt + toDuration(spec.timeouts.firstTokenSeconds))
               : std::nullopt;
  std::optional<Clock::time_point> when;
  if (spec.timeouts.idleSeconds > 0)
    when = lastByteAt + toDuration(spec.timeouts.idleSeconds);
  if (sseMode && spec.timeouts.stallSeconds > 0)
    when = std::min(when.value_or(Clock::time_point::max()), lastProgressAt + toDuration(spec.timeouts.stallSeconds));
  return when;
}

void ChatAttempt::armWatchdog(Clock::time_point when) {
  watchdog.expires_at(when);
  std::weak_ptr<char> weak = alive;
  watchdog.async_wait([this, weak](const boost::system::error_code &ec) {
    if (!ec && !weak.expired())
      onWatchdog();
  });
}

void ChatAttempt::onWatchdog() {
  if (finished)
    return;
  // The idle deadline moves with every byte; checking lazily here avoids
  // re-arming the timer for each chunk.
  bool firstToken = (status == 0 || status == 200) && !stream.started();
  std::optional<Clock::time_point> when = deadline();
  if (!when)
    return;
  if (Clock::now() < *when) {
    armWatchdog(*when);
    return;
  }
  if (firstToken)
    fail(ErrorKind::Timeout,
         "no first token within " + std::to_string(spec.timeouts.firstTokenSeconds) + " s");
  else if (spec.timeouts.idleSeconds > 0 && Clock::now() >= lastByteAt + toDuration(spec.timeouts.idleSeconds))
    fail(ErrorKind::Timeout, "stream idle for " + std::to_string(spec.timeouts.idleSeconds) + " s");
  else
    fail(ErrorKind::Timeout, "no new tokens for " + std::to_string(spec.timeouts.stallSeconds) + " s");
}

void ChatAttempt::fail(ErrorKind kind, std::string message) {
  if (running)
    multi.remove(easy); // called from Asio handlers only, never from libcurl
  running = false;
  finish(llmError(kind, std::move(message)));
}

void ChatAttempt::onCurlDone(CURLcode code) {
  if (finished)
    return;
  running = false;
  finish(outcomeFor(code));
}

llvm::Expected<ChatResult> ChatAttempt::transportFailure(CURLcode code) {
  std::string detail = curl_easy_strerror(code);
  if (errorBuffer[0])
    detail += std::string(": ") + errorBuffer;
  while (!detail.empty() && detail.back() == '\n')
    detail.pop_back();
  curl_off_t pretransfer = 0;
  curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
  bool sent = pretransfer > 0 || gotBytes || status != 0;
  switch (code) {
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_COULDNT_CONNECT:
  case CURLE_SSL_CONNECT_ERROR:
    return llmError(ErrorKind::Connect, detail);
  case CURLE_OPERATION_TIMEDOUT:
    return llmError(sent ? ErrorKind::Timeout : ErrorKind::Connect, detail);
  default:
    break;
  }
  if (status != 0 && status != 200)
    return llmError(ErrorKind::CutStream,
                    "HTTP " + std::to_string(status) + " answer cut: " + detail);
  if (!sent)
    return llmError(ErrorKind::Connect, detail);
  return llmError(ErrorKind::CutStream, "connection cut (" + detail + ") after " +
                                            std::to_string(stream.take().content.size()) +
                                            " content bytes; usage unknown");
}

llvm::Expected<ChatResult> ChatAttempt::outcomeFor(CURLcode code) {
  if (bodyError)
    return llmError(bodyError->kind, bodyError->message);
  if (bodyOverflow)
    return llmError(ErrorKind::Malformed,
                    "response body larger than " + std::to_string(spec.limits.maxReplyBytes) + " bytes");
  if (code != CURLE_OK)
    return transportFailure(code);
  if (status != 200) {
    HttpFailure f = classifyHttpError(status, rawBody);
    return llmError(f.kind, std::move(f.message), retryAfter);
  }
  ChatResult result;
  if (sseMode) {
    if (!stream.done())
      return llmError(ErrorKind::CutStream, "stream ended without [DONE] after " +
                                                std::to_string(stream.take().content.size()) +
                                                " content bytes; usage unknown");
    result = stream.take();
  } else {
    llvm::Expected<ChatResult> parsed = parseCompletion(rawBody, spec.limits.json);
    if (!parsed)
      return parsed.takeError();
    result = std::move(*parsed);
  }
  if (llvm::Error err = checkStructured(result, spec.hasSchema, spec.limits.json))
    return err;
  Clock::time_point end = Clock::now();
  result.totalSeconds = secondsBetween(startedAt, end);
  result.firstTokenSeconds =
      gotFirstContent ? secondsBetween(startedAt, firstContentAt) : result.totalSeconds;
  return result;
}

void ChatAttempt::finish(llvm::Expected<ChatResult> outcome) {
  finished = true;
  watchdog.cancel();
  // Posted: the receiver may destroy this attempt, and must never run inside
  // a libcurl call.
  boost::asio::post(multi.context(), [fn = std::move(done), out = std::move(outcome)]() mutable {
    if (fn)
      fn(std::move(out));
  });
}

} // namespace llmflow::llm
