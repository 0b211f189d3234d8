#include "testing/value_match.h"

#include "llvm/Support/raw_ostream.h"

namespace llmflow::testing {

namespace {
std::string join(const std::string &head, const std::string &inner) {
  return head + (inner.empty() || inner[0] == '[' ? "" : ".") + inner;
}
} // namespace

std::optional<Mismatch> mismatch(const llvm::json::Value &expected, const llvm::json::Value &actual) {
  using K = llvm::json::Value::Kind;
  auto here = [&] { return Mismatch{"", show(expected), show(actual)}; };
  if (expected.kind() == K::Number && actual.kind() == K::Number) {
    if (*expected.getAsNumber() == *actual.getAsNumber())
      return std::nullopt;
    return here();
  }
  if (const llvm::json::Object *e = expected.getAsObject()) {
    const llvm::json::Object *a = actual.getAsObject();
    if (!a)
      return here();
    for (const auto &kv : *e) {
      const llvm::json::Value *av = a->get(kv.first);
      if (!av)
        return Mismatch{kv.first.str(), show(kv.second), "nothing"};
      if (auto m = mismatch(kv.second, *av)) {
        m->where = join(kv.first.str(), m->where);
        return m;
      }
    }
    return std::nullopt;
  }
  if (const llvm::json::Array *e = expected.getAsArray()) {
    const llvm::json::Array *a = actual.getAsArray();
    if (!a || a->size() != e->size())
      return here();
    for (size_t i = 0; i < e->size(); ++i)
      if (auto m = mismatch((*e)[i], (*a)[i])) {
        m->where = join("[" + std::to_string(i) + "]", m->where);
        return m;
      }
    return std::nullopt;
  }
  if (expected == actual)
    return std::nullopt;
  return here();
}

const llvm::json::Value *follow(const llvm::json::Value &v, const std::vector<std::string> &path) {
  const llvm::json::Value *cur = &v;
  for (const std::string &p : path) {
    if (const llvm::json::Object *o = cur->getAsObject()) {
      cur = o->get(p);
    } else if (const llvm::json::Array *a = cur->getAsArray()) {
      unsigned i = 0;
      if (llvm::StringRef(p).getAsInteger(10, i) || i >= a->size())
        return nullptr;
      cur = &(*a)[i];
    } else {
      return nullptr;
    }
    if (!cur)
      return nullptr;
  }
  return cur;
}

std::string show(const llvm::json::Value &v, size_t max) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << v;
  os.flush();
  return s.size() > max ? s.substr(0, max) + "..." : s;
}

} // namespace llmflow::testing
