// CurlMulti: libcurl multi-socket + Asio readiness waits and one timer.
#include "llm/curl_asio.h"

#include <boost/asio/post.hpp>

#include <cassert>
#include <mutex>
#include <vector>

namespace llmflow::llm {
namespace {

// curl_global_init is not reentrant in general; do it once per process.
// (The flag is the only process-wide state and never changes afterwards.)
void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

} // namespace

CurlMulti::CurlMulti(boost::asio::io_context &io) : io(io), timer(io) {
  globalInit();
  multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &CurlMulti::socketCallback);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &CurlMulti::timerCallback);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
}

CurlMulti::~CurlMulti() {
  alive.reset(); // queued handlers become no-ops
  for (auto &[easy, fn] : done)
    curl_multi_remove_handle(multi, easy);
  done.clear();
  curl_multi_cleanup(multi); // may still report CURL_POLL_REMOVE for pooled sockets
  for (auto &[s, sock] : sockets)
    sock->descriptor.release(); // libcurl closed or owns the fd: never close it here
  sockets.clear();
}

llvm::Error CurlMulti::add(CURL *easy, DoneFn fn) {
  auto [it, inserted] = done.emplace(easy, std::move(fn));
  if (!inserted)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "easy handle is already running");
  CURLMcode rc = curl_multi_add_handle(multi, easy);
  if (rc != CURLM_OK) {
    done.erase(it);
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "curl_multi_add_handle: %s",
                                   curl_multi_strerror(rc));
  }
  return llvm::Error::success(); // libcurl asked for a 0 ms timer: the transfer starts there
}

void CurlMulti::remove(CURL *easy) {
  if (done.erase(easy)) {
    [[maybe_unused]] CURLMcode rc = curl_multi_remove_handle(multi, easy);
    assert(rc != CURLM_RECURSIVE_API_CALL && "remove() called from a libcurl callback");
  }
}

int CurlMulti::socketCallback(CURL *, curl_socket_t s, int what, void *self, void *) {
  static_cast<CurlMulti *>(self)->watch(s, what);
  return 0;
}

int CurlMulti::timerCallback(CURLM *, long timeoutMs, void *selfp) {
  // Only Asio calls here: the timer handler, not this callback, calls libcurl.
  auto *self = static_cast<CurlMulti *>(selfp);
  if (timeoutMs < 0) {
    self->timer.cancel();
    return 0;
  }
  self->timer.expires_after(std::chrono::milliseconds(timeoutMs));
  self->timer.async_wait(
      [self, weak = std::weak_ptr<char>(self->alive)](const boost::system::error_code &ec) {
        if (!ec && !weak.expired())
          self->onTimer();
      });
  return 0;
}

void CurlMulti::watch(curl_socket_t s, int what) {
  auto it = sockets.find(s);
  if (what == CURL_POLL_REMOVE) {
    if (it != sockets.end()) {
      it->second->descriptor.release(); // deregisters; pending waits end with operation_aborted
      sockets.erase(it);
    }
    return;
  }
  if (it == sockets.end()) {
    auto sock = std::make_unique<Socket>(io);
    boost::system::error_code ec;
    sock->descriptor.assign(s, ec);
    if (ec)
      return; // libcurl's own timeout will end the transfer
    sock->generation = nextGeneration++;
    it = sockets.emplace(s, std::move(sock)).first;
  }
  it->second->what = what;
  arm(s);
}

void CurlMulti::arm(curl_socket_t s) {
  auto it = sockets.find(s);
  if (it == sockets.end())
    return;
  Socket &sock = *it->second;
  std::weak_ptr<char> weak = alive;
  uint64_t gen = sock.generation;
  if ((sock.what & CURL_POLL_IN) && !sock.reading) {
    sock.reading = true;
    sock.descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                               [this, weak, s, gen](const boost::system::error_code &ec) {
                                 if (!weak.expired())
                                   onReady(s, gen, false, ec);
                               });
  }
  if ((sock.what & CURL_POLL_OUT) && !sock.writing) {
    sock.writing = true;
    sock.descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                               [this, weak, s, gen](const boost::system::error_code &ec) {
                                 if (!weak.expired())
                                   onReady(s, gen, true, ec);
                               });
  }
}

void CurlMulti::onReady(curl_socket_t s, uint64_t generation, bool write,
                        const boost::system::error_code &ec) {
  auto it = sockets.find(s);
  if (it == sockets.end() || it->second->generation != generation)
    return; // the socket was removed (and maybe its number reused) meanwhile
  Socket &sock = *it->second;
  (write ? sock.writing : sock.reading) = false;
  if (ec == boost::asio::error::operation_aborted)
    return;
  int wanted = write ? CURL_POLL_OUT : CURL_POLL_IN;
  if (!(sock.what & wanted))
    return; // libcurl no longer cares about this direction
  int mask = ec ? CURL_CSELECT_ERR : (write ? CURL_CSELECT_OUT : CURL_CSELECT_IN);
  int running = 0;
  [[maybe_unused]] CURLMcode rc = curl_multi_socket_action(multi, s, mask, &running);
  assert(rc != CURLM_RECURSIVE_API_CALL && "libcurl called from one of its callbacks");
  arm(s); // libcurl may have changed or removed the socket during the call
  collectDone();
}

void CurlMulti::onTimer() {
  int running = 0;
  [[maybe_unused]] CURLMcode rc =
      curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
  assert(rc != CURLM_RECURSIVE_API_CALL && "libcurl called from one of its callbacks");
  collectDone();
}

void CurlMulti::collectDone() {
  std::vector<std::pair<CURL *, CURLcode>> finished;
  int left = 0;
  while (CURLMsg *msg = curl_multi_info_read(multi, &left))
    if (msg->msg == CURLMSG_DONE)
      finished.emplace_back(msg->easy_handle, msg->data.result);
  for (auto [easy, code] : finished) {
    auto it = done.find(easy);
    if (it == done.end())
      continue;
    DoneFn fn = std::move(it->second);
    done.erase(it);
    curl_multi_remove_handle(multi, easy);
    boost::asio::post(io, [fn = std::move(fn), code = code] { fn(code); }); // C++17 cannot capture a binding
  }
}

} // namespace llmflow::llm
