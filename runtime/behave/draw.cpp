#include "behave/draw.h"

#include "behave/dist.h"

#include <array>

namespace llmflow::behave {
namespace {

const char *kWords[] = {"the", "model", "returns", "a", "short", "answer", "with", "some", "detail", "about",
                        "each", "step", "and", "its", "result", "for", "this", "task"};

} // namespace

unsigned promptTokensOf(llvm::ArrayRef<llvm::StringRef> prompt) {
  // A word starts at a non-space after a space (or at the start of a
  // part: parts are separated by spaces). Branch-free over a table, since
  // the simulator counts every prompt it builds.
  static const auto kSpace = [] {
    std::array<uint8_t, 256> t{};
    t[uint8_t(' ')] = t[uint8_t('\n')] = t[uint8_t('\t')] = 1;
    return t;
  }();
  size_t words = 0;
  for (llvm::StringRef part : prompt) {
    uint8_t prevSpace = 1;
    for (char c : part) {
      uint8_t space = kSpace[uint8_t(c)];
      words += prevSpace & (space ^ 1);
      prevSpace = space;
    }
  }
  return unsigned(std::max<size_t>(1, size_t(double(words) * 1.3)));
}

llvm::json::Value synthesizeValue(const ir::Module &m, const ir::Type &t, const std::string &nodeId,
                                  const std::string &instance, unsigned words, KeyFn key, ListLengthFn listLength) {
  using K = ir::Type::Kind;
  auto again = [&](const ir::Type &et, const std::string &id, const std::string &inst, unsigned w) {
    return synthesizeValue(m, et, id, inst, w, key, listLength);
  };
  uint64_t k = key("val:" + instance + ":" + t.str());
  switch (t.kind) {
  case K::String: {
    std::string s;
    s.reserve(size_t(std::max(1u, words)) * 8);
    for (unsigned i = 0; i < std::max(1u, words); ++i) {
      if (i)
        s += ' ';
      s += kWords[(k + i * 7) % (sizeof kWords / sizeof *kWords)];
    }
    return s;
  }
  case K::Int: return int64_t(1 + k % 5);
  case K::Float: return 0.5 + double(k % 50) / 100.0;
  case K::Bool: return uniform01(k) < 0.5;
  case K::None: return nullptr;
  case K::Json: return llvm::json::Object{{"text", again(ir::Type::prim(K::String), nodeId, instance + "/j", words)}};
  case K::Optional: return again(t.elem[0], nodeId, instance + "/o", words);
  case K::Enum: {
    const ir::EnumDef *e = m.findEnum(t.name);
    if (!e || e->values.empty())
      return "";
    return e->values[k % e->values.size()];
  }
  case K::List: {
    unsigned n = listLength(nodeId, instance, k);
    llvm::json::Array a;
    unsigned per = std::max(1u, words / std::max(1u, n));
    for (unsigned i = 0; i < n; ++i)
      a.push_back(again(t.elem[0], nodeId + "[]", instance + "[" + std::to_string(i) + "]", per));
    return a;
  }
  case K::Record: {
    const ir::RecordDef *r = m.findRecord(t.name);
    llvm::json::Object o;
    if (!r)
      return o;
    // The record's text goes mostly into its first string field.
    bool first = true;
    for (auto &[name, ft] : r->fields) {
      unsigned w = ft.kind == K::String && first ? words : 3;
      if (ft.kind == K::String)
        first = false;
      o[name] = again(ft, nodeId + "." + name, instance + "." + name, w);
    }
    return o;
  }
  }
  return nullptr;
}

llvm::json::Object planStep(const ir::Module &m, const ir::Node &steps, unsigned s, const std::string &tool,
                            const std::string &stepInstance, std::vector<unsigned> after, SynthesizeFn synthesize) {
  llvm::json::Object args;
  const std::vector<ir::Param> *params = nullptr;
  if (const ir::ToolDef *td = m.findTool(tool))
    params = &td->params;
  else if (const ir::App *a = m.findApp(tool))
    params = &a->inputs;
  if (params)
    for (const ir::Param &p : *params)
      if (!p.defaultValue)
        args[p.name] = synthesize(p.type, steps.id + "/" + tool + "." + p.name, stepInstance + "." + p.name, 6);
  llvm::json::Array deps;
  for (unsigned e : after)
    deps.push_back(int64_t(e));
  return llvm::json::Object{{"id", int64_t(s)}, {"tool", tool}, {"args", std::move(args)}, {"after", std::move(deps)}};
}

} // namespace llmflow::behave
