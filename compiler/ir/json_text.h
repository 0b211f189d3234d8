// JSON text with numbers spelled as people write them: the shortest form
// that reads back as the same double (0.86, not 0.85999999999999999 as
// llvm::json prints it). Used for the IR file, job results and values that
// templates and str() insert into text.
#pragma once

#include "llvm/Support/JSON.h"

#include <string>

namespace llvm { class raw_ostream; }

namespace llmflow::ir {

/// The shortest decimal spelling of `d` that round-trips; integral values
/// keep no fraction ("3"), non-finite ones are "null" (JSON has no NaN).
std::string formatDouble(double d);

/// Orders object keys; the default is alphabetical (as llvm::json).
using KeyLess = bool (*)(llvm::StringRef, llvm::StringRef);

/// Writes `v` into a JSON stream (object keys ordered by `less`).
void writeValue(llvm::json::OStream &j, const llvm::json::Value &v, KeyLess less = nullptr);

/// `v` as JSON text: compact (indent 0) or pretty-printed.
void writeValue(llvm::raw_ostream &os, const llvm::json::Value &v, unsigned indent = 0);
std::string toText(const llvm::json::Value &v, unsigned indent = 0);

} // namespace llmflow::ir
