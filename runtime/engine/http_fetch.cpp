#include "engine/http_fetch.h"

#include <boost/asio/post.hpp>

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

llvm::Error fail(const std::string &m) { return llvm::createStringError(llvm::inconvertibleErrorCode(), m); }

} // namespace

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
