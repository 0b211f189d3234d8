#include "progress.h"

#include <boost/asio/post.hpp>

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

namespace llmflow::cli {

namespace {
constexpr std::chrono::milliseconds kRedraw(250);

std::string clock(double seconds) {
  unsigned s = unsigned(seconds + 0.5);
  return s >= 3600 ? llvm::formatv("{0}:{1:2}:{2:2}", s / 3600, s / 60 % 60, s % 60).str()
                   : llvm::formatv("{0}:{1:2}", s / 60, s % 60).str();
}
} // namespace

Progress::Progress(boost::asio::io_context &io, const engine::Engine &eng, unsigned jobs, bool tty)
    : timer(io), eng(eng), jobs(jobs), tty(tty) {}

void Progress::start() {
  began = std::chrono::steady_clock::now();
  if (tty)
    arm();
}

std::string Progress::line() const {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  unsigned width = 20, filled = jobs ? finished * width / jobs : width;
  std::string eta = finished == jobs ? "done"
                    : finished      ? "ETA " + clock(elapsed / finished * (jobs - finished))
                                    : "ETA --:--";
  unsigned inFlight = eng.tasksInFlight();
  return llvm::formatv("[{0}{1}] {2}/{3} jobs, {4} failed, {5} task{6} in flight, {7} elapsed, {8}",
                       std::string(filled, '#'), std::string(width - filled, ' '), finished, jobs, failed, inFlight,
                       inFlight == 1 ? "" : "s", clock(elapsed), eta)
      .str();
}

void Progress::draw() { llvm::errs() << "\r\033[K" << line() << (finished == jobs ? "\n" : ""); }

void Progress::arm() {
  // Nothing running and nothing due: the run is over or stalled; let the
  // event loop run dry so the engine can say so (a later job end re-arms).
  if (armed || finished == jobs || (!eng.tasksInFlight() && !eng.jobsNotArrived()))
    return;
  armed = true;
  timer.expires_after(kRedraw);
  timer.async_wait([this](const boost::system::error_code &ec) {
    armed = false;
    if (ec)
      return;
    draw();
    // Re-arm after the handlers already queued (a finished task's next
    // dispatch), so a momentary gap between two tasks is not taken for idle.
    boost::asio::post(timer.get_executor(), [this] { arm(); });
  });
}

void Progress::jobDone(const engine::JobRecord &r) {
  ++finished;
  failed += !r.ok;
  if (!r.ok)
    llvm::errs() << (tty ? "\r\033[K" : "") << "job " << r.id << " failed: " << r.error << "\n";
  if (tty) {
    draw();
    if (finished == jobs)
      timer.cancel();
    else
      arm();
  } else if (finished == jobs || finished % std::max(1u, jobs / 10) == 0) {
    llvm::errs() << "progress: " << finished << "/" << jobs << " jobs, " << failed << " failed\n";
  }
}

} // namespace llmflow::cli
