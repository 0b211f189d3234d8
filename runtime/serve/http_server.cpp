#include "serve/http_server.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include "llvm/Support/FormatVariadic.h"

#include <deque>
#include <optional>

namespace llmflow::serve {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

Response jsonResponse(unsigned status, llvm::json::Value body) {
  Response r;
  r.status = status;
  r.body = llvm::formatv("{0}", body).str();
  return r;
}

Response jsonError(unsigned status, llvm::StringRef message) {
  const char *type = status == 401 || status == 403 ? "authentication_error"
                     : status == 404              ? "not_found_error"
                     : status < 500               ? "invalid_request_error"
                                                  : "server_error";
  return jsonResponse(status, llvm::json::Object{{"error", llvm::json::Object{{"message", message.str()},
                                                                              {"type", type},
                                                                              {"code", int64_t(status)}}}});
}

namespace {

std::string head(unsigned status, llvm::StringRef contentType, bool keepAlive, const Response *r, size_t length,
                 bool stream) {
  std::string h = llvm::formatv("HTTP/1.1 {0} {1}\r\nContent-Type: {2}\r\n", status,
                                std::string(http::obsolete_reason(http::int_to_status(status))), contentType)
                      .str();
  if (!stream)
    h += llvm::formatv("Content-Length: {0}\r\n", length).str();
  else
    h += "Cache-Control: no-cache\r\n";
  if (r)
    for (const auto &[k, v] : r->headers)
      h += k + ": " + v + "\r\n";
  h += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  return h;
}

class Session : public Exchange, public std::enable_shared_from_this<Session> {
public:
  Session(tcp::socket socket, const ServerOptions &options, const Handler &handler,
          std::shared_ptr<size_t> open)
      : stream(std::move(socket)), options(options), handler(handler), open(std::move(open)) {
    ++*this->open;
  }
  ~Session() override { --*open; }

  void start() {
    if (*open <= options.maxConnections)
      return readNext();
    bodyRead = false; // whatever the client sends is dropped
    reply(jsonError(503, llvm::formatv("too many connections (the limit is {0}): try again later",
                                       options.maxConnections)
                             .str()));
  }

  void reply(Response r) override {
    if (answered || closed)
      return;
    answered = true;
    keepAlive = keepAlive && r.status < 400; // after an error the rest of the input is not trusted
    enqueue(head(r.status, r.contentType, keepAlive, &r, r.body.size(), false) + r.body);
    finishing = true;
    flush();
  }
  void openStream() override {
    if (answered || closed)
      return;
    answered = streaming = true;
    keepAlive = false;
    enqueue(head(200, "text/event-stream", false, nullptr, 0, true));
    flush();
  }
  void send(std::string frame) override {
    if (!streaming || finishing || closed)
      return;
    enqueue(std::move(frame));
    flush();
  }
  void end() override {
    if (!streaming || finishing || closed)
      return;
    finishing = true;
    flush();
  }
  bool gone() const override { return closed; }

private:
  void readNext() {
    parser.emplace();
    parser->body_limit(options.maxBodyBytes);
    parser->header_limit(uint32_t(options.maxHeaderBytes));
    answered = streaming = finishing = false;
    bodyRead = false;
    stream.expires_after(options.idleTimeout);
    http::async_read_header(stream, buffer, *parser, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->onHeader(ec);
    });
  }

  /// curl and others wait for "100 Continue" before sending a large body.
  void onHeader(beast::error_code ec) {
    if (ec)
      return onRead(ec);
    auto readBody = [self = shared_from_this()] {
      http::async_read(self->stream, self->buffer, *self->parser,
                       [self](beast::error_code ec, size_t) { self->onRead(ec); });
    };
    llvm::StringRef expect(parser->get()[http::field::expect].data(), parser->get()[http::field::expect].size());
    if (!expect.equals_insensitive("100-continue") || parser->is_done())
      return readBody();
    out.push_back("HTTP/1.1 100 Continue\r\n\r\n");
    asio::async_write(stream, asio::buffer(out.front()), [self = shared_from_this(), readBody](beast::error_code ec,
                                                                                              size_t) {
      self->out.pop_front();
      if (ec)
        return self->shutdown();
      readBody();
    });
  }

