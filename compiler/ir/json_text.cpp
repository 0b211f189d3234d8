#include "ir/json_text.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <charconv>
#include <cmath>

namespace llmflow::ir {

std::string formatDouble(double d) {
  if (!std::isfinite(d))
    return "null";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d); // shortest round trip
  return std::string(buf, res.ptr);
}

void writeValue(llvm::json::OStream &j, const llvm::json::Value &v, KeyLess less) {
  using llvm::json::Value;
  switch (v.kind()) {
  case Value::Null:
  case Value::Boolean:
  case Value::String:
    j.value(v);
    return;
  case Value::Number:
    if (auto i = v.getAsInteger())
      j.value(*i);
    else if (auto u = v.getAsUINT64())
      j.value(*u);
    else
      j.rawValue(formatDouble(*v.getAsNumber()));
    return;
  case Value::Array:
    j.arrayBegin();
    for (const Value &e : *v.getAsArray())
      writeValue(j, e, less);
    j.arrayEnd();
    return;
  case Value::Object: {
    const llvm::json::Object &o = *v.getAsObject();
    std::vector<const llvm::json::Object::value_type *> entries;
    entries.reserve(o.size());
    for (const auto &kv : o)
      entries.push_back(&kv);
    llvm::sort(entries, [less](const auto *a, const auto *b) {
      return less ? less(a->first, b->first) : llvm::StringRef(a->first) < llvm::StringRef(b->first);
    });
    j.objectBegin();
    for (const auto *kv : entries) {
      j.attributeBegin(kv->first);
      writeValue(j, kv->second, less);
      j.attributeEnd();
    }
    j.objectEnd();
    return;
  }
  }
}

void writeValue(llvm::raw_ostream &os, const llvm::json::Value &v, unsigned indent) {
  llvm::json::OStream j(os, indent);
  writeValue(j, v);
}

std::string toText(const llvm::json::Value &v, unsigned indent) {
  std::string out;
  llvm::raw_string_ostream os(out);
  writeValue(os, v, indent);
  return os.str();
}

} // namespace llmflow::ir
