// Checking that a Module is a well-formed IR program: unique ids, acyclic
// graphs in topological order, references that can be resolved at run time,
// payloads matching node kinds, and bounded dynamic nodes. The compiler runs
// it on what it lowers (a failure is a compiler bug); the runtime runs it on
// every IR file it loads. It does not type-check expressions: that is the
// front end's job. The rules are listed in docs/ir-schema.md.
#pragma once

#include "ir/ir.h"

#include "llvm/Support/Error.h"

namespace llmflow::ir {

/// At most this many problems are listed; the rest are counted.
inline constexpr unsigned kMaxVerifyProblems = 50;

/// Success, or one error listing every problem found, one per line, each
/// naming its subject: "node 'app/stage': dep 'app/x' does not exist".
[[nodiscard]] llvm::Error verify(const Module &m);

} // namespace llmflow::ir
