// Plain HTTP requests for tools (`http = "GET"` tools and std.http.*),
// on the same libcurl multi handle and event loop as the LLM client.
#pragma once

#include "engine/net_policy.h"
#include "llm/curl_asio.h"

#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>

namespace llmflow::engine {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::string contentType = "application/json";
  double timeoutSeconds = 30;
  size_t maxBytes = 16 << 20;
  /// Which non-public addresses it may reach, on every redirect hop; null:
  /// none. Checked on each address connected to, after DNS.
  std::shared_ptr<const NetPolicy> network;
};

/// The request tried to reach an address the NetPolicy does not allow.
/// Retrying cannot help.
class AddressRefused : public llvm::ErrorInfo<AddressRefused> {
public:
  static char ID;
  explicit AddressRefused(std::string message) : message(std::move(message)) {}
  void log(llvm::raw_ostream &os) const override { os << message; }
  std::error_code convertToErrorCode() const override { return llvm::inconvertibleErrorCode(); }

private:
  std::string message;
};

struct HttpResponse {
  long status = 0;
  std::string body;
};

/// Stops a request early: `done` then runs with an error saying so.
using CancelFetch = std::function<void()>;

/// Starts the request; `done` runs on the event loop. Transport failures and
/// non-2xx statuses are errors naming the URL and the status; a connection
/// req.network refuses is an AddressRefused. Proxies from the environment
/// are not used: the address check must see the real destination.
CancelFetch httpFetch(llm::CurlMulti &multi, HttpRequest req,
                      std::function<void(llvm::Expected<HttpResponse>)> done);

} // namespace llmflow::engine
