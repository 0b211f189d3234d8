// Internal: identifiers and property text for the BIF and XMLBIF writers
// and reader. BIF words are [A-Za-z][A-Za-z0-9_]* here (what pgmpy,
// bnlearn and Weka accept); pgmpy's reader also splits the file
// at every occurrence of "variable" and "probability", so identifiers and
// property values never contain those words. Property values are
// percent-encoded ("%XX") so they hold no ';', '=', '{', '}', '"', '/' or
// spaces.
#pragma once

#include "bn/bn.h"

#include <string>
#include <utility>
#include <vector>

namespace llmflow::bn::detail {

/// An identifier for `name`; `prefix` leads when the name does not start
/// with a letter ("s" for states: "0.5" -> "s_0_5").
std::string identifier(llvm::StringRef name, llvm::StringRef prefix);
/// Suffixes "_2", "_3", ... to repeated identifiers.
void uniquify(std::vector<std::string> &ids);

std::string encodeProperty(llvm::StringRef text);
llvm::Expected<std::string> decodeProperty(llvm::StringRef text);

struct InterchangeNames {
  std::string network;
  std::vector<std::string> vars;
  std::vector<std::vector<std::string>> states;
};
InterchangeNames interchangeNames(const Network &n);

using Properties = std::vector<std::pair<std::string, std::string>>;
/// llmflow_* properties that restore what identifiers lose (values encoded).
Properties networkProperties(const Network &n);
Properties variableProperties(const Network &n, unsigned v);

} // namespace llmflow::bn::detail
