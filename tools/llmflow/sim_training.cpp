#include "sim_training.h"

#include "bn/bn.h"
#include "ir/ir_json.h"
#include "estimate/variables.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>

namespace llmflow::cli {
namespace {

/// Files a program folder may hold (its program, behaviour model, inputs,
/// the data its fs.read tool reads); a bigger folder is not hashed and the
/// run is not cached.
constexpr size_t kMaxFolderFiles = 2000;
constexpr uint64_t kMaxFolderBytes = 64ull << 20;

/// The contents of every file under `dir` as one text to hash, or nullopt
/// when the folder is too big to key a cache entry by.
std::optional<std::string> folderText(const std::string &dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (llvm::sys::fs::recursive_directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec)) {
    if (it->type() == llvm::sys::fs::file_type::regular_file)
      files.push_back(it->path());
    if (files.size() > kMaxFolderFiles)
      return std::nullopt;
  }
  if (ec)
    return std::nullopt;
  std::sort(files.begin(), files.end());
  std::string text;
  for (const std::string &f : files) {
    auto buf = llvm::MemoryBuffer::getFile(f);
    if (!buf)
      return std::nullopt;
    text += "\nfile " + f + " " + DiskCache::hash((*buf)->getBuffer());
    if (text.size() > kMaxFolderBytes)
      return std::nullopt;
  }
  return text;
}

/// Everything the training history is computed from, or nullopt when some
/// of it cannot be keyed (the run is then not cached).
std::optional<std::string> historyKey(const sim::Workload &w, const SimWorkload &sw) {
  const sim::SimConfig &c = sw.cfg;
  const serving::ServingParams &s = c.serving;
  std::string key = DiskCache::buildIdentity();
  llvm::raw_string_ostream os(key);
  os << "\nseed " << c.seed << "\nllm " << c.llmEndpoints << "x" << c.llmMaxInFlight << " regular " << c.regularSlots
     << "\nserving " << llvm::json::Array{s.apiOverhead, s.prefillBase, s.prefillKnee, s.prefillPerToken, s.stepBase,
                                         s.stepPerSeq, int64_t(s.maxBatch)}
     << "\ntraining jobs " << w.knobs.trainingJobs;
  for (size_t a = 0; a < sw.apps.size(); ++a) {
    const LoadedApp &L = sw.loaded[a]->loaded;
    os << "\napp " << sw.apps[a].name << " ir " << DiskCache::hash(ir::writeJSON(L.module, false));
    llvm::json::Array inputs, recorded;
    for (const llvm::json::Object &in : sw.data[a].inputs)
      inputs.push_back(llvm::json::Object(in));
    for (const profile::JobProfile &p : sw.data[a].history)
      recorded.push_back(profile::toJSON(p));
    os << " inputs " << DiskCache::hash(llvm::formatv("{0}", llvm::json::Value(std::move(inputs))).str());
    os << " history " << DiskCache::hash(llvm::formatv("{0}", llvm::json::Value(std::move(recorded))).str());
    for (const std::string &file : {L.behaviourPath}) {
      if (file.empty())
        continue;
      auto buf = llvm::MemoryBuffer::getFile(file);
      if (!buf)
        return std::nullopt;
      os << " behaviour " << DiskCache::hash((*buf)->getBuffer());
    }
    std::optional<std::string> folder = folderText(L.dir);
    if (!folder)
      return std::nullopt;
    os << " folder " << DiskCache::hash(*folder);
  }
  return os.str();
}

/// The history is stored as JSON Lines, a profile per line: parsing one
/// big array would copy every element each time the array grows.
std::optional<std::vector<profile::JobProfile>> decodeHistory(const DiskCache &cache, llvm::StringRef text) {
  std::vector<profile::JobProfile> out;
  while (!text.empty()) {
    auto [line, rest] = text.split('\n');
    text = rest;
    auto v = llvm::json::parse(line);
    auto jp = v ? profile::fromJSON(*v) : llvm::Expected<profile::JobProfile>(v.takeError());
    if (!jp) {
      cache.reject("history", llvm::toString(jp.takeError()));
      return std::nullopt;
    }
    out.push_back(std::move(*jp));
  }
  return out;
}

/// Trained networks from a stored entry: {"networks": [...], "independents": [...]}, one per application.
bool decodeNetworks(const DiskCache &cache, llvm::StringRef text, const SimWorkload &sw,
                    std::vector<estimate::TrainedApp> &out) {
  auto v = llvm::json::parse(text);
  if (!v) {
    cache.reject("networks", llvm::toString(v.takeError()));
    return false;
  }
  const llvm::json::Object *o = v->getAsObject();
  const llvm::json::Array *nets = o ? o->getArray("networks") : nullptr;
  const llvm::json::Array *flat = o ? o->getArray("independents") : nullptr;
  if (!nets || !flat || nets->size() != sw.apps.size() || flat->size() != sw.apps.size()) {
    cache.reject("networks", "not one network and one independent network per application");
    return false;
  }
  for (size_t a = 0; a < sw.apps.size(); ++a) {
    estimate::TrainedApp t;
    for (auto [json, slot] : {std::pair{&(*nets)[a], &t.network}, std::pair{&(*flat)[a], &t.independent}}) {
      auto net = bn::fromJSON(*json);
      auto made = net ? estimate::AppBN::make(estimate::appModel(*sw.apps[a].module, *sw.apps[a].app), std::move(*net))
                      : llvm::Expected<std::unique_ptr<estimate::AppBN>>(net.takeError());
      if (!made) {
        cache.reject("networks", llvm::toString(made.takeError()));
        return false;
      }
      *slot = std::move(*made);
    }
    out.push_back(std::move(t));
  }
  return true;
}

} // namespace

