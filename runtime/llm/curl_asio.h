// CurlMulti: libcurl's multi "socket" interface driven by a Boost.Asio
// io_context, no extra threads. libcurl says which sockets to watch
// (CURLMOPT_SOCKETFUNCTION) and when to call back (CURLMOPT_TIMERFUNCTION);
// we wait with posix::stream_descriptor::async_wait and a steady_timer and
// call curl_multi_socket_action from Asio handlers only, never from inside a
// libcurl callback (libcurl 7.88 refuses re-entrant calls).
//
// Sockets are tracked by socket, not by easy handle: a pooled connection
// moves between easy handles. Descriptors are released, never closed, by us:
// libcurl owns them. Works for any address family.
//
// Not for: HTTP semantics, headers, bodies (chat_attempt.h sets up easy handles).
#pragma once

#include "llvm/Support/Error.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <curl/curl.h>

#include <functional>
#include <memory>
#include <unordered_map>

namespace llmflow::llm {

class CurlMulti {
public:
  using DoneFn = std::function<void(CURLcode)>;

  explicit CurlMulti(boost::asio::io_context &io);
  /// Stops every transfer (their DoneFns are not called).
  ~CurlMulti();
  CurlMulti(const CurlMulti &) = delete;
  CurlMulti &operator=(const CurlMulti &) = delete;

  /// Starts `easy` (configured by the caller, still owned by the caller).
  /// `done` is posted to the io_context when the transfer ends, unless
  /// remove() was called first.
  [[nodiscard]] llvm::Error add(CURL *easy, DoneFn done);
  /// Stops `easy` if it is running; its DoneFn is dropped. Must not be called
  /// from a libcurl callback (call it from an Asio handler).
  void remove(CURL *easy);

  size_t transfers() const { return done.size(); }
  size_t watchedSockets() const { return sockets.size(); }
  boost::asio::io_context &context() { return io; }

private:
  struct Socket {
    explicit Socket(boost::asio::io_context &io) : descriptor(io) {}
    boost::asio::posix::stream_descriptor descriptor;
    int what = 0;                          // CURL_POLL_IN / OUT / INOUT
    bool reading = false, writing = false; // an async_wait is pending
    uint64_t generation = 0;
  };

  static int socketCallback(CURL *easy, curl_socket_t s, int what, void *self, void *);
  static int timerCallback(CURLM *, long timeoutMs, void *self);
  void watch(curl_socket_t s, int what);
  void arm(curl_socket_t s);
  void onReady(curl_socket_t s, uint64_t generation, bool write,
               const boost::system::error_code &ec);
  void onTimer();
  void collectDone();

  boost::asio::io_context &io;
  CURLM *multi = nullptr;
  boost::asio::steady_timer timer;
  std::unordered_map<curl_socket_t, std::unique_ptr<Socket>> sockets;
  std::unordered_map<CURL *, DoneFn> done;
  uint64_t nextGeneration = 1;
  std::shared_ptr<char> alive = std::make_shared<char>(); // handlers hold weak refs
};

} // namespace llmflow::llm
