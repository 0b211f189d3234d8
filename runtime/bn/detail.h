// Internals shared by the files of runtime/bn (not part of the interface):
// error construction, number formatting that round-trips, and CPT indexing.
#pragma once

#include "bn/bn.h"

#include "llvm/ADT/Twine.h"

#include <cstdint>
#include <string>

namespace llmflow::bn::detail {

[[nodiscard]] inline llvm::Error fail(BNErrorKind kind, const llvm::Twine &msg) {
  return llvm::make_error<BNError>(kind, msg.str());
}

/// Shortest decimal text that reads back as the same double ("0.1", "1e-05").
std::string formatDouble(double d);

/// Number of parent configurations of variable v (product of parent cards).
size_t parentConfigs(const Network &n, unsigned v);

/// Indices into the dataset's columns for the network's variables (-1 =
/// no such column).
std::vector<int> columnIndex(const Network &n, const Dataset &d);

/// Checks every row has one value per column; names the first bad row.
llvm::Error checkRowShapes(const Dataset &d);

} // namespace llmflow::bn::detail
