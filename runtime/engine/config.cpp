#include "engine/config.h"

#include "core/toml_json.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <type_traits>

namespace llmflow::engine {
namespace {

constexpr double kMaxSlots = 100000;    // requests or processes at once
constexpr double kMaxSeconds = 86400;   // any timeout or grace period

llvm::Error fail(llvm::StringRef path, const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), (path + ": " + msg).str());
}

/// A finite number in [min, max]; a whole number (a TOML integer) for
/// integer fields. Nothing is clamped or truncated: TOML's inf and nan, or
/// 1e12 for a count, are errors naming the key.
template <typename T>
llvm::Error number(const llvm::json::Object &o, llvm::StringRef key, T &out, double min, double max,
                   llvm::StringRef path, llvm::StringRef section) {
  const llvm::json::Value *v = o.get(key);
  if (!v)
    return llvm::Error::success();
  constexpr bool whole = std::is_integral_v<T>;
  llvm::Optional<double> n = v->getAsNumber();
  if (whole && n && !v->getAsInteger())
    n.reset();
  if (!n || !std::isfinite(*n) || *n < min || *n > max)
    return fail(path, "[" + section + "] " + key + ": expected " + (whole ? "a whole number" : "a number") +
                          llvm::formatv(" from {0} to {1}", llvm::format("%.15g", min), llvm::format("%.15g", max)).str());
  out = T(*n);
  return llvm::Error::success();
}

/// An optional table of strings (headers, model ids).
llvm::Error stringTable(const llvm::json::Object &o, llvm::StringRef key,
                        std::vector<std::pair<std::string, std::string>> &out, llvm::StringRef path,
                        llvm::StringRef where) {
  const llvm::json::Value *v = o.get(key);
  if (!v)
    return llvm::Error::success();
  const llvm::json::Object *t = v->getAsObject();
  if (!t)
    return fail(path, where + ": " + key + ": expected a table of strings");
  for (const auto &kv : *t) {
    auto s = kv.second.getAsString();
    if (!s)
      return fail(path, where + ": " + key + "." + kv.first.str() + ": expected a string");
    out.push_back({kv.first.str(), s->str()});
  }
  std::sort(out.begin(), out.end());
  return llvm::Error::success();
}

/// An optional table of any values (extra request fields).
llvm::Error table(const llvm::json::Object &o, llvm::StringRef key, llvm::json::Object &out, llvm::StringRef path,
                  llvm::StringRef where) {
  const llvm::json::Value *v = o.get(key);
  if (!v)
    return llvm::Error::success();
  if (!v->getAsObject())
    return fail(path, where + ": " + key + ": expected a table of request fields");
  out = *v->getAsObject();
  return llvm::Error::success();
}

llvm::Error known(const llvm::json::Object &o, std::initializer_list<llvm::StringRef> keys, llvm::StringRef path,
                  llvm::StringRef section) {
  for (const auto &kv : o)
    if (std::find(keys.begin(), keys.end(), llvm::StringRef(kv.first)) == keys.end())
      return fail(path, "[" + section + "]: unknown key '" + kv.first.str() + "'");
  return llvm::Error::success();
}

} // namespace

