// HTTP status + body -> ErrorKind, error-body messages, Retry-After.
#include "llm/http_errors.h"

#include "common/json_reader.h"

#include "llvm/ADT/StringExtras.h"

#include <curl/curl.h>

#include <algorithm>

namespace llmflow::llm {
namespace {

bool mentionsContextLength(llvm::StringRef body) {
  std::string lower = body.lower();
  for (llvm::StringRef needle :
       {"context length", "context_length", "context size", "context window", "maximum context",
        "prompt is too long", "too many tokens", "input is too long"})
    if (llvm::StringRef(lower).contains(needle))
      return true;
  return false;
}

} // namespace

std::string errorBodyMessage(llvm::StringRef body) {
  if (llvm::Expected<llvm::json::Value> v = parseJSON(body)) {
    if (const llvm::json::Object *o = v->getAsObject()) {
      if (const llvm::json::Value *err = o->get("error")) {
        if (auto s = err->getAsString())
          return s->str();
        if (const llvm::json::Object *eo = err->getAsObject())
          if (auto m = eo->getString("message"))
            return m->str();
      }
      if (auto m = o->getString("message"))
        return m->str();
      if (auto d = o->getString("detail"))
        return d->str();
    }
  } else {
    llvm::consumeError(v.takeError());
  }
  llvm::StringRef t = body.trim();
  return t.take_front(200).str();
}

HttpFailure classifyHttpError(long status, llvm::StringRef body) {
  std::string message = "HTTP " + std::to_string(status) + ": " + errorBodyMessage(body);
  ErrorKind kind;
  switch (status) {
  case 429:
    kind = body.contains("insufficient_quota") ? ErrorKind::QuotaExceeded : ErrorKind::RateLimited;
    break;
  case 400:
    kind = mentionsContextLength(body) ? ErrorKind::ContextOverflow : ErrorKind::BadRequest;
    break;
  case 401:
  case 403:
    kind = ErrorKind::Auth;
    break;
  case 404:
    kind = ErrorKind::NotFound;
    break;
  case 408:
    kind = ErrorKind::Timeout;
    break;
  default:
    kind = status >= 500 ? ErrorKind::ServerError : ErrorKind::BadRequest;
    break;
  }
  return {kind, std::move(message)};
}

std::optional<double> parseRetryAfter(llvm::StringRef value, std::time_t now) {
  value = value.trim();
  if (value.empty())
    return std::nullopt;
  unsigned long long seconds = 0;
  if (!llvm::getAsUnsignedInteger(value, 10, seconds))
    return static_cast<double>(seconds);
  // An HTTP date (RFC 9110: IMF-fixdate, or the obsolete RFC 850 and asctime
  // forms, all of which libcurl's date parser reads).
  std::time_t at = curl_getdate(value.str().c_str(), nullptr);
  if (at == -1)
    return std::nullopt;
  return static_cast<double>(std::max<std::time_t>(0, at - now));
}

} // namespace llmflow::llm
