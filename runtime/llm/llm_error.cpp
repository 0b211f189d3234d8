// ErrorKind names, the retry classification and LLMError: the vocabulary the
// rest of the client uses to decide between retry, fallback and failure.
#include "llm/llm_client.h"

#include "llvm/Support/raw_ostream.h"

namespace llmflow::llm {

char LLMError::ID = 0;

llvm::StringRef toString(ErrorKind k) {
  switch (k) {
  case ErrorKind::Connect:
    return "connect";
  case ErrorKind::Timeout:
    return "timeout";
  case ErrorKind::RateLimited:
    return "rate-limited";
  case ErrorKind::ServerError:
    return "server-error";
  case ErrorKind::CutStream:
    return "cut-stream";
  case ErrorKind::BadRequest:
    return "bad-request";
  case ErrorKind::Auth:
    return "auth";
  case ErrorKind::NotFound:
    return "not-found";
  case ErrorKind::ContextOverflow:
    return "context-overflow";
  case ErrorKind::QuotaExceeded:
    return "quota-exceeded";
  case ErrorKind::Malformed:
    return "malformed";
  case ErrorKind::Truncated:
    return "truncated";
  case ErrorKind::NoEndpoint:
    return "no-endpoint";
  case ErrorKind::Cancelled:
    return "cancelled";
  }
  llvm_unreachable("unknown ErrorKind");
}

bool isRetryable(ErrorKind k) {
  switch (k) {
  case ErrorKind::Connect:
  case ErrorKind::Timeout:
  case ErrorKind::RateLimited:
  case ErrorKind::ServerError:
  case ErrorKind::CutStream:
  case ErrorKind::Malformed: // at most once per endpoint, see llm_client.h
    return true;
  default:
    return false;
  }
}

bool isEndpointFault(ErrorKind k) {
  return k == ErrorKind::Auth || k == ErrorKind::NotFound || k == ErrorKind::QuotaExceeded;
}

void LLMError::log(llvm::raw_ostream &os) const {
  os << toString(kind);
  if (!endpoint.empty())
    os << " (" << endpoint << ")";
  os << ": " << message;
}

ErrorKind errorKind(llvm::Error err) {
  ErrorKind kind = ErrorKind::Malformed;
  llvm::handleAllErrors(
      std::move(err), [&](const LLMError &e) { kind = e.kind; },
      [&](const llvm::ErrorInfoBase &) { kind = ErrorKind::Malformed; });
  return kind;
}

} // namespace llmflow::llm
