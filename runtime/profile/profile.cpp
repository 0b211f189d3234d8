#include "profile/profile.h"

#include "core/features.h"
#include "core/jsonl.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cassert>
#include <cmath>
#include <limits>
#include <set>

namespace llmflow::profile {
namespace {

llvm::Error fail(const llvm::Twine &m) { return llvm::createStringError(llvm::inconvertibleErrorCode(), m); }

const ir::Node *findNode(const ir::Module &m, llvm::StringRef id) {
  const ir::Node *found = nullptr;
  for (const ir::App &a : m.apps)
    ir::forEachNode(a.graph, [&](const ir::Node &n) {
      if (n.id == id)
        found = &n;
    });
  return found;
}

} // namespace

llvm::json::Value toJSON(const JobProfile &p) {
  llvm::json::Object nodes;
  for (const auto &[id, r] : p.nodes) {
    llvm::json::Object o{{"kind", r.kind}, {"count", int64_t(r.count)}, {"duration", r.duration},
                         {"queue", r.queue}, {"status", r.status}, {"retries", int64_t(r.retries)}};
    if (r.tokensIn) o["tokens_in"] = int64_t(*r.tokensIn);
    if (r.tokensOut) o["tokens_out"] = int64_t(*r.tokensOut);
    if (!r.structure.empty()) {
      o["structure"] = r.structure;
      if (r.structureValue)
        o["value"] = *r.structureValue;
    }
    nodes[id] = std::move(o);
  }
  llvm::json::Object out{{"llmflow_profile", kVersion}, {"app", p.app},       {"job", int64_t(p.job)},
                         {"status", p.status},           {"total", p.total}, {"nodes", std::move(nodes)}};
  if (!p.features.empty())
    out["features"] = rt::featuresToJSON(p.features);
  return out;
}

llvm::Expected<JobProfile> fromJSON(const llvm::json::Value &v) {
  const llvm::json::Object *o = v.getAsObject();
  if (!o)
    return fail("a profile record must be a JSON object");
  auto version = o->getInteger("llmflow_profile");
  if (!version)
    return fail("not an llmflow profile record (no 'llmflow_profile' version)");
  if (*version != kVersion)
    return fail("profile version " + llvm::Twine(*version) + " is not supported (expected " + llvm::Twine(kVersion) + ")");
  JobProfile p;
  auto app = o->getString("app");
  auto total = o->getNumber("total");
  const llvm::json::Object *nodes = o->getObject("nodes");
  if (!app || !total || !nodes)
    return fail("a profile record needs 'app', 'total' and 'nodes'");
  if (!std::isfinite(*total) || *total < 0)
    return fail("'total' must be a non-negative number");
  p.app = app->str();
  p.total = *total;
  if (const llvm::json::Value *j = o->get("job")) {
    llvm::Optional<int64_t> x = j->getAsInteger();
    if (!x || *x < 0)
      return fail("'job' must be a non-negative whole number");
    p.job = uint64_t(*x);
  }
  if (auto s = o->getString("status"))
    p.status = s->str();
  for (const auto &kv : *nodes) {
    std::string id = kv.first.str();
    const llvm::json::Object *n = kv.second.getAsObject();
    if (!n)
      return fail("node '" + id + "': expected an object");
    NodeRecord r;
    auto kind = n->getString("kind");
    if (!kind || (*kind != "regular" && *kind != "llm" && *kind != "dynamic"))
      return fail("node '" + id + "': 'kind' must be regular, llm or dynamic");
    r.kind = kind->str();
    auto dur = n->getNumber("duration");
    if (!dur || !std::isfinite(*dur) || *dur < 0)
      return fail("node '" + id + "': 'duration' must be a non-negative number");
    r.duration = *dur;
    r.queue = n->getNumber("queue").getValueOr(0);
    if (!std::isfinite(r.queue) || r.queue < 0)
      return fail("node '" + id + "': 'queue' must be a non-negative number");
    // Counts are whole and fit their fields: a cast would turn -1 into 4294967295.
    std::optional<unsigned> fields[4];
    const char *names[4] = {"count", "retries", "tokens_in", "tokens_out"};
    for (unsigned k = 0; k < 4; ++k) {
      const llvm::json::Value *v = n->get(names[k]);
      if (!v)
        continue;
      llvm::Optional<int64_t> x = v->getAsInteger();
      if (!x || *x < 0 || *x > int64_t(std::numeric_limits<unsigned>::max()))
        return fail("node '" + id + "': '" + names[k] + "' must be a whole number from 0 to " +
                    llvm::Twine(std::numeric_limits<unsigned>::max()));
      fields[k] = unsigned(*x);
    }
    r.count = fields[0].value_or(1);
    r.retries = fields[1].value_or(0);
    r.tokensIn = fields[2];
    r.tokensOut = fields[3];
    if (auto s = n->getString("status")) r.status = s->str();
    if (auto s = n->getString("structure")) r.structure = s->str();
    if (auto x = n->getInteger("value")) r.structureValue = *x;
    p.nodes[id] = r;
  }
  if (const llvm::json::Value *f = o->get("features")) {
    auto fm = rt::featuresFromJSON(*f);
    if (!fm)
      return fm.takeError();
    p.features = std::move(*fm);
  }
  return p;
}

llvm::Expected<std::vector<JobProfile>> readProfiles(llvm::StringRef path) {
  auto lines = rt::readJSONLines(path);
  if (!lines)
    return lines.takeError();
  std::vector<JobProfile> out;
  for (auto &[line, v] : *lines) {
    auto p = fromJSON(v);
    if (!p)
      return fail(path + ":" + llvm::Twine(line) + ": " + llvm::toString(p.takeError()));
    out.push_back(std::move(*p));
  }
  return out;
}

llvm::Error writeProfiles(llvm::StringRef path, const std::vector<JobProfile> &profiles) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return fail("cannot write '" + path + "': " + ec.message());
  for (const JobProfile &p : profiles)
    os << toJSON(p) << "\n";
  return llvm::Error::success();
}

