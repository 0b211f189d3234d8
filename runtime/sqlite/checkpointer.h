// Checkpoints of an SQLite file's write-ahead log (the journal's, the call
// cache's) on a thread and a connection of their own. A checkpoint copies
// the log into the database and fsyncs both (with synchronous = NORMAL, the
// only fsyncs there are). Done by the writer after a commit, as SQLite's
// automatic checkpoint does, it held every commit behind it for as long as
// the fsync of megabytes of log took (tens of milliseconds), which a
// service's admissions, waiting for their commit, felt at once. A PASSIVE
// checkpoint from another connection runs beside the writer instead: the
// writer keeps appending and starts the log over once a checkpoint has
// caught up with it; a writer that never pauses is held back once the log is
// ten times the threshold, so that the log stays bounded. Not for: writing
// (the writer's connection does), or making anything durable (commits do).
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace llmflow::sqlite {

class Checkpointer {
public:
  /// Opens its own connection to the file at `path` (in WAL mode already).
  /// The writer's connection must outlive it.
  explicit Checkpointer(const std::string &path);
  ~Checkpointer();
  /// Installs a hook on the writer's connection: after a commit that leaves
  /// at least `pages` pages of log, the checkpointer is asked to run.
  void watch(sqlite3 *writer, int pages);
  /// The first checkpoint failure that was not a momentary lock ("" if none).
  std::string firstError();

private:
  static int onCommit(void *self, sqlite3 *, const char *, int logPages);
  void loop();

  std::string path;
  sqlite3 *db = nullptr;
  int threshold = 1000;
  int logPages = 0; // at the last commit that asked for a checkpoint
  /// Log size, in thresholds, past which a checkpoint holds the writer back.
  static constexpr int kLogCapFactor = 10;
  std::mutex m;
  std::condition_variable wake;
  bool wanted = false, stopping = false;
  std::string error;
  std::thread worker;
};

} // namespace llmflow::sqlite
