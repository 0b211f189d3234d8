// What the SQLite files of a run (the journal, the call cache) share: a
// prepared statement that finalizes itself and binds and reads the few
// column types they store, and the plain-words reason for an SQLite error.
// Not for: schemas or transactions, which belong to each file's owner.
#pragma once

#include "llvm/ADT/StringRef.h"

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>

namespace llmflow::sqlite {

/// A prepared statement, finalized with its owner.
class Stmt {
public:
  Stmt() = default;
  Stmt(const Stmt &) = delete;
  Stmt &operator=(const Stmt &) = delete;
  ~Stmt() { sqlite3_finalize(s); }
  sqlite3_stmt *s = nullptr;
  void text(int i, llvm::StringRef v) { sqlite3_bind_text(s, i, v.data(), int(v.size()), SQLITE_TRANSIENT); }
  void integer(int i, int64_t v) { sqlite3_bind_int64(s, i, v); }
  void real(int i, double v) { sqlite3_bind_double(s, i, v); }
  void optional(int i, std::optional<unsigned> v) {
    if (v)
      integer(i, *v);
    else
      sqlite3_bind_null(s, i);
  }
  std::string column(int i) {
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? std::string(reinterpret_cast<const char *>(t), size_t(sqlite3_column_bytes(s, i))) : std::string();
  }
  int64_t columnInt(int i) { return sqlite3_column_int64(s, i); }
  bool isNull(int i) { return sqlite3_column_type(s, i) == SQLITE_NULL; }
  std::optional<unsigned> columnOptional(int i) {
    return isNull(i) ? std::nullopt : std::optional<unsigned>(unsigned(columnInt(i)));
  }
  /// Ready for the next bindings.
  void reset() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
};

/// Why an SQLite call on `db` failed, in words a user can act on (" (...)"),
/// or "" when SQLite's own message says it all.
inline std::string reason(sqlite3 *db) {
  switch ((db ? sqlite3_errcode(db) : SQLITE_CANTOPEN) & 0xff) {
  case SQLITE_BUSY:
  case SQLITE_LOCKED: return " (another process has it open)";
  case SQLITE_READONLY: return " (the file or its folder is read-only)";
  case SQLITE_NOTADB:
  case SQLITE_CORRUPT: return " (not an SQLite database, or a damaged one)";
  case SQLITE_FULL: return " (the disk is full)";
  default: return "";
  }
}

} // namespace llmflow::sqlite