std::vector<JobProfile> fromEvents(const std::vector<engine::Event> &events, const ir::Module &m) {
  struct Task { double ready = -1, start = -1, end = -1; };
  struct JobState {
    JobProfile p;
    double submitted = 0;
    bool ended = false;
    std::map<std::string, Task> tasks;                         // by instance
    std::map<std::string, std::string> nodeOf;                 // instance -> node id
    std::vector<std::pair<std::string, std::string>> expansions; // (node, instance)
  };
  std::map<uint64_t, JobState> jobs;
  for (const engine::Event &e : events) {
    if (!e.job)
      continue;
    JobState &j = jobs[e.job];
    j.p.job = e.job;
    if (!e.app.empty())
      j.p.app = e.app;
    switch (e.type) {
    case engine::EventType::JobSubmitted:
      j.submitted = e.t;
      j.p.features.insert(e.features.begin(), e.features.end());
      break;
    case engine::EventType::JobFinished:
    case engine::EventType::JobFailed:
      j.ended = true;
      j.p.status = e.type == engine::EventType::JobFinished ? "ok" : "failed";
      j.p.total = std::max(0.0, e.t - j.submitted);
      break;
    case engine::EventType::TaskReady:
      j.tasks[e.instance].ready = e.t;
      j.nodeOf[e.instance] = e.node;
      break;
    case engine::EventType::TaskDispatched:
      j.tasks[e.instance].start = e.t;
      j.nodeOf[e.instance] = e.node;
      break;
    case engine::EventType::TaskFinished:
    case engine::EventType::TaskFailed: {
      Task &t = j.tasks[e.instance];
      if (t.start < 0)
        break; // a rejected plan (no dispatch of its own)
      t.end = e.t;
      NodeRecord &r = j.p.nodes[e.node];
      const ir::Node *n = findNode(m, e.node);
      r.kind = n ? ir::toString(n->kind).str() : (e.executor == "llm" ? "llm" : "regular");
      r.count += 1;
      r.duration += e.t - t.start;
      if (t.ready >= 0)
        r.queue += std::max(0.0, t.start - t.ready);
      if (e.tokensIn) r.tokensIn = r.tokensIn.value_or(0) + *e.tokensIn;
      if (e.tokensOut) r.tokensOut = r.tokensOut.value_or(0) + *e.tokensOut;
      if (e.attempts > 1) r.retries += e.attempts - 1;
      if (e.type == engine::EventType::TaskFailed) r.status = "failed";
      break;
    }
    case engine::EventType::Expanded: {
      NodeRecord &r = j.p.nodes[e.node];
      r.kind = "dynamic";
      r.structure = e.structure;
      if (!r.structureValue)
        r.structureValue = e.size; // repeated instances (inside loops): the first one
      j.expansions.push_back({e.node, e.instance});
      break;
    }
    default: break;
    }
  }
  std::vector<JobProfile> out;
  for (auto &[id, j] : jobs) {
    if (!j.ended)
      continue;
    // A Dynamic node's duration: from the first start to the last end of the
    // tasks in its expansion (its body ids, its plan steps, its callee's
    // instances), summed over its own instances.
    std::set<std::pair<std::string, std::string>> seen;
    for (auto &[node, instance] : j.expansions) {
      if (!seen.insert({node, instance}).second)
        continue;
      double first = 1e300, last = -1;
      std::string bodyPrefix = node + "/", stepsPrefix = node + ".steps/", caller = "@" + instance;
      std::string suffix = instance.substr(node.size()); // loop/map path of this instance
      for (auto &[inst, t] : j.tasks) {
        const std::string &tn = j.nodeOf[inst];
        bool inside = (llvm::StringRef(tn).startswith(bodyPrefix) || llvm::StringRef(tn).startswith(stepsPrefix) ||
                       inst.find(caller) != std::string::npos) &&
                      (suffix.empty() || inst.find(suffix) != std::string::npos);
        if (!inside || t.start < 0 || t.end < 0)
          continue;
        first = std::min(first, t.start);
        last = std::max(last, t.end);
      }
      NodeRecord &r = j.p.nodes[node];
      r.count += 1;
      if (last >= first)
        r.duration += last - first;
    }
    out.push_back(std::move(j.p));
  }
  return out;
}

