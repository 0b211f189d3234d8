// httpFetch: one request on the shared multi handle, with the address check
// of every connection (NetPolicy) and a cap on the body.
#include "engine/http_fetch.h"

#include <boost/asio/post.hpp>

#include <sys/socket.h>

#include <memory>

namespace llmflow::engine {
namespace {

struct Transfer {
  CURL *easy = nullptr;
  curl_slist *headers = nullptr;
  HttpRequest req;
  std::string body;
  bool overflow = false;
  bool running = false; // added to the multi handle and not finished
  std::string refused;  // why a connection was refused (the first one)
  ~Transfer() {
    if (headers)
      curl_slist_free_all(headers);
    if (easy)
      curl_easy_cleanup(easy);
  }
};

size_t onData(char *ptr, size_t size, size_t n, void *user) {
  auto *t = static_cast<Transfer *>(user);
  size_t bytes = size * n;
  if (t->body.size() + bytes > t->req.maxBytes) {
    t->overflow = true;
    return 0; // aborts the transfer
  }
  t->body.append(ptr, bytes);
  return bytes;
}

/// The host of the URL being fetched. On a redirect libcurl has already
/// made the new URL the effective one when it opens the next connection.
std::string currentHost(CURL *easy) {
  char *url = nullptr;
  curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &url);
  std::string host;
  if (CURLU *u = curl_url()) {
    char *h = nullptr;
    if (url && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK && curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK)
      host = h;
    curl_free(h);
    curl_url_cleanup(u);
  }
  return host;
}

/// Every connection, including each redirect hop and each address a name
/// resolves to, passes here with the address itself: the check cannot be
/// fooled by DNS answers that change between a check and the connect.
curl_socket_t openSocket(void *user, curlsocktype, curl_sockaddr *a) {
  auto *t = static_cast<Transfer *>(user);
  static const NetPolicy none;
  const NetPolicy &policy = t->req.network ? *t->req.network : none;
  std::optional<std::string> why;
  if (auto ap = fromSockaddr(&a->addr))
    why = policy.refusal(currentHost(t->easy), ap->first, ap->second);
  else
    why = "refused to connect: not an IPv4 or IPv6 address";
  if (why) {
    if (t->refused.empty())
      t->refused = *why;
    return CURL_SOCKET_BAD;
  }
  return ::socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

llvm::Error fail(const std::string &m) { return llvm::createStringError(llvm::inconvertibleErrorCode(), m); }

} // namespace

char AddressRefused::ID;

CancelFetch httpFetch(llm::CurlMulti &multi, HttpRequest req,
                      std::function<void(llvm::Expected<HttpResponse>)> done) {
  auto t = std::make_shared<Transfer>();
  t->req = std::move(req);
  t->easy = curl_easy_init();
  if (!t->easy) {
    done(fail("cannot create an HTTP request"));
    return [] {};
  }
  CURL *e = t->easy;
  curl_easy_setopt(e, CURLOPT_URL, t->req.url.c_str());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"); // libcurl's default adds ftp(s)
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, openSocket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t.get());
  curl_easy_setopt(e, CURLOPT_PROXY, ""); // not http_proxy from the environment
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, long(t->req.timeoutSeconds * 1000));
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, onData);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  if (t->req.method != "GET") {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t->req.method.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->req.body.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, long(t->req.body.size()));
    t->headers = curl_slist_append(t->headers, ("Content-Type: " + t->req.contentType).c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
  }
  if (llvm::Error err = multi.add(e, [t, done](CURLcode code) {
        t->running = false;
        std::string what = t->req.method + " " + t->req.url;
        if (t->overflow)
          return done(fail(what + ": response larger than " + std::to_string(t->req.maxBytes) + " bytes"));
        if (code != CURLE_OK && !t->refused.empty())
          return done(llvm::make_error<AddressRefused>(what + ": " + t->refused));
        if (code != CURLE_OK)
          return done(fail(what + ": " + curl_easy_strerror(code)));
        long status = 0;
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status >= 300)
          return done(fail(what + ": HTTP status " + std::to_string(status)));
        done(HttpResponse{status, std::move(t->body)});
      })) {
    done(std::move(err));
    return [] {};
  }
  t->running = true;
  std::weak_ptr<Transfer> weak = t;
  return [weak, &multi, done] {
    auto t = weak.lock();
    if (!t || !t->running)
      return;
    t->running = false;
    multi.remove(t->easy); // drops the DoneFn above
    boost::asio::post(multi.context(), [done, what = t->req.method + " " + t->req.url] {
      done(fail(what + ": cancelled"));
    });
  };
}

} // namespace llmflow::engine
