// URL templates: values are data, never URL structure; only http(s) URLs.
#include "core/url_template.h"

#include <doctest/doctest.h>

using namespace llmflow;
using namespace llmflow::rt;

namespace {
ir::TemplatePart text(std::string s) { return ir::TemplatePart{std::move(s), std::nullopt}; }

ir::TemplatePart hole(std::string value) {
  ir::Expr e;
  e.kind = ir::Expr::Kind::Literal;
  e.literal = std::move(value);
  return ir::TemplatePart{"", std::move(e)};
}

/// The rendered URL, or the error's message.
std::string render(const ir::Template &t) {
  EvalScope scope{[](ir::RefRoot, llvm::StringRef) -> const Value * { return nullptr; }};
  auto url = renderUrl(t, scope);
  return url ? *url : "error: " + llvm::toString(url.takeError());
}
} // namespace

TEST_CASE("url template: a query value cannot add parameters or cut the URL") {
  CHECK(render({text("http://h/search?q="), hole("x&safe=0#"), text("&safe=1")}) ==
        "http://h/search?q=x%26safe%3D0%23&safe=1");
  CHECK(render({text("http://h/s?q="), hole("a b+c/é")}) == "http://h/s?q=a%20b%2Bc%2F%C3%A9");
}

TEST_CASE("url template: a path value stays one segment") {
  CHECK(render({text("http://h/api/v1/items/"), hole("../../../admin/delete?all=1")}) ==
        "http://h/api/v1/items/..%2F..%2F..%2Fadmin%2Fdelete%3Fall%3D1");
  CHECK(render({text("http://h/items/"), hole("..")}) ==
        "error: URL template: the value '..' would leave its path segment");
  CHECK(render({text("http://h/items/"), hole(".")}).find("would leave its path segment") != std::string::npos);
  CHECK(render({text("http://h/items/"), hole("a.b-c_d~e")}) == "http://h/items/a.b-c_d~e");
  CHECK(render({text("http://h/#"), hole("a#b")}) == "http://h/#a%23b");
}

TEST_CASE("url template: a base URL at the start goes in whole, and must be http(s)") {
  CHECK(render({hole("http://127.0.0.1:8080/v1"), text("/items/"), hole("a/b")}) ==
        "http://127.0.0.1:8080/v1/items/a%2Fb");
  CHECK(render({hole("https://example.org")}) == "https://example.org");
  CHECK(render({hole("file:///etc/passwd")}) == "error: 'file:///etc/passwd' is not an http or https URL");
  CHECK(render({hole("gopher://h/x")}) == "error: 'gopher://h/x' is not an http or https URL");
  CHECK(render({hole("/relative")}) == "error: '/relative' is not an http or https URL");
  CHECK(render({text("ftp://h/"), hole("x")}) == "error: 'ftp://h/x' is not an http or https URL");
  CHECK(render({text("http:///x")}) == "error: 'http:///x' has no host");
}

TEST_CASE("url template: a value in the host may hold only host characters") {
  CHECK(render({text("http://"), hole("api.example.org:8443"), text("/x")}) == "http://api.example.org:8443/x");
  CHECK(render({text("http://"), hole("evil.org/x?"), text("/x")}) ==
        "error: URL template: the value 'evil.org/x?' is not a host name");
  CHECK(render({text("http://"), hole("user@evil.org")}).find("is not a host name") != std::string::npos);
}

TEST_CASE("url template: checkHttpUrl takes any case of the scheme") {
  CHECK(!checkHttpUrl("HTTPS://h/"));
  llvm::Error e = checkHttpUrl("javascript:alert(1)");
  CHECK(llvm::toString(std::move(e)) == "'javascript:alert(1)' is not an http or https URL");
}