llvm::Error checkAgainst(const std::vector<JobProfile> &profiles, const ir::Module &m, llvm::StringRef app) {
  const ir::App *a = m.findApp(app);
  assert(a && "an application of the module");
  return checkAgainst(profiles, {{&m, a}});
}

llvm::Error checkAgainst(const std::vector<JobProfile> &profiles,
                         llvm::ArrayRef<std::pair<const ir::Module *, const ir::App *>> apps) {
  if (profiles.empty())
    return fail("the profile holds no jobs");
  for (const JobProfile &p : profiles) {
    const ir::Module *m = nullptr;
    for (auto [module, app] : apps)
      if (app->name == p.app)
        m = module;
    if (!m) {
      std::string names;
      for (auto [module, app] : apps)
        names += (names.empty() ? "'" : ", '") + app->name + "'";
      return fail("job " + llvm::Twine(p.job) + " profiles application '" + p.app + "', not " +
                  (apps.size() == 1 ? names : "one of " + names));
    }
    for (const auto &[id, r] : p.nodes) {
      const ir::Node *n = findNode(*m, id);
      if (!n)
        return fail("job " + llvm::Twine(p.job) + ": node '" + id +
                    "' is not in the program (was it changed since profiling?)");
      if (ir::toString(n->kind) != r.kind)
        return fail("job " + llvm::Twine(p.job) + ": node '" + id + "' is " + ir::toString(n->kind) +
                    " in the program but " + r.kind + " in the profile");
    }
  }
  return llvm::Error::success();
}

std::string toCSV(const std::vector<JobProfile> &profiles) {
  std::set<std::string> ids;
  for (const JobProfile &p : profiles)
    for (const auto &kv : p.nodes)
      ids.insert(kv.first);
  std::string out;
  llvm::raw_string_ostream os(out);
  auto quote = [](const std::string &s) {
    std::string q = "\"";
    for (char c : s)
      q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  os << "job,app,status,total";
  for (const std::string &id : ids)
    os << "," << quote(id + ":duration") << "," << quote(id + ":count") << "," << quote(id + ":tokens_out") << ","
       << quote(id + ":structure");
  os << "\n";
  for (const JobProfile &p : profiles) {
    os << p.job << "," << quote(p.app) << "," << p.status << "," << llvm::formatv("{0:f6}", p.total);
    for (const std::string &id : ids) {
      auto it = p.nodes.find(id);
      if (it == p.nodes.end()) {
        os << ",,,,";
        continue;
      }
      const NodeRecord &r = it->second;
      os << "," << llvm::formatv("{0:f6}", r.duration) << "," << r.count << ",";
      if (r.tokensOut)
        os << *r.tokensOut;
      os << ",";
      if (r.structureValue)
        os << *r.structureValue;
    }
    os << "\n";
  }
  return os.str();
}

} // namespace llmflow::profile
