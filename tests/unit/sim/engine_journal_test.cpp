// The engine's journal protocol (engine_journal.cpp) against a journal that
// records what it is told in order: every job's end is written and
// committed before onJobDone or the event log hears of it; ends within a
// commit window share commits; with nothing left in flight the engine
// commits at once instead of waiting out the window. Real engine,
// simulated backend executors on a fast clock.

#include "engine_rig.h"

#include "journal/journal.h"

#include <doctest/doctest.h>

#include <chrono>

using namespace llmflow;
using namespace llmflow::simtest;

namespace {

/// Keeps only what the test checks: which job ends each commit covered.
class RecordingJournal : public journal::Journal {
public:
  std::vector<journal::JobNumber> written;   // ends written, not yet committed
  std::vector<journal::JobNumber> committed; // ends covered by a commit, in order
  unsigned commits = 0;
  size_t mostEndsInOneCommit = 0;

  std::string name() const override { return "recording"; }
  llvm::Expected<journal::JournalContents> load() override { return journal::JournalContents{}; }
  void admit(journal::Admission) override {}
  void stageStarted(const journal::StageKey &, llvm::StringRef) override {}
  void stageFinished(const journal::StageKey &, journal::StageResult) override {}
  void expanded(const journal::Expansion &) override {}
  void jobEnded(journal::JobEnd e) override { written.push_back(e.job); }
  llvm::Error commit() override {
    ++commits;
    mostEndsInOneCommit = std::max(mostEndsInOneCommit, written.size());
    committed.insert(committed.end(), written.begin(), written.end());
    written.clear();
    return llvm::Error::success();
  }
};

engine::EngineConfig journaled(journal::Journal &journal, double window) {
  engine::EngineConfig c{8, 8};
  c.journal = &journal;
  c.journalWindow = window;
  return c;
}

struct Rig {
  explicit Rig(double window) : rig(journaled(journal, window)) {}
  RecordingJournal journal;
  EngineRig rig;
  engine::Engine &eng = rig.eng;
  void submit(unsigned jobs) {
    for (unsigned i = 0; i < jobs; ++i)
      rig.submit(0.5 * i, i);
  }
};

/// Runs `jobs` jobs and checks that each end was committed before it was
/// reported (onJobDone, and the event log through the same report).
void checkCommittedBeforeReported(Rig &r, unsigned jobs) {
  std::vector<rt::JobId> reported;
  r.eng.onJobDone = [&](const engine::JobRecord &rec) {
    CHECK_MESSAGE(llvm::is_contained(r.journal.committed, rec.id), "job " << rec.id << " reported before its commit");
    reported.push_back(rec.id);
  };
  r.submit(jobs);
  r.eng.run();
  CHECK(reported.size() == jobs);
  CHECK(r.journal.committed.size() == jobs);
  unsigned logged = 0;
  for (const engine::Event &e : r.rig.sink.events)
    logged += e.type == engine::EventType::JobFinished || e.type == engine::EventType::JobFailed;
  CHECK(logged == jobs);
}

} // namespace

TEST_CASE("engine journal: with a window, ends are committed before they are reported, sharing commits") {
  // A window longer than the run: the jobs overlap, so their ends wait for
  // the moment nothing runs and share that commit (one commit per end was
  // the old behaviour). How many commits there are depends on timing; that
  // some commit carried several ends does not.
  Rig r(60);
  checkCommittedBeforeReported(r, 12);
  CHECK(r.journal.mostEndsInOneCommit >= 2);
}

TEST_CASE("engine journal: without a window, ends are committed before they are reported") {
  Rig r(0);
  checkCommittedBeforeReported(r, 6);
}

TEST_CASE("engine journal: with nothing in flight the last end is committed at once, not after the window") {
  // A window of a minute: a run that waited it out for its last end (or any
  // end with nothing else running) would take a minute; this one takes well
  // under a second of real time at time scale 1000.
  Rig r(60);
  auto t0 = std::chrono::steady_clock::now();
  checkCommittedBeforeReported(r, 3);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(30));
}
