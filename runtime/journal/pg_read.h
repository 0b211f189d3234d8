// Reading the PostgreSQL journal's tables back into JournalContents: every
// job (load(), for --resume) or the jobs a process just claimed (the shared
// queue, pg_queue.h), with their journaled stage results and ends. Not for:
// writing (pg_journal.cpp) or choosing which jobs (pg_queue.cpp).
#pragma once

#include "journal/journal.h"
#include "journal/pg_conn.h"

namespace llmflow::journal::pg {

/// The columns readJobs() expects first, in this order.
constexpr const char *kJobColumns = "job, key, app, inputs, idempotency_key";

/// Job numbers as a PostgreSQL array literal ("{1,2,3}"): one parameter
/// however many.
std::string arrayOf(llvm::ArrayRef<JobNumber> jobs);
/// Strings as a PostgreSQL array literal ({"a","b"}, each quoted).
std::string arrayOf(llvm::ArrayRef<std::string> texts);

/// Adds the jobs in `rows` (kJobColumns first) to `into`.
llvm::Error readJobs(const Connection &c, const Rows &rows, JournalContents &into);
/// Adds the stages and ends of the jobs in `into` whose number is in `jobs`
/// (every job when `jobs` is empty).
llvm::Error readProgress(Connection &c, JournalContents &into, llvm::ArrayRef<JobNumber> jobs = {});

} // namespace llmflow::journal::pg
