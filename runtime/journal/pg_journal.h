// The journal in a PostgreSQL database (libpq), for several llmflow
// processes sharing one queue and one journal (serve's scale-out, with the
// shared queue of pg_queue.h) or for a batch whose journal should live on a
// server. The same records as the SQLite journal in llmflow_* tables of a
// versioned schema (created on first use), written with parameterised
// statements and grouped into one transaction per commit(). A commit is as
// durable as the server makes it (its synchronous_commit). Several processes
// may write one database: a job's end is recorded once (the first wins), a
// stage's result by whoever finishes it (a stage two processes ran, because
// one lost its lease while still running, is recorded by the last).
#pragma once

#include "journal/journal.h"

namespace llmflow::journal {

struct PgOptions {
  /// A shared queue's journal (serve): the database may hold other
  /// processes' jobs; neither check below applies.
  bool shared = false;
  /// Resume: the database must hold a run. Otherwise (and not shared) it
  /// must hold no job.
  bool mustHoldRun = false;
};

/// Connects to `uri` (postgresql://USER:PASSWORD@HOST:PORT/DB) and creates
/// or checks the schema. Errors name the server and say what is wrong:
/// refused, authentication failed, no such database, another schema version.
llvm::Expected<std::unique_ptr<Journal>> openPgJournal(const std::string &uri, PgOptions options = {});

} // namespace llmflow::journal
