#include "estimate/model_file.h"

#include "common/json_reader.h"

#include "llvm/Support/MemoryBuffer.h"

namespace llmflow::estimate {

std::map<std::string, NodeMeans> nodeMeans(const std::vector<profile::JobProfile> &profiles) {
  std::map<std::string, NodeMeans> out;
  unsigned jobs = 0;
  for (const profile::JobProfile &p : profiles) {
    if (p.status != "ok")
      continue;
    ++jobs;
    for (const auto &[id, r] : p.nodes) {
      NodeMeans &m = out[id];
      m.llm = r.kind == "llm";
      m.calls += r.count;
      m.tokensIn += r.tokensIn.value_or(0);
      m.tokensOut += r.tokensOut.value_or(0);
    }
  }
  for (auto &[id, m] : out) {
    m.calls /= std::max(1u, jobs);
    m.tokensIn /= std::max(1u, jobs);
    m.tokensOut /= std::max(1u, jobs);
  }
  return out;
}

llvm::json::Value toJSON(const ModelFile &f) {
  llvm::json::Object nodes;
  for (const auto &[id, m] : f.nodes)
    nodes[id] = llvm::json::Object{{"calls", m.calls}, {"tokens_in", m.tokensIn}, {"tokens_out", m.tokensOut},
                                   {"llm", m.llm}};
  return llvm::json::Object{{"llmflow_model", 1},
                            {"network", bn::toJSON(f.net)},
                            {"nodes", std::move(nodes)},
                            {"held_out", llvm::json::Object{{"rows", int64_t(f.heldOutRows)},
                                                            {"log_likelihood", f.heldOutLL},
                                                            {"independent_log_likelihood", f.independentLL}}}};
}

llvm::Expected<ModelFile> readModelFile(llvm::StringRef path) {
  auto bad = [&](const llvm::Twine &m) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), (path + ": " + m).str());
  };
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf)
    return bad("cannot read: " + buf.getError().message());
  auto v = parseJSON((*buf)->getBuffer());
  if (!v)
    return bad(llvm::toString(v.takeError()));
  const llvm::json::Object *o = v->getAsObject();
  if (!o || o->getInteger("llmflow_model").getValueOr(0) != 1 || !o->get("network"))
    return bad("not an llmflow model file (expected {\"llmflow_model\": 1, \"network\": ...})");
  auto net = bn::fromJSON(*o->get("network"));
  if (!net)
    return bad(llvm::toString(net.takeError()));
  ModelFile f;
  f.net = std::move(*net);
  if (const llvm::json::Object *nodes = o->getObject("nodes"))
    for (const auto &kv : *nodes) {
      const llvm::json::Object *n = kv.second.getAsObject();
      if (!n)
        return bad("nodes." + kv.first.str() + " must be an object");
      NodeMeans m;
      m.calls = n->getNumber("calls").getValueOr(0);
      m.tokensIn = n->getNumber("tokens_in").getValueOr(0);
      m.tokensOut = n->getNumber("tokens_out").getValueOr(0);
      m.llm = n->getBoolean("llm").getValueOr(false);
      f.nodes[kv.first.str()] = m;
    }
  if (const llvm::json::Object *h = o->getObject("held_out")) {
    f.heldOutRows = unsigned(h->getInteger("rows").getValueOr(0));
    f.heldOutLL = h->getNumber("log_likelihood").getValueOr(0);
    f.independentLL = h->getNumber("independent_log_likelihood").getValueOr(0);
  }
  return f;
}

} // namespace llmflow::estimate
