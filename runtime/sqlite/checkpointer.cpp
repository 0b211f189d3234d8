#include "sqlite/checkpointer.h"

#include <sqlite3.h>

namespace llmflow::sqlite {

Checkpointer::Checkpointer(const std::string &path) : path(path) {
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    error = db ? sqlite3_errmsg(db) : "cannot allocate a connection";
    sqlite3_close_v2(db);
    db = nullptr;
    return;
  }
  // Closing is not this connection's business: the log stays (sqlite_journal.cpp).
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  sqlite3_busy_timeout(db, 5000); // a RESTART checkpoint waits for the writer's transaction
  // A connection learns that the file is in WAL mode on its first read;
  // until then a checkpoint does nothing.
  if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr) != SQLITE_OK) {
    error = sqlite3_errmsg(db);
    sqlite3_close_v2(db);
    db = nullptr;
    return;
  }
  worker = std::thread([this] { loop(); });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard<std::mutex> l(m);
    stopping = true;
  }
  wake.notify_all();
  if (worker.joinable())
    worker.join();
  sqlite3_close_v2(db);
}

void Checkpointer::watch(sqlite3 *writer, int pages) {
  threshold = pages;
  sqlite3_wal_hook(writer, &Checkpointer::onCommit, this); // replaces SQLite's automatic checkpoint
}

int Checkpointer::onCommit(void *p, sqlite3 *, const char *, int logPages) {
  auto *self = static_cast<Checkpointer *>(p);
  if (logPages >= self->threshold && self->db) {
    {
      std::lock_guard<std::mutex> l(self->m);
      self->wanted = true;
      self->logPages = logPages;
    }
    self->wake.notify_one();
  }
  return SQLITE_OK;
}

std::string Checkpointer::firstError() {
  std::lock_guard<std::mutex> l(m);
  return error;
}

void Checkpointer::loop() {
  std::unique_lock<std::mutex> l(m);
  for (;;) {
    wake.wait(l, [&] { return wanted || stopping; });
    if (stopping)
      return;
    wanted = false;
    // A writer that never pauses never lets a passive checkpoint catch up,
    // and only a checkpoint that caught up lets the log start over: past
    // kLogCap pages the checkpoint holds the writer back until it is done.
    int mode = logPages >= threshold * kLogCapFactor ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE;
    l.unlock();
    int rc = sqlite3_wal_checkpoint_v2(db, "main", mode, nullptr, nullptr);
    l.lock();
    // Busy is a checkpoint that could not start now (another one, a reader):
    // the next commit over the threshold asks again.
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED && error.empty())
      error = sqlite3_errmsg(db);
  }
}

} // namespace llmflow::sqlite
