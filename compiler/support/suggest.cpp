#include "support/suggest.h"

namespace llmflow::support {

std::optional<std::string> closestName(llvm::StringRef name, llvm::ArrayRef<llvm::StringRef> candidates) {
  // Short names are close to many others: 'x' is one edit from 'y'. Allow
  // one edit per three characters, at least one and at most two.
  unsigned limit = std::max<unsigned>(1, std::min<unsigned>(2, unsigned(name.size() + 2) / 3));
  std::optional<std::string> best;
  unsigned bestDistance = limit + 1;
  for (llvm::StringRef c : candidates) {
    if (c == name || c.empty())
      continue;
    // A difference in case alone is one edit, whatever the length.
    unsigned d = c.equals_insensitive(name) ? 1 : name.edit_distance(c, true, limit);
    if (d < bestDistance) {
      bestDistance = d;
      best = c.str();
    }
  }
  return best;
}

std::optional<std::string> closestName(llvm::StringRef name, const std::vector<std::string> &candidates) {
  std::vector<llvm::StringRef> refs(candidates.begin(), candidates.end());
  return closestName(name, refs);
}

} // namespace llmflow::support
