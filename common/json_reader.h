// The one reader for JSON that comes from outside the process: model replies
// and their stream events, tool output, HTTP bodies, json.parse, job inputs,
// IR files, profiles, Bayesian-network files. It is iterative (an explicit
// stack, never recursion), so hostile nesting is an error and not a stack
// overflow, and it enforces limits on depth, document size and string
// length. Duplicate object keys are an error (RFC 8259 leaves them
// undefined; silently keeping one of them would hide a malformed reply).
// The result is an ordinary llvm::json::Value.
//
// Lives in the lowest library (llmflow_common, LLVM Support only) because
// both the IR reader (compiler/ir) and every runtime library need it.
// Not for: writing JSON (llvm::json's printer), TOML (runtime/core/toml_json.h).
#pragma once

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstddef>

namespace llmflow {

/// Limits for one document. The defaults are generous for every legitimate
/// input llmflow reads and small enough that a hostile one costs little.
struct JSONLimits {
  /// Arrays and objects nested inside each other ("[]" is depth 1).
  unsigned maxDepth = 256;
  /// The whole document, in bytes.
  size_t maxBytes = size_t(64) << 20;
  /// One string or object key, in bytes (after unescaping).
  size_t maxStringBytes = size_t(16) << 20;
  /// The parsed value's memory, estimated as it is built. llvm::json gives
  /// every non-empty object at least 64 hash buckets (4 KiB), so 6 MB of
  /// small objects would take 2 GB; this stops such a document early. The
  /// process's resident size grows by about 1.6 times the estimate (the
  /// allocator's overhead, measured on 20,000 plan steps).
  size_t maxMemoryBytes = size_t(256) << 20;
};

/// Parses one JSON document. Errors read "[line:column, byte=offset]:
/// message", like llvm::json::parse's (the size limit has no position). Integers that fit int64 are
/// integers; every other number is a double (a number too large for a
/// double is an error, not infinity).
[[nodiscard]] llvm::Expected<llvm::json::Value> parseJSON(llvm::StringRef text, const JSONLimits &limits = {});

} // namespace llmflow
