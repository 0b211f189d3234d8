#include "verbose.h"

#include "llvm/Support/Format.h"

namespace llmflow::cli {

namespace {
std::string compact(const llvm::json::Value &v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << v;
  os.flush();
  if (s.size() > VerboseSink::kMaxValue)
    s = s.substr(0, VerboseSink::kMaxValue) + "... (" + std::to_string(s.size() - VerboseSink::kMaxValue) +
        " more characters; --log-content keeps them)";
  return s;
}
} // namespace

void VerboseSink::record(const engine::Event &e) {
  using engine::EventType;
  const std::string &what = e.instance.empty() ? e.node : e.instance;
  auto head = [&](llvm::StringRef verb) {
    os << llvm::format("[%8.2f s] job %llu %-7s ", e.t, (unsigned long long)e.job, verb.str().c_str());
  };
  switch (e.type) {
  case EventType::TaskDispatched:
    started[{e.job, what}] = e.t;
    head("start");
    os << what << " (" << e.executor << ")\n";
    break;
  case EventType::TaskFinished:
  case EventType::TaskFailed: {
    bool ok = e.type == EventType::TaskFinished;
    auto it = started.find({e.job, what});
    head(ok ? "done" : "FAILED");
    os << what;
    if (it != started.end()) {
      os << llvm::format(" (%.2f s", e.t - it->second);
      if (e.tokensOut)
        os << ", " << *e.tokensOut << " tokens out";
      if (e.attempts > 1)
        os << ", " << e.attempts << " attempts";
      os << ")";
      started.erase(it);
    }
    if (!ok)
      os << ": " << e.error;
    else if (e.content)
      if (const llvm::json::Object *c = e.content->getAsObject())
        if (const llvm::json::Value *v = c->get("value"))
          os << ": " << compact(*v);
    os << "\n";
    break;
  }
  case EventType::Expanded:
    head("expand");
    os << what << ": ";
    if (e.structure == "branch")
      os << (e.size == 0 ? "the then arm" : "the else arm");
    else if (e.structure == "iterations")
      os << e.size << " iteration(s)";
    else
      os << e.size << " item(s) or step(s)";
    os << "\n";
    break;
  case EventType::TaskReplayed:
    head("replay");
    os << what << " (its result journaled by an earlier run)\n";
    break;
  case EventType::JobFinished:
    head("finish");
    os << "result " << (e.result ? compact(*e.result) : "null") << "\n";
    break;
  case EventType::JobFailed:
    head("FAILED");
    os << "the job: " << e.error << "\n";
    break;
  default:
    break;
  }
  os.flush();
}

} // namespace llmflow::cli