int trainSchedulers(const DiskCache &cache, const sim::Workload &w, const SimWorkload &sw, bool networks,
                    SimTraining &out) {
  std::optional<std::string> key = cache.enabled() ? historyKey(w, sw) : std::nullopt;
  std::optional<std::string> stored = key ? cache.get("history", *key) : std::nullopt;
  std::optional<std::vector<profile::JobProfile>> history = stored ? decodeHistory(cache, *stored) : std::nullopt;
  if (history) {
    out.history = std::move(*history);
  } else {
    out.history = sim::trainingHistory(sw.apps, sw.data, sw.cfg, w.knobs.trainingJobs);
    if (key) {
      std::string text;
      llvm::raw_string_ostream os(text);
      for (const profile::JobProfile &p : out.history)
        os << profile::toJSON(p) << "\n";
      cache.put("history", *key, os.str());
    }
  }
  if (!networks)
    return kOk;

  const bn::TrainOptions &t = w.knobs.training;
  std::optional<std::string> netKey;
  if (key)
    netKey = *key + "\nnetworks bins " + std::to_string(t.bins) + " parents " + std::to_string(t.maxParents) +
             " smoothing " + llvm::formatv("{0}", llvm::json::Value(t.smoothing)).str() + " search " + t.search +
             " cap " + std::to_string(t.structureCap);
  stored = netKey ? cache.get("networks", *netKey) : std::nullopt;
  if (stored && decodeNetworks(cache, *stored, sw, out.trained))
    return kOk;
  out.trained.clear();
  llvm::json::Array nets, flat;
  for (const sim::SimApp &a : sw.apps) {
    auto trained = estimate::trainApp(*a.module, *a.app, out.history, t);
    if (!trained) {
      llvm::errs() << "llmflow: training the network of '" << a.name << "': " << llvm::toString(trained.takeError())
                   << "\n";
      return kEnvironment;
    }
    nets.push_back(bn::toJSON(trained->network->net));
    flat.push_back(bn::toJSON(trained->independent->net));
    out.trained.push_back(std::move(*trained));
  }
  if (netKey)
    cache.put("networks", *netKey,
              llvm::formatv("{0}", llvm::json::Value(llvm::json::Object{{"networks", std::move(nets)},
                                                                         {"independents", std::move(flat)}}))
                  .str());
  return kOk;
}

} // namespace llmflow::cli
