#include "serve/shared_queue.h"

#include "llvm/Support/FormatVariadic.h"

#include <boost/asio/post.hpp>

#include <cassert>

namespace llmflow::serve {

static std::chrono::steady_clock::duration seconds(double s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}

SharedQueue::SharedQueue(boost::asio::io_context &io, journal::PgQueue &queue, Run run, SharedOptions options)
    : io(io), queue(queue), run(std::move(run)), options(std::move(options)), pollTimer(io), renewTimer(io) {}

SharedQueue::~SharedQueue() = default;

void SharedQueue::tell(const std::string &message) {
  if (onError)
    onError(message);
}

void SharedQueue::report(llvm::Error e) {
  ++count.errors;
  tell(llvm::toString(std::move(e)));
}

void SharedQueue::start() {
  poll();
  renew();
}

void SharedQueue::claimNow() {
  if (paused || full())
    return;
  auto jobs = queue.claim(unsigned(options.maxClaimed - claimed.size()), options.apps, runningHere());
  if (!jobs)
    return report(jobs.takeError());
  count.claims += jobs->contents.jobs.size();
  count.takeovers += jobs->takenOver.size();
  for (auto &[n, job] : jobs->contents.jobs) {
    auto [it, fresh] = claimed.try_emplace(rt::JobId(n), std::move(job));
    if (fresh)
      run(it->second);
    else // never handed out (it runs here), but should it be: it runs on
      lost.erase(rt::JobId(n));
  }
}

std::vector<journal::JobNumber> SharedQueue::runningHere() const {
  std::vector<journal::JobNumber> out;
  for (const auto &[id, job] : claimed)
    out.push_back(id);
  return out;
}

void SharedQueue::poll() {
  claimNow();
  pollTimer.expires_after(seconds(options.pollSeconds));
  pollTimer.async_wait([this](const boost::system::error_code &ec) {
    if (!ec)
      poll();
  });
}

void SharedQueue::renew() {
  if (!claimed.empty()) {
    auto lostNow = queue.renew(runningHere());
    if (!lostNow)
      report(lostNow.takeError());
    else
      // Its lease ran out before this renewal and another process claimed
      // it: it runs there too now (its first end recorded is the job's).
      for (journal::JobNumber id : *lostNow)
        if (lost.insert(id).second) {
          ++count.leasesLost;
          tell(llvm::formatv("lost the lease on job {0} (not renewed in time; another process took it over and "
                             "runs it too)",
                             id));
        }
  }
  renewLater();
}

void SharedQueue::renewLater() {
  renewTimer.expires_after(seconds(options.leaseSeconds / 3));
  renewTimer.async_wait([this](const boost::system::error_code &ec) {
    if (!ec)
      renew();
  });
}

llvm::Expected<journal::QueuedJob> SharedQueue::admit(const std::string &app, const llvm::json::Object &inputs,
                                                      const std::string &idempotencyKey, bool runHere) {
  assert((!runHere || !full()) && "running a job here over --max-claimed");
  auto q = queue.enqueue(app, inputs, idempotencyKey, runHere);
  count.errors += !q; // the caller answers it
  if (!q || q->existed)
    return q;
  if (runHere) {
    ++count.claims;
    journal::JournaledJob &held = claimed[rt::JobId(q->job)];
    held.admission = {q->job, journal::jobKey(q->job, inputs), app, inputs, idempotencyKey};
    run(held);
  } else if (!claimPosted) {
    // Claimed in a moment, once the answer is on its way (and with every
    // job admitted in this turn of the loop).
    claimPosted = true;
    boost::asio::post(io, [this] {
      claimPosted = false;
      claimNow();
    });
  }
  return q;
}

void SharedQueue::ended(rt::JobId id) {
  // The engine is done with the job's journaled stages once it has ended,
  // but the call that tells us may still hold them: free them afterwards.
  boost::asio::post(io, [this, id] {
    claimed.erase(id);
    lost.erase(id);
    claimNow();
  });
}

llvm::Expected<std::optional<BoardJob>> SharedQueue::lookup(rt::JobId id) {
  auto v = queue.lookup(journal::JobNumber(id));
  count.errors += !v; // the caller answers it
  if (!v)
    return v.takeError();
  if (!*v)
    return std::nullopt;
  const journal::JournaledJob &job = (*v)->job;
  const std::string &key = job.admission.idempotencyKey;
  if (job.end)
    return endedElsewhere(engine::recordOf(job), key);
  BoardJob j;
  j.id = id;
  j.app = job.admission.app;
  j.idempotencyKey = key;
  j.fromJournal = true;
  j.submittedUnix = (*v)->submittedUnix;
  j.status = (*v)->held ? JobStatus::Running : JobStatus::Queued;
  j.heldBy = (*v)->owner;
  return j;
}

llvm::Expected<SharedQueue::Cancel> SharedQueue::cancel(rt::JobId id, const std::string &reason) {
  auto now = queue.cancel(journal::JobNumber(id), reason);
  count.errors += !now; // the caller answers it
  if (!now)
    return now.takeError();
  auto job = lookup(id);
  if (!job)
    return job.takeError();
  return Cancel{*now, std::move(*job)};
}

QueueCounts SharedQueue::counts() const {
  QueueCounts c = count;
  c.claimed = claimed.size();
  return c;
}

void SharedQueue::pause() { paused = true; }

llvm::Error SharedQueue::stop() {
  paused = true;
  pollTimer.cancel();
  renewTimer.cancel();
  return queue.release();
}

} // namespace llmflow::serve
