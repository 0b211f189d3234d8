// The journal on a writer thread: records reach the file in order, a commit
// asked for without waiting is reported through the durable callback with
// its ticket (commits asked for together may be reported as one), commit()
// waits, and a write error comes back from both.
#include "journal/background_journal.h"
#include "journal/sqlite_journal.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

using namespace llmflow::journal;

namespace {
std::string scratchFile(const char *name) {
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory("background-journal-test", dir));
  llvm::sys::path::append(dir, name);
  return std::string(dir);
}

std::unique_ptr<Journal> openBackground(const std::string &path) {
  auto j = openSQLiteJournal(path, {});
  REQUIRE_MESSAGE(bool(j), (j ? "" : llvm::toString(j.takeError())));
  return inBackground(std::move(*j));
}

/// The highest ticket the journal reported durable, waited for.
struct Durable {
  std::mutex m;
  std::condition_variable cv;
  uint64_t ticket = 0;
  std::string error;
  void attach(Journal &j) {
    j.setDurableCallback([this](uint64_t t, const std::string &e) {
      std::lock_guard<std::mutex> l(m);
      ticket = std::max(ticket, t);
      error = e;
      cv.notify_all();
    });
  }
  void waitFor(uint64_t t) {
    std::unique_lock<std::mutex> l(m);
    cv.wait(l, [&] { return ticket >= t; });
  }
};
} // namespace

TEST_CASE("background journal: asynchronous commits are reported and their records load") {
  std::string path = scratchFile("run.db");
  llvm::json::Object inputs{{"q", "x"}};
  {
    auto j = openBackground(path);
    Durable d;
    d.attach(*j);
    uint64_t last = 0;
    for (unsigned job = 1; job <= 50; ++job) {
      j->admit({job, jobKey(job, inputs), "app", inputs, ""});
      j->stageStarted({job, "app/a", 1}, "app/a");
      StageResult r;
      r.node = "app/a";
      r.value = llvm::json::Value(int64_t(job));
      j->stageFinished({job, "app/a", 1}, r);
      j->jobEnded({job, true, int64_t(job), "", 0, 1, 1, 0, 0, 0});
      uint64_t t = j->commitAsync();
      CHECK(t > last);
      last = t;
    }
    d.waitFor(last);
    CHECK(d.error.empty());
    // Written, never committed: gone with the journal.
    j->admit({51, jobKey(51, inputs), "app", inputs, ""});
  }
  auto j = openSQLiteJournal(path, {true, true});
  REQUIRE(bool(j));
  auto c = (*j)->load();
  REQUIRE(bool(c));
  REQUIRE(c->jobs.size() == 50);
  for (auto &[n, job] : c->jobs) {
    REQUIRE(job.end);
    CHECK(job.end->result == llvm::json::Value(int64_t(n)));
    CHECK(job.stages.at({"app/a", 1}).value == llvm::json::Value(int64_t(n)));
  }
}

TEST_CASE("background journal: commit() waits for everything written before it") {
  std::string path = scratchFile("run.db");
  llvm::json::Object inputs{{"q", "y"}};
  {
    auto j = openBackground(path);
    for (unsigned job = 1; job <= 20; ++job)
      j->admit({job, jobKey(job, inputs), "app", inputs, ""});
    REQUIRE(!j->commit());
  } // the journal holds an exclusive lock until closed
  auto j = openSQLiteJournal(path, {false, true});
  REQUIRE(bool(j));
  auto c = (*j)->load();
  REQUIRE(bool(c));
  CHECK(c->jobs.size() == 20);
}

TEST_CASE("background journal: once the callback is removed it is never called again") {
  // The engine removes its callback when it goes away while the writer
  // thread may still be committing: a later call would reach a freed engine.
  auto j = openBackground(scratchFile("detach.db"));
  std::atomic<bool> removed{false};
  std::atomic<unsigned> calls{0}, late{0};
  for (int round = 0; round < 200; ++round) {
    removed = false;
    j->setDurableCallback([&](uint64_t, const std::string &) {
      ++calls;
      if (removed)
        ++late;
    });
    j->admit({uint64_t(round + 1), "k", "app", {}, ""});
    j->commitAsync();
    j->setDurableCallback(nullptr); // races the writer's report of that commit
    removed = true;
    REQUIRE(!j->commit()); // the writer has reported everything
  }
  CHECK(late == 0);
  CHECK(calls <= 200);
}
