// NetPolicy: which addresses count as non-public (IPv4-mapped forms
// included), the allow_hosts syntax with its errors, and matching by name,
// address, network and port.
#include "engine/net_policy.h"

#include <doctest/doctest.h>

using namespace llmflow::engine;

namespace {

std::string kind(const char *text) {
  auto a = parseIpAddress(text);
  REQUIRE(a);
  const char *k = restrictedKind(*a);
  return k ? k : "public";
}

NetPolicy policy(std::vector<std::string> entries) {
  auto p = NetPolicy::parse(entries);
  REQUIRE_MESSAGE(p, (p ? "" : llvm::toString(p.takeError())));
  return std::move(*p);
}

std::string parseError(std::string entry) {
  auto p = NetPolicy::parse({entry});
  if (p)
    return "<accepted>";
  return llvm::toString(p.takeError());
}

bool allows(const NetPolicy &p, const char *host, const char *addr, unsigned port) {
  auto a = parseIpAddress(addr);
  REQUIRE(a);
  return !p.refusal(host, *a, port);
}

} // namespace

TEST_CASE("non-public addresses are recognised, also in IPv6 forms of IPv4") {
  for (const char *a : {"127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "::127.0.0.1",
                        "64:ff9b::127.0.0.1"})
    CHECK_MESSAGE(kind(a) == "loopback", a);
  for (const char *a : {"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "::ffff:10.0.0.1"})
    CHECK_MESSAGE(kind(a) == "private", a);
  CHECK(kind("100.64.0.1") == "shared (CGNAT)");
  CHECK(kind("169.254.169.254") == "link-local"); // cloud metadata
  CHECK(kind("::ffff:169.254.169.254") == "link-local");
  CHECK(kind("fe80::1") == "link-local");
  CHECK(kind("fd12:3456::1") == "unique-local");
  CHECK(kind("fc00::1") == "unique-local");
  CHECK(kind("0.0.0.0") == "unspecified");
  CHECK(kind("::") == "unspecified");
  CHECK(kind("224.0.0.1") == "multicast");
  CHECK(kind("ff02::1") == "multicast");
  CHECK(kind("255.255.255.255") == "broadcast");
  for (const char *a : {"8.8.8.8", "172.32.0.1", "172.15.255.255", "100.128.0.1", "192.169.0.1", "2001:4860::8888",
                        "::ffff:8.8.8.8", "11.0.0.1"})
    CHECK_MESSAGE(kind(a) == "public", a);
}

TEST_CASE("allow_hosts entries: names, addresses, networks, ports") {
  NetPolicy p = policy({"localhost", "api.internal:8443", "10.0.0.0/8", "127.0.0.1:8080", "[::1]:9000", "fd00::/8",
                        "Printer.LAN."});
  CHECK(allows(p, "localhost", "127.0.0.1", 1));
  CHECK(allows(p, "LOCALHOST", "::1", 443));
  CHECK(allows(p, "api.internal", "10.9.9.9", 1));   // by network
  CHECK(allows(p, "api.internal", "192.168.0.5", 8443));
  CHECK_FALSE(allows(p, "api.internal", "192.168.0.5", 8444));
  CHECK(allows(p, "127.0.0.1", "127.0.0.1", 8080));
  CHECK_FALSE(allows(p, "127.0.0.1", "127.0.0.1", 8081));
  CHECK_FALSE(allows(p, "127.0.0.2", "127.0.0.2", 8080));
  CHECK(allows(p, "[::1]", "::1", 9000));
  CHECK(allows(p, "x", "fd00:1::1", 80));
  CHECK(allows(p, "x", "fd01::1", 80)); // fd00::/8 holds every fdXX:: address
  CHECK_FALSE(allows(p, "x", "fc00::1", 80));
  CHECK(allows(p, "printer.lan", "192.168.0.7", 631));
  CHECK(allows(p, "x", "::ffff:10.1.1.1", 80));       // mapped form of an allowed network
  CHECK(allows(p, "anything", "8.8.8.8", 80));         // public addresses need no entry
  // A name rule is about the URL's host, not about whatever resolves there.
  CHECK_FALSE(allows(p, "evil.example", "127.0.0.1", 1));
  NetPolicy none = policy({});
  CHECK_FALSE(allows(none, "localhost", "127.0.0.1", 80));
  CHECK(allows(policy({"0.0.0.0/0", "::/0"}), "x", "169.254.169.254", 80));
}

TEST_CASE("a refusal names the address and how to allow it") {
  NetPolicy p = policy({});
  auto a = parseIpAddress("::ffff:127.0.0.1");
  auto why = p.refusal("localhost", *a, 8080);
  REQUIRE(why);
  CHECK(*why == "refused to connect to 127.0.0.1 port 8080 (loopback) for host 'localhost': tool HTTP "
                "requests reach only public addresses unless the config allows more; to allow this one, add "
                "\"localhost:8080\" (or \"localhost\" for every port) to allow_hosts in the [network] section of "
                "the --config file");
  why = p.refusal("[fe80::1]", *parseIpAddress("fe80::1"), 80);
  REQUIRE(why);
  CHECK(why->find("add \"[fe80::1]:80\"") != std::string::npos);
}

TEST_CASE("malformed allow_hosts entries are errors naming the entry") {
  CHECK(parseError("") == "allow_hosts: '': expected a host name, an IP address or a network such as 10.0.0.0/8, "
                          "optionally with :PORT");
  CHECK(parseError("10.0.0.1/8") ==
        "allow_hosts: '10.0.0.1/8': host bits are set after the /8 prefix (the network is 10.0.0.0/8)");
  CHECK(parseError("10.0.0.0/33") == "allow_hosts: '10.0.0.0/33': the prefix length must be a number from 0 to 32");
  CHECK(parseError("fd00::/129") == "allow_hosts: 'fd00::/129': the prefix length must be a number from 0 to 128");
  CHECK(parseError("10.0.0.0/") == "allow_hosts: '10.0.0.0/': the prefix length must be a number from 0 to 32");
  CHECK(parseError("host:0") == "allow_hosts: 'host:0': the port must be a number from 1 to 65535");
  CHECK(parseError("host:65536") == "allow_hosts: 'host:65536': the port must be a number from 1 to 65535");
  CHECK(parseError("host:+80") == "allow_hosts: 'host:+80': the port must be a number from 1 to 65535");
  CHECK(parseError("host:") == "allow_hosts: 'host:': the port is empty");
  CHECK(parseError("[::1]:") == "allow_hosts: '[::1]:': the port is empty");
  CHECK(parseError("[::1") == "allow_hosts: '[::1': expected ']' after the IPv6 address");
  CHECK(parseError("[::1]8080") == "allow_hosts: '[::1]8080': expected ':PORT' after ']'");
  CHECK(parseError("[10.0.0.1]") == "allow_hosts: '[10.0.0.1]': expected an IPv6 address in brackets");
  CHECK(parseError("256.1.1.1") != "<accepted>");     // not an address, and not a name either
  CHECK(parseError("http://localhost") == "allow_hosts: 'http://localhost': expected a host, not a URL");
  CHECK(parseError("::1:8080:x") == "allow_hosts: '::1:8080:x': expected an IPv6 address (with a port: [::1]:8080)");
  CHECK(parseError("bad_name") != "<accepted>");
  CHECK(parseError("*.example.com") != "<accepted>");
  CHECK(parseError("-x.example") != "<accepted>");
  CHECK(parseError("::ffff:10.0.0.0/104") == "allow_hosts: '::ffff:10.0.0.0/104': write IPv4-mapped addresses in "
                                             "IPv4 form");
}
