// A small HTTP/1.1 server on a Boost.Asio io_context (Boost.Beast), for the
// service that runs applications (job_service.h). It owns connections, keeps
// them alive between requests, bounds what a client can make it hold (header
// size, body size checked before the body is read, idle and read timeouts,
// connections at once)
// and answers malformed HTTP itself with a JSON error. Answers are given
// asynchronously through an Exchange: one whole response, or a stream of
// Server-Sent Events. Single-threaded: everything runs on the loop that
// runs the engine. Not for: routing, authentication or JSON (the service's),
// TLS (put a proxy in front), HTTP/2.
#pragma once

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace llmflow::serve {

struct Request {
  std::string method;      // "GET", "POST", ...
  std::string path;        // the target without its query
  std::string contentType; // the header's media type, lower case, without parameters
  std::string authorization;
  std::string body;
};

struct Response {
  unsigned status = 200;
  std::string contentType = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// The JSON error every 4xx/5xx carries, in the shape OpenAI clients read:
/// {"error": {"message", "type", "code"}}.
Response jsonError(unsigned status, llvm::StringRef message);
Response jsonResponse(unsigned status, llvm::json::Value body);

/// One request being answered: reply() once, or openStream(), send() frames
/// and end(). Calls after the client has gone are ignored.
class Exchange {
public:
  virtual ~Exchange() = default;
  virtual void reply(Response r) = 0;
  /// Sends the head of a text/event-stream answer (the stream ends with the
  /// connection).
  virtual void openStream() = 0;
  virtual void send(std::string frame) = 0;
  virtual void end() = 0;
  virtual bool gone() const = 0;
};

using Handler = std::function<void(const Request &, std::shared_ptr<Exchange>)>;

struct ServerOptions {
  size_t maxBodyBytes = size_t(1) << 20;
  size_t maxHeaderBytes = 16 << 10;
  /// A connection with no complete request for this long is closed.
  std::chrono::seconds idleTimeout{60};
  /// Connections open at once; one more is answered 503 and closed.
  size_t maxConnections = 1024;
};

class HttpServer {
public:
  HttpServer(boost::asio::io_context &io, ServerOptions options, Handler handler);
  ~HttpServer();
  /// Binds and starts accepting; port 0 picks a free port.
  llvm::Error listen(const std::string &host, uint16_t port);
  boost::asio::ip::tcp::endpoint endpoint() const;
  /// Stops accepting (open connections finish what they do).
  void close();

private:
  void accept();
  boost::asio::io_context &io;
  ServerOptions options;
  Handler handler;
  boost::asio::ip::tcp::acceptor acceptor;
  boost::asio::steady_timer retry;
  std::shared_ptr<size_t> open; // shared with the connections, which may outlive the server
};

} // namespace llmflow::serve
