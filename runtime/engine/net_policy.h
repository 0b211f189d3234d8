// Which addresses tool HTTP requests (`http = "GET"` tools, std.http.*) may
// reach. A URL an LLM produced must not become a request to the machine
// itself or to the operator's private network (SSRF): loopback, private,
// shared (CGNAT), link-local, unique-local, unspecified, multicast and
// broadcast addresses, also in their IPv4-mapped IPv6 forms, are refused
// unless the config's `[network] allow_hosts` lists them. The check is made
// on the address actually connected to (engine/http_fetch.cpp), so names
// resolving to such addresses, DNS rebinding and redirects are covered.
//
// Not for: the model endpoints, which the operator configures and which
// are never checked.
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

struct sockaddr;

namespace llmflow::engine {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{}; // IPv4: the first 4
  std::string str() const;
};

/// A literal IPv4 ("10.0.0.1") or IPv6 ("::1", "[::1]") address. An
/// IPv4-mapped IPv6 address (::ffff:127.0.0.1) is returned as IPv4, so it is
/// judged and matched as the address it really is.
std::optional<IpAddress> parseIpAddress(llvm::StringRef text);

/// The address of an AF_INET or AF_INET6 socket address, and its port.
std::optional<std::pair<IpAddress, unsigned>> fromSockaddr(const sockaddr *sa);

/// Why the address is not a public one ("loopback", "private", ...), or
/// nullptr for an ordinary public address.
const char *restrictedKind(const IpAddress &a);

class NetPolicy {
public:
  /// Parses the entries of `allow_hosts`: a host name ("localhost",
  /// "api.internal"), an IP address ("127.0.0.1", "::1"), a network in CIDR
  /// form ("10.0.0.0/8", "fd00::/8"), each optionally with ":PORT" (IPv6 in
  /// brackets then: "[::1]:8080"). Errors name the entry and say what is wrong.
  static llvm::Expected<NetPolicy> parse(const std::vector<std::string> &entries);

  /// Nothing if a connection to `addr`:`port` for the URL host `host` is
  /// allowed; otherwise the reason, saying how to allow it.
  std::optional<std::string> refusal(llvm::StringRef host, const IpAddress &addr, unsigned port) const;

private:
  struct Rule {
    std::string name;                // a host name rule (lower case), or
    std::optional<IpAddress> net;    // an address or network
    unsigned prefix = 0;
    unsigned port = 0;               // 0: any port
  };
  std::vector<Rule> rules;
};

} // namespace llmflow::engine
