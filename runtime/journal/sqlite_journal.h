// The journal in one SQLite file (the embedded default): WAL mode, a
// versioned schema, prepared statements, and writes grouped into one
// transaction per commit().
//
// Durability: the file is opened with `synchronous = NORMAL` by default. In
// WAL mode a commit then writes the transaction to the write-ahead log (the
// operating system has it once write() returns) and fsyncs only at
// checkpoints, so a killed process (SIGKILL, a crash, OOM) loses nothing that
// was committed, and a power failure or kernel crash may lose the last
// transactions but never corrupts the file; what is lost is re-run on resume
// (the same as a stage in flight). `synchronous = FULL` (Options::fullSync)
// fsyncs the log on every commit as well, so that a committed record also
// survives a power failure, at the price of one fsync per commit.
//
// Checkpoints (where NORMAL fsyncs) run beside the writer on a connection of
// their own (sqlite_checkpointer.h). The file is held with an advisory lock
// while open: one process writes a journal at a time (another gets a clear
// "another process" error at start); others may read it meanwhile.
#pragma once

#include "journal/journal.h"

namespace llmflow::journal {

struct SQLiteOptions {
  /// synchronous = FULL instead of NORMAL (see above).
  bool fullSync = false;
  /// Open an existing journal only (resume); otherwise the file must be new
  /// or an empty journal.
  bool mustExist = false;
};

/// Opens (or creates) the journal at `path`. Errors name the file and say
/// what is wrong: cannot open, locked by another process, read-only, not a
/// database or corrupt, not an llmflow journal, or another schema version.
llvm::Expected<std::unique_ptr<Journal>> openSQLiteJournal(const std::string &path, SQLiteOptions options = {});

/// The schema version this build writes and reads.
constexpr int kSchemaVersion = 1;

} // namespace llmflow::journal
