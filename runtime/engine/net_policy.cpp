// Address classification and `allow_hosts` rules: parsing (strict, with
// errors naming the entry) and matching a connection against them.
#include "engine/net_policy.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <tuple>

namespace llmflow::engine {
namespace {

llvm::Error fail(const llvm::Twine &m) { return llvm::createStringError(llvm::inconvertibleErrorCode(), m); }

/// The first `prefix` bits of a and b agree.
bool samePrefix(const IpAddress &a, const IpAddress &b, unsigned prefix) {
  for (unsigned i = 0; i < prefix; ++i) {
    unsigned byte = i / 8, bit = 7 - i % 8;
    if (((a.bytes[byte] >> bit) & 1) != ((b.bytes[byte] >> bit) & 1))
      return false;
  }
  return true;
}

bool inNet(const IpAddress &a, llvm::StringRef net, unsigned prefix) {
  std::optional<IpAddress> n = parseIpAddress(net);
  return n && n->v6 == a.v6 && samePrefix(a, *n, prefix);
}

/// IPv6 forms that carry an IPv4 address in their last 32 bits: the
/// deprecated compatible form (::/96) and NAT64 (64:ff9b::/96); the
/// embedded address decides. (Mapped ones, ::ffff:0:0/96, are IPv4 already:
/// parseIpAddress.)
std::optional<IpAddress> embeddedV4(const IpAddress &a) {
  if (!a.v6)
    return std::nullopt;
  if (inNet(a, "64:ff9b::", 96) ||
      (inNet(a, "::", 96) && !inNet(a, "::", 127))) { // not :: or ::1
    IpAddress v4;
    std::memcpy(v4.bytes.data(), a.bytes.data() + 12, 4);
    return v4;
  }
  return std::nullopt;
}

/// A DNS name: labels of letters, digits and '-' (not at either end), at
/// most 63 characters each, not all digits in the last label (that would be
/// a mistyped IPv4 address).
bool validHostName(llvm::StringRef name) {
  if (name.empty() || name.size() > 253)
    return false;
  llvm::SmallVector<llvm::StringRef, 8> labels;
  name.split(labels, '.');
  for (llvm::StringRef l : labels)
    if (l.empty() || l.size() > 63 || l.front() == '-' || l.back() == '-' ||
        !llvm::all_of(l, [](char c) { return llvm::isAlnum(c) || c == '-'; }))
      return false;
  return !llvm::all_of(labels.back(), llvm::isDigit);
}

} // namespace

std::string IpAddress::str() const {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<IpAddress> parseIpAddress(llvm::StringRef text) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']')
    text = text.drop_front().drop_back();
  std::string s = text.str();
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1)
    return a;
  a.v6 = true;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1)
    return std::nullopt;
  static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a.bytes.data(), mapped, 12) == 0) {
    IpAddress v4;
    std::memcpy(v4.bytes.data(), a.bytes.data() + 12, 4);
    return v4;
  }
  return a;
}

std::optional<std::pair<IpAddress, unsigned>> fromSockaddr(const sockaddr *sa) {
  if (!sa)
    return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  if (sa->sa_family == AF_INET) {
    const auto *in = reinterpret_cast<const sockaddr_in *>(sa);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    return std::make_pair(*parseIpAddress(buf), unsigned(ntohs(in->sin_port)));
  }
  if (sa->sa_family == AF_INET6) {
    const auto *in6 = reinterpret_cast<const sockaddr_in6 *>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    return std::make_pair(*parseIpAddress(buf), unsigned(ntohs(in6->sin6_port)));
  }
  return std::nullopt;
}

const char *restrictedKind(const IpAddress &a) {
  if (std::optional<IpAddress> v4 = embeddedV4(a))
    return restrictedKind(*v4);
  struct Range {
    const char *net;
    unsigned prefix;
    const char *kind;
  };
  static const Range ranges[] = {
      {"0.0.0.0", 8, "unspecified"},      {"10.0.0.0", 8, "private"},
      {"100.64.0.0", 10, "shared (CGNAT)"}, {"127.0.0.0", 8, "loopback"},
      {"169.254.0.0", 16, "link-local"},  {"172.16.0.0", 12, "private"},
      {"192.168.0.0", 16, "private"},     {"224.0.0.0", 4, "multicast"},
      {"255.255.255.255", 32, "broadcast"}, {"240.0.0.0", 4, "reserved"},
      {"::", 128, "unspecified"},         {"::1", 128, "loopback"},
      {"fe80::", 10, "link-local"},       {"fec0::", 10, "site-local"},
      {"fc00::", 7, "unique-local"},      {"ff00::", 8, "multicast"},
  };
  for (const Range &r : ranges)
    if (inNet(a, r.net, r.prefix))
      return r.kind;
  return nullptr;
}

