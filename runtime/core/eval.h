// Evaluating IR expressions and rendering templates over run-time values
// (llvm::json::Value). Used by the job state machine for conditions,
// arguments, yields, results and prompts. Type errors that sema could not
// rule out (json flowing into a typed place) become llvm::Errors here.
#pragma once

#include "ir/ir.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <functional>
#include <string>

namespace llmflow::rt {

using Value = llvm::json::Value;

/// Resolves the root of a reference. Returns null when the value is not
/// available (a bug in dependency tracking, reported as an error).
struct EvalScope {
  std::function<const Value *(ir::RefRoot root, llvm::StringRef name)> lookup;
};

llvm::Expected<Value> evaluate(const ir::Expr &e, const EvalScope &scope);

/// Text of a value as inserted into a template: strings raw, `null` as the
/// empty string, everything else as compact JSON.
std::string renderValue(const Value &v);

/// Turns a hole's text into what is inserted, knowing the text rendered
/// before it (for escaping that depends on the place, as in URLs).
using HoleEncoder = std::function<llvm::Expected<std::string>(llvm::StringRef before, std::string text)>;

llvm::Expected<std::string> renderTemplate(const ir::Template &t, const EvalScope &scope,
                                           const HoleEncoder &encode = nullptr);

/// Whether a run-time value conforms to a declared type (records by their
/// definitions in `m`). On mismatch, `why` says where (e.g. "field 'code':
/// expected string, found number").
bool conforms(const Value &v, const ir::Type &t, const ir::Module &m, std::string *why = nullptr);

/// Truthiness for conditions: only `true` is true; non-bool is an error.
llvm::Expected<bool> asCondition(const Value &v, llvm::StringRef what);

} // namespace llmflow::rt