  void onRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
      shutdown();
      return;
    }
    if (ec) {
      keepAlive = false;
      if (ec == http::error::body_limit)
        reply(jsonError(413, llvm::formatv("the request body is over the limit of {0} bytes",
                                           options.maxBodyBytes).str()));
      else if (ec == http::error::header_limit)
        reply(jsonError(431, "the request's header is over the limit"));
      else
        reply(jsonError(400, "malformed HTTP request: " + ec.message()));
      return;
    }
    bodyRead = true;
    stream.expires_never();
    const auto &msg = parser->get();
    keepAlive = msg.keep_alive();
    Request req;
    req.method = std::string(msg.method_string());
    llvm::StringRef target(msg.target().data(), msg.target().size());
    req.path = target.split('?').first.str();
    llvm::StringRef ct(msg[http::field::content_type].data(), msg[http::field::content_type].size());
    req.contentType = ct.split(';').first.trim().lower();
    req.authorization = std::string(msg[http::field::authorization]);
    req.body = std::move(parser->get().body());
    handler(req, shared_from_this());
  }

  void enqueue(std::string s) { out.push_back(std::move(s)); }

  void flush() {
    if (writing || closed)
      return;
    if (out.empty()) {
      if (!finishing)
        return;
      if (keepAlive)
        readNext();
      else
        shutdown();
      return;
    }
    writing = true;
    stream.expires_after(options.idleTimeout); // a client that stops reading is dropped
    asio::async_write(stream, asio::buffer(out.front()),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        self->writing = false;
                        self->out.pop_front();
                        if (ec) {
                          self->closed = true;
                          self->stream.socket().close(ec);
                          return;
                        }
                        self->flush();
                      });
  }

  /// Closes after the answer has gone out. When the request's body was not
  /// read (over the limit), what the client still sends is read and dropped
  /// for a moment first: closing with unread input would reset the
  /// connection and could destroy the answer before the client reads it.
  void shutdown() {
    if (closed)
      return;
    closed = true;
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (bodyRead) {
      stream.socket().close(ec);
      return;
    }
    stream.expires_after(std::chrono::seconds(2));
    drain();
  }
  void drain() {
    stream.async_read_some(asio::buffer(scratch), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        self->stream.socket().close(ec);
        return;
      }
      self->drain();
    });
  }

  beast::tcp_stream stream;
  const ServerOptions &options;
  const Handler &handler;
  beast::flat_buffer buffer;
  std::optional<http::request_parser<http::string_body>> parser;
  std::deque<std::string> out;
  char scratch[16384];
  bool answered = false, streaming = false, finishing = false, writing = false, closed = false;
  bool keepAlive = false, bodyRead = true;
  std::shared_ptr<size_t> open; // the server's count of connections
};

} // namespace

HttpServer::HttpServer(asio::io_context &io, ServerOptions options, Handler handler)
    : io(io), options(options), handler(std::move(handler)), acceptor(io), retry(io),
      open(std::make_shared<size_t>(0)) {}

HttpServer::~HttpServer() = default;

llvm::Error HttpServer::listen(const std::string &host, uint16_t port) {
  beast::error_code ec;
  asio::ip::address addr = asio::ip::make_address(host, ec);
  if (ec)
    return llvm::createStringError(std::errc::invalid_argument, "'%s' is not an IP address", host.c_str());
  tcp::endpoint ep(addr, port);
  acceptor.open(ep.protocol(), ec);
  if (!ec)
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor.bind(ep, ec);
  if (!ec)
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return llvm::createStringError(ec, "cannot listen on %s port %u: %s", host.c_str(), unsigned(port),
                                   ec.message().c_str());
  accept();
  return llvm::Error::success();
}

tcp::endpoint HttpServer::endpoint() const { return acceptor.local_endpoint(); }

void HttpServer::close() {
  beast::error_code ec;
  acceptor.close(ec);
  retry.cancel();
}

void HttpServer::accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open())
      return;
    if (!ec) {
      beast::error_code ignored; // latency only
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), options, handler, open)->start();
      return accept();
    }
    // Out of descriptors, say: try again shortly instead of spinning.
    retry.expires_after(std::chrono::milliseconds(100));
    retry.async_wait([this](beast::error_code ec) {
      if (!ec)
        accept();
    });
  });
}

} // namespace llmflow::serve
