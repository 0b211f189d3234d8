// The IR's JSON form: writing a Module deterministically and reading it back
// strictly. The format is documented field by field in docs/ir-schema.md.
// Reading checks shape only (fields present, well typed, known spellings,
// the right version); whether the graph makes sense is ir_verify.h's job.
#pragma once

#include "ir/ir.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace llmflow::ir {

/// The module as JSON text. Deterministic: keys are written in a fixed order
/// ("llmflow_ir", "source", "records", "enums", "tools", "apps", "id", "kind",
/// "name" first, the rest alphabetically), numbers in their shortest
/// round-tripping spelling. Pretty output is
/// indented by 2 and ends with a newline; compact output is one line.
std::string writeJSON(const Module &m, bool pretty = true);
/// The same text written to a stream as it is produced (no copy of the
/// module as JSON values is held).
void writeJSON(llvm::raw_ostream &os, const Module &m, bool pretty = true);

/// Parses JSON text into a module. Fails on malformed JSON, on a missing or
/// different "llmflow_ir" version, and on any missing, mistyped or unknown
/// field; the message names the JSON path, e.g.
/// "apps[0].graph.nodes[3].kind: expected one of regular, llm, dynamic".
[[nodiscard]] llvm::Expected<Module> readJSON(llvm::StringRef text);

/// readJSON on a file's contents; messages are prefixed with the path.
[[nodiscard]] llvm::Expected<Module> readJSONFile(llvm::StringRef path);

} // namespace llmflow::ir