llvm::Expected<NetPolicy> NetPolicy::parse(const std::vector<std::string> &entries) {
  NetPolicy p;
  for (const std::string &entry : entries) {
    auto bad = [&](const llvm::Twine &why) { return fail("allow_hosts: '" + entry + "': " + why); };
    llvm::StringRef host(entry), port;
    if (host.contains("://"))
      return bad("expected a host, not a URL");
    if (host.startswith("[")) { // [IPv6] or [IPv6]:PORT
      size_t close = host.find(']');
      if (close == llvm::StringRef::npos)
        return bad("expected ']' after the IPv6 address");
      llvm::StringRef rest = host.drop_front(close + 1);
      host = host.slice(1, close);
      if (!rest.empty()) {
        if (!rest.consume_front(":"))
          return bad("expected ':PORT' after ']'");
        if (rest.empty())
          return bad("the port is empty");
        port = rest;
      }
      if (!parseIpAddress(host.split('/').first) || !parseIpAddress(host.split('/').first)->v6)
        return bad("expected an IPv6 address in brackets");
    } else if (host.count(':') == 1) { // NAME:PORT or IPv4[/N]:PORT
      std::tie(host, port) = host.split(':');
      if (port.empty())
        return bad("the port is empty");
    } // else a bare IPv6 address or network, or a host without a port
    Rule r;
    if (!port.empty()) {
      if (!llvm::all_of(port, llvm::isDigit) || port.size() > 5 || port.getAsInteger(10, r.port) || r.port < 1 ||
          r.port > 65535)
        return bad("the port must be a number from 1 to 65535");
    }
    auto [addr, bits] = host.split('/');
    if (std::optional<IpAddress> ip = parseIpAddress(addr)) {
      // An IPv4-mapped network written in IPv6 (::ffff:10.0.0.0/104) would
      // need its prefix shifted; asking for the IPv4 form is clearer.
      if (!ip->v6 && addr.contains(':'))
        return bad("write IPv4-mapped addresses in IPv4 form");
      unsigned max = ip->v6 ? 128 : 32;
      r.prefix = max;
      if (host.contains('/') &&
          (bits.empty() || !llvm::all_of(bits, llvm::isDigit) || bits.getAsInteger(10, r.prefix) || r.prefix > max))
        return bad("the prefix length must be a number from 0 to " + llvm::Twine(max));
      IpAddress masked = *ip;
      for (unsigned i = r.prefix; i < max; ++i)
        masked.bytes[i / 8] &= uint8_t(~(1u << (7 - i % 8)));
      if (masked.bytes != ip->bytes)
        return bad("host bits are set after the /" + llvm::Twine(r.prefix) + " prefix (the network is " +
                   masked.str() + "/" + llvm::Twine(r.prefix) + ")");
      r.net = *ip;
    } else if (host.contains(':')) {
      return bad("expected an IPv6 address (with a port: [::1]:8080)");
    } else if (host.contains('/')) {
      return bad("expected an IP address before the '/'");
    } else {
      std::string name = host.rtrim('.').lower();
      if (!validHostName(name))
        return bad("expected a host name, an IP address or a network such as 10.0.0.0/8, optionally with :PORT");
      r.name = name;
    }
    p.rules.push_back(std::move(r));
  }
  return p;
}

std::optional<std::string> NetPolicy::refusal(llvm::StringRef host, const IpAddress &addr, unsigned port) const {
  const char *kind = restrictedKind(addr);
  if (!kind)
    return std::nullopt;
  std::string lower = host.rtrim('.').lower();
  if (lower.size() > 2 && lower.front() == '[')
    lower = lower.substr(1, lower.size() - 2);
  IpAddress a = embeddedV4(addr).value_or(addr);
  for (const Rule &r : rules) {
    if (r.port && r.port != port)
      continue;
    if (r.net ? r.net->v6 == a.v6 && samePrefix(a, *r.net, r.prefix) : r.name == lower)
      return std::nullopt;
  }
  std::string shown = a.v6 ? (llvm::Twine("[") + a.str() + "]").str() : a.str();
  std::string suggestion = parseIpAddress(lower) ? shown : lower;
  return "refused to connect to " + a.str() + " port " + std::to_string(port) + " (" + kind + ") for host '" + host.str() +
         "': tool HTTP requests reach only public addresses unless the config allows more; to allow this one, add \"" +
         suggestion + ":" + std::to_string(port) + "\" (or \"" + suggestion +
         "\" for every port) to allow_hosts in the [network] section of the --config file";
}

} // namespace llmflow::engine
