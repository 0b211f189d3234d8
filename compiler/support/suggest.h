// "Did you mean ...?": the closest spelling among the names that would have
// been valid where an unknown name was written.
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace llmflow::support {

/// The candidate nearest to `name` by edit distance (LLVM's
/// StringRef::edit_distance), if it is within 2 edits and close enough for
/// the name's length (one edit for names of up to 3 characters) that the
/// suggestion is plausible. Ties go to the earliest candidate; a candidate
/// equal to `name` is ignored.
std::optional<std::string> closestName(llvm::StringRef name, llvm::ArrayRef<llvm::StringRef> candidates);
std::optional<std::string> closestName(llvm::StringRef name, const std::vector<std::string> &candidates);

} // namespace llmflow::support
