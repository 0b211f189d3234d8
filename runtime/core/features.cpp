#include "core/features.h"

#include <cmath>

namespace llmflow::rt {
namespace {

const ir::Type &unwrapped(const ir::Type &t) {
  return t.kind == ir::Type::Kind::Optional && !t.elem.empty() ? t.elem[0] : t;
}

std::optional<double> featureOf(const ir::Module &m, const ir::Type &type, const llvm::json::Value &v) {
  const ir::Type &t = unwrapped(type);
  switch (t.kind) {
  case ir::Type::Kind::String:
    if (auto s = v.getAsString())
      return double(s->size());
    return std::nullopt;
  case ir::Type::Kind::List:
    if (const llvm::json::Array *a = v.getAsArray())
      return double(a->size());
    return std::nullopt;
  case ir::Type::Kind::Bool:
    if (auto b = v.getAsBoolean())
      return *b ? 1.0 : 0.0;
    return std::nullopt;
  case ir::Type::Kind::Enum:
    if (const ir::EnumDef *e = m.findEnum(t.name))
      if (auto s = v.getAsString())
        for (size_t i = 0; i < e->values.size(); ++i)
          if (e->values[i] == *s)
            return double(i);
    return std::nullopt;
  case ir::Type::Kind::Int:
  case ir::Type::Kind::Float:
    if (auto x = v.getAsNumber(); x && std::isfinite(*x) && *x >= 0)
      return *x;
    return std::nullopt;
  default:
    return std::nullopt;
  }
}

} // namespace

llvm::json::Value featuresToJSON(const FeatureMap &f) {
  llvm::json::Object o;
  for (const auto &[name, x] : f)
    o[name] = x;
  return o;
}

llvm::Expected<FeatureMap> featuresFromJSON(const llvm::json::Value &v) {
  auto bad = [](const llvm::Twine &m) { return llvm::createStringError(llvm::inconvertibleErrorCode(), m); };
  const llvm::json::Object *o = v.getAsObject();
  if (!o)
    return bad("'features' must be an object of numbers");
  FeatureMap out;
  for (const auto &kv : *o) {
    auto x = kv.second.getAsNumber();
    if (!x || !std::isfinite(*x) || *x < 0)
      return bad("feature '" + kv.first.str() + "' must be a finite number >= 0");
    out[kv.first.str()] = *x;
  }
  return out;
}

std::string featureVariable(llvm::StringRef input) { return ("#in/" + input).str(); }

bool hasFeature(const ir::Module &m, const ir::Type &type) {
  switch (unwrapped(type).kind) {
  case ir::Type::Kind::String:
  case ir::Type::Kind::List:
  case ir::Type::Kind::Bool:
  case ir::Type::Kind::Int:
  case ir::Type::Kind::Float:
    return true;
  case ir::Type::Kind::Enum:
    return m.findEnum(unwrapped(type).name) != nullptr;
  default:
    return false;
  }
}

bool featureIsCategorical(const ir::Module &, const ir::Type &type) {
  ir::Type::Kind k = unwrapped(type).kind;
  return k == ir::Type::Kind::Bool || k == ir::Type::Kind::Enum;
}

std::vector<std::pair<std::string, double>> inputFeatures(const ir::Module &m, const ir::App &app,
                                                          const llvm::json::Object &inputs) {
  std::vector<std::pair<std::string, double>> out;
  for (const ir::Param &p : app.inputs) {
    const llvm::json::Value *v = inputs.get(p.name);
    if (!v && p.defaultValue)
      v = &*p.defaultValue;
    if (!v)
      continue;
    if (auto x = featureOf(m, p.type, *v))
      out.push_back({p.name, *x});
  }
  return out;
}

} // namespace llmflow::rt
