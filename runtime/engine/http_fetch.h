// Plain HTTP requests for tools (`http = "GET"` tools and std.http.*),
// on the same libcurl multi handle and event loop as the LLM client.
#pragma once

#include "llm/curl_asio.h"

#include "llvm/Support/Error.h"

#include <functional>
#include <string>

namespace llmflow::engine {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::string contentType = "application/json";
  double timeoutSeconds = 30;
  size_t maxBytes = 16 << 20;
};

struct HttpResponse {
  long status = 0;
  std::string body;
};

/// Stops a request early: `done` then runs with an error saying so.
using CancelFetch = std::function<void()>;

/// Starts the request; `done` runs on the event loop. Transport failures and
/// non-2xx statuses are errors naming the URL and the status.
CancelFetch httpFetch(llm::CurlMulti &multi, HttpRequest req,
                      std::function<void(llvm::Expected<HttpResponse>)> done);

} // namespace llmflow::engine