llvm::Error loadRunConfig(llvm::StringRef path, RunConfig &cfg) {
  auto doc = rt::readTOMLFile(path);
  if (!doc)
    return doc.takeError();
  const llvm::json::Object &root = *doc->getAsObject();
  if (llvm::Error e = known(root, {"engine", "endpoints", "models", "timeouts", "limits", "hedging", "sim", "network"},
                            path, "top level"))
    return e;
  if (const llvm::json::Object *e = root.getObject("engine")) {
    if (auto err = known(*e, {"backend", "llm_slots", "regular_slots", "time_scale", "seed", "data_dir", "tool_grace"},
                         path, "engine"))
      return err;
    if (auto b = e->getString("backend"))
      cfg.backend = b->str();
    if (auto err = number(*e, "llm_slots", cfg.llmSlots, 1, kMaxSlots, path, "engine")) return err;
    if (auto err = number(*e, "regular_slots", cfg.regularSlots, 1, kMaxSlots, path, "engine")) return err;
    if (auto err = number(*e, "time_scale", cfg.timeScale, 1e-3, 1e6, path, "engine")) return err;
    if (auto err = number(*e, "seed", cfg.seed, 0, 9.2e18, path, "engine")) return err;
    if (auto err = number(*e, "tool_grace", cfg.toolGraceSeconds, 0, kMaxSeconds, path, "engine")) return err;
    if (auto d = e->getString("data_dir"))
      cfg.dataDir = d->str();
  }
  if (const llvm::json::Array *eps = root.getArray("endpoints")) {
    cfg.endpoints.clear();
    for (const llvm::json::Value &v : *eps) {
      const llvm::json::Object *o = v.getAsObject();
      if (!o)
        return fail(path, "[[endpoints]] entries must be tables");
      if (auto err = known(*o, {"name", "url", "api_key_env", "max_in_flight", "models", "headers", "ca_bundle",
                                "response_format", "model_ids", "extra"},
                           path, "endpoints"))
        return err;
      llm::Endpoint ep;
      auto name = o->getString("name");
      auto url = o->getString("url");
      if (!name || !url)
        return fail(path, "[[endpoints]] needs 'name' and 'url'");
      ep.name = name->str();
      ep.baseUrl = url->str();
      if (auto k = o->getString("api_key_env"))
        ep.apiKeyEnv = k->str();
      if (auto err = number(*o, "max_in_flight", ep.maxInFlight, 1, kMaxSlots, path, "endpoints")) return err;
      if (const llvm::json::Array *ms = o->getArray("models"))
        for (const llvm::json::Value &m : *ms)
          if (auto s = m.getAsString())
            ep.models.push_back(s->str());
      std::string where = "[[endpoints]] " + ep.name;
      if (auto err = stringTable(*o, "headers", ep.headers, path, where)) return err;
      if (auto err = stringTable(*o, "model_ids", ep.modelIds, path, where)) return err;
      if (auto err = table(*o, "extra", ep.extra, path, where)) return err;
      if (const llvm::json::Value *ca = o->get("ca_bundle")) {
        if (!ca->getAsString())
          return fail(path, where + ": ca_bundle: expected a file name");
        ep.caBundle = ca->getAsString()->str();
        if (!llvm::sys::fs::exists(ep.caBundle))
          return fail(path, where + ": ca_bundle: no file '" + ep.caBundle + "'");
      }
      if (const llvm::json::Value *rf = o->get("response_format")) {
        auto s = rf->getAsString();
        if (s && *s == "json_schema")
          ep.responseFormat = llm::ResponseFormat::JsonSchema;
        else if (s && *s == "json_object")
          ep.responseFormat = llm::ResponseFormat::JsonObject;
        else if (s && *s == "none")
          ep.responseFormat = llm::ResponseFormat::None;
        else
          return fail(path, where + ": response_format: expected \"json_schema\", \"json_object\" or \"none\"");
      }
      for (const llm::Endpoint &other : cfg.endpoints)
        if (other.name == ep.name)
          return fail(path, "endpoint '" + ep.name + "' is defined twice");
      cfg.endpoints.push_back(std::move(ep));
    }
    if (!cfg.endpoints.empty() && cfg.backend == "sim")
      cfg.backend = "endpoints";
  }
  if (const llvm::json::Object *ms = root.getObject("models")) {
    for (const auto &kv : *ms) {
      // NAME = ["endpoint", ...] (a route), or a table [models.NAME] with
      // endpoints, id, extra and max_tokens_field.
      const llvm::json::Array *names = kv.second.getAsArray();
      std::string where = "[models] " + kv.first.str();
      if (const llvm::json::Object *t = kv.second.getAsObject()) {
        if (auto err = known(*t, {"endpoints", "id", "extra", "max_tokens_field", "cache"}, path,
                             "models." + kv.first.str()))
          return err;
        if (const llvm::json::Value *c = t->get("cache")) {
          // As the stage property: true, false or "always" (docs/cache.md).
          auto always = c->getAsString();
          if (!c->getAsBoolean() && !(always && *always == "always"))
            return fail(path, where + ": cache: expected true, false or \"always\"");
          cfg.modelCache[kv.first.str()] = always ? ir::CachePolicy::Always
                                           : *c->getAsBoolean() ? ir::CachePolicy::On : ir::CachePolicy::Off;
        }
        llm::ModelOptions mo;
        if (const llvm::json::Value *id = t->get("id")) {
          if (!id->getAsString() || id->getAsString()->empty())
            return fail(path, where + ": id: expected the model id the server serves");
          mo.id = id->getAsString()->str();
        }
        if (const llvm::json::Value *f = t->get("max_tokens_field")) {
          if (!f->getAsString() || f->getAsString()->empty())
            return fail(path, where + ": max_tokens_field: expected a field name");
          mo.maxTokensField = f->getAsString()->str();
        }
        if (auto err = table(*t, "extra", mo.extra, path, where)) return err;
        cfg.models.push_back({kv.first.str(), std::move(mo)});
        names = t->getArray("endpoints");
        if (!names && t->get("endpoints"))
          return fail(path, where + ": endpoints: expected a list of endpoint names");
        if (!names)
          continue;
      }
      if (!names)
        return fail(path, where + ": expected a list of endpoint names, or a table (endpoints, id, extra, max_tokens_field)");
      std::vector<std::string> route;
      for (const llvm::json::Value &n : *names) {
        auto s = n.getAsString();
        if (!s || std::none_of(cfg.endpoints.begin(), cfg.endpoints.end(),
                               [&](const llm::Endpoint &e) { return e.name == *s; }))
          return fail(path, "[models] " + kv.first.str() + ": unknown endpoint '" + (s ? s->str() : "?") + "'");
        route.push_back(s->str());
      }
      cfg.routes.push_back({kv.first.str(), std::move(route)});
    }
    std::sort(cfg.routes.begin(), cfg.routes.end());
  }
  if (const llvm::json::Object *t = root.getObject("timeouts")) {
    if (auto err = known(*t, {"connect", "first_token", "idle", "stall", "total"}, path, "timeouts")) return err;
    if (auto err = number(*t, "connect", cfg.timeouts.connectSeconds, 0.001, kMaxSeconds, path, "timeouts")) return err;
    if (auto err = number(*t, "first_token", cfg.timeouts.firstTokenSeconds, 0.001, kMaxSeconds, path, "timeouts")) return err;
    if (auto err = number(*t, "idle", cfg.timeouts.idleSeconds, 0.001, kMaxSeconds, path, "timeouts")) return err;
    if (auto err = number(*t, "stall", cfg.timeouts.stallSeconds, 0.001, kMaxSeconds, path, "timeouts")) return err;
    if (auto err = number(*t, "total", cfg.timeouts.totalSeconds, 0.001, kMaxSeconds, path, "timeouts")) return err;
  }
  if (const llvm::json::Object *l = root.getObject("limits")) {
    if (auto err = known(*l, {"reply_bytes", "json_depth", "json_bytes", "json_string_bytes", "json_memory_bytes"},
                         path, "limits"))
      return err;
    constexpr double kMaxBytes = double(size_t(1) << 40);
    if (auto err = number(*l, "reply_bytes", cfg.limits.maxReplyBytes, 1024, kMaxBytes, path, "limits")) return err;
    if (auto err = number(*l, "json_depth", cfg.limits.json.maxDepth, 1, 100000, path, "limits")) return err;
    if (auto err = number(*l, "json_bytes", cfg.limits.json.maxBytes, 1024, kMaxBytes, path, "limits")) return err;
    if (auto err = number(*l, "json_string_bytes", cfg.limits.json.maxStringBytes, 1, kMaxBytes, path, "limits"))
      return err;
    if (auto err = number(*l, "json_memory_bytes", cfg.limits.json.maxMemoryBytes, 1024, kMaxBytes, path, "limits"))
      return err;
  }
  if (const llvm::json::Object *h = root.getObject("hedging")) {
    if (auto err = known(*h, {"enabled", "quantile", "min_samples", "max_fraction"}, path, "hedging")) return err;
    if (const llvm::json::Value *v = h->get("enabled")) {
      if (!v->getAsBoolean())
        return fail(path, "[hedging] enabled: expected true or false");
      cfg.hedging.enabled = *v->getAsBoolean();
    }
    if (auto err = number(*h, "quantile", cfg.hedging.quantile, 0.5, 0.999, path, "hedging")) return err;
    if (auto err = number(*h, "min_samples", cfg.hedging.minSamples, 1, 100000, path, "hedging")) return err;
    if (auto err = number(*h, "max_fraction", cfg.hedging.maxFraction, 0.01, 1, path, "hedging")) return err;
  }
  if (const llvm::json::Object *s = root.getObject("sim")) {
    if (auto err = known(*s, {"endpoints", "max_in_flight", "gpu"}, path, "sim")) return err;
    if (auto err = number(*s, "endpoints", cfg.simEndpoints, 1, 1000, path, "sim")) return err;
    if (auto err = number(*s, "max_in_flight", cfg.simMaxInFlight, 1, kMaxSlots, path, "sim")) return err;
    if (auto g = s->getString("gpu")) {
      if (*g != "h100" && *g != "a100")
        return fail(path, "[sim] gpu: expected \"h100\" or \"a100\"");
      cfg.simGPU = g->str();
    }
  }
  if (const llvm::json::Value *n = root.get("network")) {
    const llvm::json::Object *o = n->getAsObject();
    if (!o)
      return fail(path, "network: expected a table [network]");
    if (auto err = known(*o, {"allow_hosts"}, path, "network")) return err;
    std::vector<std::string> hosts;
    if (const llvm::json::Value *v = o->get("allow_hosts")) {
      const llvm::json::Array *a = v->getAsArray();
      if (!a)
        return fail(path, "[network] allow_hosts: expected a list of strings");
      for (const llvm::json::Value &h : *a) {
        if (!h.getAsString())
          return fail(path, "[network] allow_hosts: expected a list of strings");
        hosts.push_back(h.getAsString()->str());
      }
    }
    auto policy = NetPolicy::parse(hosts);
    if (!policy)
      return fail(path, "[network] " + llvm::toString(policy.takeError()));
    cfg.network = std::make_shared<NetPolicy>(std::move(*policy));
  }
  return llvm::Error::success();
}

} // namespace llmflow::engine
