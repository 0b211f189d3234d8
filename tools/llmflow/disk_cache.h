// A cache of derived data on disk (the simulator's training profiles and
// trained networks): one file per entry, named by a hash of everything the
// entry was computed from. Entries are written atomically (a temporary file
// renamed into place) and checked on reading (format, kind, key and a hash
// of the content); a bad entry is reported as a warning and recomputed,
// never trusted.
#pragma once

#include "cli.h"

#include <optional>
#include <string>

namespace llmflow::cli {

class DiskCache {
public:
  /// --cache-dir DIR (default $XDG_CACHE_HOME/llmflow, else ~/.cache/llmflow);
  /// --no-cache disables the cache.
  static DiskCache fromArgs(const Args &args);
  bool enabled() const { return !dir.empty(); }

  /// The stored text of `kind` for `key` (the text the entry was computed
  /// from), or nullopt: none stored, or a bad entry (a warning on stderr).
  std::optional<std::string> get(llvm::StringRef kind, llvm::StringRef key) const;
  /// Stores the text (a warning on stderr if it cannot be written).
  void put(llvm::StringRef kind, llvm::StringRef key, llvm::StringRef text) const;
  /// A warning that a stored entry did not decode; it will be rewritten.
  void reject(llvm::StringRef kind, llvm::StringRef why) const;

  /// Identifies this build of llmflow for keys: the version, and the
  /// executable's size and modification time (a rebuilt binary may compute
  /// differently under the same version number).
  static std::string buildIdentity();
  /// Hex SHA-1 of `text`.
  static std::string hash(llvm::StringRef text);

private:
  std::string dir;
  std::string path(llvm::StringRef kind, llvm::StringRef key) const;
};

} // namespace llmflow::cli
