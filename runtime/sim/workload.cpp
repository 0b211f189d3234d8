#include "sim/workload.h"

#include "core/toml_json.h"

#include "llvm/Support/Path.h"

#include <cmath>

namespace llmflow::sim {
namespace {
llvm::Error fail(llvm::StringRef path, const llvm::Twine &m) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), (path + ": " + m).str());
}
} // namespace

llvm::Expected<Workload> loadWorkload(llvm::StringRef path) {
  auto doc = rt::readTOMLFile(path);
  if (!doc)
    return doc.takeError();
  const llvm::json::Object &root = *doc->getAsObject();
  Workload w;
  w.file = path.str();
  w.name = llvm::sys::path::stem(path).str();
  static const char *known[] = {"name", "description", "jobs", "seed", "schedulers", "arrival", "executors", "apps",
                                "training", "llmsched", "decima"};
  for (const auto &kv : root)
    if (std::none_of(std::begin(known), std::end(known), [&](const char *k) { return kv.first == k; }))
      return fail(path, "unknown key '" + kv.first.str() + "'");
  if (auto n = root.getString("name")) w.name = n->str();
  if (auto d = root.getString("description")) w.description = d->str();
  auto count = [&](const llvm::json::Object &o, llvm::StringRef key, unsigned &out, unsigned min) -> llvm::Error {
    if (const llvm::json::Value *v = o.get(key)) {
      auto n = v->getAsInteger();
      if (!n || *n < min)
        return fail(path, "'" + key + "' must be an integer >= " + llvm::Twine(min));
      out = unsigned(*n);
    }
    return llvm::Error::success();
  };
  if (auto e = count(root, "jobs", w.jobs, 1)) return e;
  if (auto s = root.getInteger("seed")) w.seed = uint64_t(*s);
  if (const llvm::json::Array *s = root.getArray("schedulers"))
    for (const llvm::json::Value &v : *s)
      if (auto n = v.getAsString())
        w.schedulers.push_back(n->str());
  if (const llvm::json::Object *a = root.getObject("arrival")) {
    for (const auto &kv : *a)
      if (kv.first != "rate" && kv.first != "load")
        return fail(path, "[arrival]: unknown key '" + kv.first.str() + "' (expected rate or load)");
    auto positive = [&](llvm::StringRef key, std::optional<double> &out, const char *what) -> llvm::Error {
      if (const llvm::json::Value *v = a->get(key)) {
        auto x = v->getAsNumber();
        if (!x || !std::isfinite(*x) || *x <= 0)
          return fail(path, "[arrival] " + key + " must be " + what);
        out = *x;
      }
      return llvm::Error::success();
    };
    if (auto e = positive("rate", w.rate, "a number of jobs per second > 0")) return e;
    if (auto e = positive("load", w.load, "a load factor > 0 (the arrival rate over the measured burst capacity)"))
      return e;
    if (w.rate && w.load)
      return fail(path, "[arrival] takes rate or load, not both");
  }
  if (!w.rate && !w.load)
    w.load = 1.0;
  if (const llvm::json::Object *x = root.getObject("executors")) {
    if (auto e = count(*x, "llm_endpoints", w.llmEndpoints, 1)) return e;
    if (auto e = count(*x, "llm_max_in_flight", w.llmMaxInFlight, 1)) return e;
    if (auto e = count(*x, "regular_slots", w.regularSlots, 1)) return e;
    if (auto g = x->getString("gpu")) {
      if (*g != "h100" && *g != "a100")
        return fail(path, "[executors] gpu must be \"h100\" or \"a100\"");
      w.gpu = g->str();
    }
  }
  if (const llvm::json::Object *t = root.getObject("training")) {
    for (const auto &kv : *t)
      if (kv.first != "jobs")
        return fail(path, "[training]: unknown key '" + kv.first.str() + "' (expected jobs)");
    if (const llvm::json::Value *v = t->get("jobs"))
      if (llvm::Error e = estimate::setKnob(w.knobs, "training_jobs", *v))
        return fail(path, "[training] jobs: " + llvm::toString(std::move(e)));
  }
  if (const llvm::json::Object *k = root.getObject("llmsched"))
    for (const auto &kv : *k) {
      if (kv.first == "training_jobs")
        return fail(path, "[llmsched]: 'training_jobs' belongs in [training] as 'jobs'");
      if (llvm::Error e = estimate::setKnob(w.knobs, kv.first, kv.second))
        return fail(path, "[llmsched]: " + llvm::toString(std::move(e)));
    }
  const llvm::json::Array *apps = root.getArray("apps");
  if (!apps || apps->empty())
    return fail(path, "needs at least one [[apps]] entry");
  llvm::StringRef dir = llvm::sys::path::parent_path(path);
  auto resolve = [&](llvm::StringRef rel) {
    if (llvm::sys::path::is_absolute(rel))
      return rel.str();
    llvm::SmallString<256> full(dir);
    llvm::sys::path::append(full, rel);
    return std::string(full);
  };
  if (const llvm::json::Object *d = root.getObject("decima")) {
    for (const auto &kv : *d)
      if (kv.first != "policy")
        return fail(path, "[decima]: unknown key '" + kv.first.str() + "' (expected policy)");
    auto p = d->getString("policy");
    if (!p || p->empty())
      return fail(path, "[decima] policy must be the path of a trained policy (POLICY.json)");
    w.decimaPolicy = resolve(*p);
  }
  for (const llvm::json::Value &v : *apps) {
    const llvm::json::Object *o = v.getAsObject();
    auto p = o ? o->getString("path") : llvm::None;
    if (!p)
      return fail(path, "each [[apps]] entry needs a 'path'");
    for (const auto &kv : *o)
      if (kv.first != "path" && kv.first != "app" && kv.first != "weight" && kv.first != "trace")
        return fail(path, "[[apps]]: unknown key '" + kv.first.str() + "' (expected path, app, weight, trace)");
    WorkloadApp a;
    a.path = resolve(*p);
    if (const llvm::json::Value *t = o->get("trace")) {
      auto s = t->getAsString();
      if (!s || s->empty())
        return fail(path, "[[apps]] trace must be the path of a profile (PROFILE.jsonl)");
      a.trace = resolve(*s);
    }
    if (auto n = o->getString("app")) a.app = n->str();
    if (auto wt = o->getNumber("weight")) {
      if (*wt <= 0)
        return fail(path, "[[apps]] weight must be > 0");
      a.weight = *wt;
    }
    w.apps.push_back(std::move(a));
  }
  return w;
}

} // namespace llmflow::sim
