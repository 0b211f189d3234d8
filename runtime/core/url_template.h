// URLs built from templates and from data: an HTTP tool's `url` template
// with each value percent-encoded for its place, and the check that a URL is
// an http(s) one before anything is fetched.
//
// Not for: fetching (engine/http_fetch.h).
#pragma once

#include "core/eval.h"

namespace llmflow::rt {

/// Renders an HTTP tool's URL template. A value at the very start of the
/// template is a base URL ("{{base}}/items/{{id}}") and goes in as it is;
/// a value inside the host ("http://{{host}}/") may hold only host
/// characters; any other value is percent-encoded (all but A-Z a-z 0-9 - . _ ~),
/// so that it stays one path segment, query value or fragment: "/", "?",
/// "&", "=" and "#" in it are data, never structure. A path value "." or ".."
/// is refused. The result must pass checkHttpUrl.
llvm::Expected<std::string> renderUrl(const ir::Template &t, const EvalScope &scope);

/// Percent-encodes every byte but the unreserved characters of RFC 3986.
std::string percentEncode(llvm::StringRef text);

/// An error unless `url` is an absolute http:// or https:// URL with a host.
llvm::Error checkHttpUrl(llvm::StringRef url);

} // namespace llmflow::rt
