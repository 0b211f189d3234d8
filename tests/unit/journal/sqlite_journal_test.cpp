// The SQLite journal on its own: what is committed comes back from load(),
// what is not committed is gone, and a journal holding a run is not reused.
#include "journal/sqlite_journal.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

using namespace llmflow::journal;

namespace {
std::string scratch(const char *name) {
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory("journal-test", dir));
  llvm::sys::path::append(dir, name);
  return std::string(dir);
}

std::unique_ptr<Journal> open(const std::string &path, bool resume) {
  SQLiteOptions o;
  o.mustExist = resume;
  auto j = openSQLiteJournal(path, o);
  REQUIRE_MESSAGE(bool(j), (j ? "" : llvm::toString(j.takeError())));
  return std::move(*j);
}
} // namespace

TEST_CASE("committed records come back, uncommitted ones do not") {
  std::string path = scratch("run.db");
  llvm::json::Object inputs{{"q", "hello"}, {"n", 3}};
  {
    auto j = open(path, false);
    j->admit({1, jobKey(1, inputs), "app", inputs, "client-key"});
    j->stageStarted({1, "app/a", 1}, "app/a");
    StageResult r;
    r.node = "app/a";
    r.llm = true;
    r.value = llvm::json::Object{{"x", 1.5}};
    r.tokensIn = 10;
    r.tokensOut = 4;
    r.attempts = 2;
    j->stageFinished({1, "app/a", 1}, r);
    j->stageStarted({1, "app/b[0]", 1}, "app/b");
    j->expanded({1, "app/b", "app/b", "expansion_size", 2});
    REQUIRE(!j->commit());
    // Never committed: lost with the process.
    j->stageFinished({1, "app/b[0]", 1}, StageResult{});
    j->jobEnded({1, true, "done", "", 0, 1, 1, 0, 10, 4});
  }
  auto j = open(path, true);
  auto c = j->load();
  REQUIRE(bool(c));
  REQUIRE(c->jobs.size() == 1);
  const JournaledJob &job = c->jobs.at(1);
  CHECK(job.admission.key == jobKey(1, inputs));
  CHECK(job.admission.idempotencyKey == "client-key");
  CHECK(job.admission.inputs == inputs);
  CHECK(!job.end);
  CHECK(job.startedNotFinished == 1);
  REQUIRE(job.stages.size() == 1);
  const StageResult &r = job.stages.at({"app/a", 1});
  CHECK(r.ok);
  CHECK(r.value == llvm::json::Value(llvm::json::Object{{"x", 1.5}}));
  CHECK(r.tokensIn == 10u);
  CHECK(r.attempts == 2u);
}

TEST_CASE("a journal that holds a run is not started again") {
  std::string path = scratch("run.db");
  {
    auto j = open(path, false);
    j->admit({1, "1:0", "app", {}, ""});
    REQUIRE(!j->commit());
  }
  auto again = openSQLiteJournal(path);
  REQUIRE(!again);
  CHECK(llvm::toString(again.takeError()).find("already holds a run") != std::string::npos);
}

TEST_CASE("job keys depend on the job number and the inputs, not on key order") {
  llvm::json::Object a{{"x", 1}, {"y", "z"}}, b{{"y", "z"}, {"x", 1}}, c{{"x", 2}, {"y", "z"}};
  CHECK(jobKey(1, a) == jobKey(1, b));
  CHECK(jobKey(1, a) != jobKey(2, a));
  CHECK(jobKey(1, a) != jobKey(1, c));
}

TEST_CASE("a journal one journal object has open is refused to a second, and free again once closed") {
  std::string path = scratch("run.db");
  auto first = open(path, false);
  auto second = openSQLiteJournal(path);
  REQUIRE(!second);
  CHECK(llvm::toString(second.takeError()).find("another process has it open") != std::string::npos);
  first.reset();
  auto third = openSQLiteJournal(path);
  CHECK_MESSAGE(bool(third), (third ? "" : llvm::toString(third.takeError())));
}

TEST_CASE("checkpoints run beside the writer and keep the log bounded even for a writer that never pauses") {
  std::string path = scratch("run.db");
  auto j = open(path, false);
  std::string text(3000, 'x'); // about a page per commit
  auto size = [](const std::string &p) {
    uint64_t s = 0;
    llvm::sys::fs::file_size(p, s);
    return s;
  };
  // Commits alone never write the database file, only checkpoints do; and a
  // log that never started over would hold every page written (15,000).
  // Passive checkpoints may never catch up with commits back to back: past
  // 10,000 pages of log one holds the writer back until it has.
  const unsigned commits = 15000;
  for (unsigned n = 1; n <= commits; ++n) {
    j->admit({n, "", "app", llvm::json::Object{{"q", text}}, ""});
    REQUIRE(!j->commit());
  }
  CHECK(size(path) >= 10000 * 4096);
  CHECK(size(path + "-wal") < 12000 * 4120); // a page and its frame header
}
