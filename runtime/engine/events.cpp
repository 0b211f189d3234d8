#include "engine/events.h"

#include "core/features.h"
#include "core/jsonl.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

namespace llmflow::engine {
namespace {
constexpr std::pair<EventType, const char *> kNames[] = {
    {EventType::RunStarted, "run_started"},       {EventType::JobSubmitted, "job_submitted"},
    {EventType::JobFinished, "job_finished"},     {EventType::JobFailed, "job_failed"},
    {EventType::TaskReady, "task_ready"},         {EventType::TaskDispatched, "task_dispatched"},
    {EventType::TaskFirstToken, "task_first_token"}, {EventType::TaskFinished, "task_finished"},
    {EventType::TaskFailed, "task_failed"},       {EventType::TaskRetried, "task_retried"},
    {EventType::Expanded, "expanded"},           {EventType::TaskReplayed, "task_replayed"},
};
} // namespace

llvm::StringRef toString(EventType t) {
  for (auto [k, n] : kNames)
    if (k == t)
      return n;
  return "?";
}

llvm::json::Value toJSON(const Event &e) {
  llvm::json::Object o{{"t", e.t}, {"type", toString(e.type)}};
  if (e.job) o["job"] = int64_t(e.job);
  if (!e.app.empty()) o["app"] = e.app;
  if (!e.node.empty()) o["node"] = e.node;
  if (!e.instance.empty() && e.instance != e.node) o["instance"] = e.instance;
  if (!e.executor.empty()) o["executor"] = e.executor;
  if (!e.endpoint.empty()) o["endpoint"] = e.endpoint;
  if (!e.model.empty()) o["model"] = e.model;
  if (e.tokensIn) o["tokens_in"] = int64_t(*e.tokensIn);
  if (e.tokensOut) o["tokens_out"] = int64_t(*e.tokensOut);
  if (e.attempts) o["attempts"] = int64_t(e.attempts);
  if (e.cacheHit) o["cache"] = *e.cacheHit ? "hit" : "miss";
  if (!e.structure.empty()) {
    o["structure"] = e.structure;
    o["size"] = e.size;
  }
  if (!e.error.empty()) o["error"] = e.error;
  if (e.result) o["result"] = *e.result;
  if (e.restored) o["restored"] = true;
  if (e.extra) o["run"] = *e.extra;
  if (!e.features.empty())
    o["features"] = rt::featuresToJSON(e.features);
  if (e.content) o["content"] = *e.content;
  return o;
}

llvm::Expected<Event> eventFromJSON(const llvm::json::Value &v) {
  auto bad = [](const llvm::Twine &m) { return llvm::createStringError(llvm::inconvertibleErrorCode(), m); };
  const llvm::json::Object *o = v.getAsObject();
  if (!o)
    return bad("an event must be a JSON object");
  Event e;
  auto type = o->getString("type");
  if (!type)
    return bad("event has no 'type'");
  bool known = false;
  for (auto [k, n] : kNames)
    if (*type == n) {
      e.type = k;
      known = true;
    }
  if (!known)
    return bad("unknown event type '" + *type + "'");
  auto t = o->getNumber("t");
  if (!t)
    return bad("event has no time 't'");
  e.t = *t;
  if (auto x = o->getInteger("job")) e.job = uint64_t(*x);
  if (auto x = o->getString("app")) e.app = x->str();
  if (auto x = o->getString("node")) e.node = x->str();
  e.instance = e.node;
  if (auto x = o->getString("instance")) e.instance = x->str();
  if (auto x = o->getString("executor")) e.executor = x->str();
  if (auto x = o->getString("endpoint")) e.endpoint = x->str();
  if (auto x = o->getString("model")) e.model = x->str();
  if (auto x = o->getInteger("tokens_in")) e.tokensIn = unsigned(*x);
  if (auto x = o->getInteger("tokens_out")) e.tokensOut = unsigned(*x);
  if (auto x = o->getInteger("attempts")) e.attempts = unsigned(*x);
  if (auto x = o->getString("cache")) e.cacheHit = *x == "hit";
  if (auto x = o->getString("structure")) e.structure = x->str();
  if (auto x = o->getInteger("size")) e.size = *x;
  if (auto x = o->getString("error")) e.error = x->str();
  if (const llvm::json::Value *x = o->get("result")) e.result = *x;
  e.restored = o->getBoolean("restored").getValueOr(false);
  if (const llvm::json::Value *x = o->get("run")) e.extra = *x;
  if (const llvm::json::Value *x = o->get("features")) {
    auto f = rt::featuresFromJSON(*x);
    if (!f)
      return f.takeError();
    e.features = std::move(*f);
  }
  if (const llvm::json::Value *x = o->get("content")) e.content = *x;
  return e;
}

std::string eventLine(const Event &e) {
  // Times in microsecond precision, written as such (llvm::json would print
  // 17 significant digits): the rest of the object follows.
  llvm::json::Value v = toJSON(e);
  v.getAsObject()->erase("t");
  std::string rest;
  llvm::raw_string_ostream os(rest);
  os << v;
  os.flush();
  std::string head = llvm::formatv("{{\"t\":{0:f6}", e.t).str();
  return head + (rest.size() > 2 ? "," + rest.substr(1) : "}");
}

void JSONLSink::record(const Event &e) {
  if (e.content && !withContent) {
    Event bare = e;
    bare.content.reset();
    *os << eventLine(bare) << "\n";
  } else {
    *os << eventLine(e) << "\n";
  }
  os->flush();
}

llvm::Expected<std::vector<Event>> readEventLog(llvm::StringRef path) {
  auto lines = rt::readJSONLines(path);
  if (!lines)
    return lines.takeError();
  std::vector<Event> out;
  for (auto &[line, v] : *lines) {
    auto e = eventFromJSON(v);
    if (!e)
      return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s:%u: %s", path.str().c_str(), line,
                                     llvm::toString(e.takeError()).c_str());
    out.push_back(std::move(*e));
  }
  return out;
}

llvm::Expected<std::set<uint64_t>> jobsEndedInLog(llvm::StringRef path) {
  std::set<uint64_t> ended;
  if (!llvm::sys::fs::exists(path))
    return ended;
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buf)
    return llvm::createStringError(buf.getError(), "cannot read event log '%s': %s", path.str().c_str(),
                                   buf.getError().message().c_str());
  llvm::StringRef rest = (*buf)->getBuffer();
  while (!rest.empty()) {
    llvm::StringRef line;
    std::tie(line, rest) = rest.split('\n');
    // Only end lines need parsing; the text test is a cheap filter.
    if (!line.contains("\"job_finished\"") && !line.contains("\"job_failed\""))
      continue;
    llvm::Expected<llvm::json::Value> v = llvm::json::parse(line);
    if (!v) {
      llvm::consumeError(v.takeError()); // a line cut short by a kill
      continue;
    }
    const llvm::json::Object *o = v->getAsObject();
    if (!o)
      continue;
    auto type = o->getString("type");
    auto job = o->getInteger("job");
    if (type && (*type == "job_finished" || *type == "job_failed") && job && *job > 0)
      ended.insert(uint64_t(*job));
  }
  return ended;
}

} // namespace llmflow::engine
