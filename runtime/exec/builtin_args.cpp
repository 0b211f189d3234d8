// Typed argument lookups for the builtins.
#include "exec/builtin_args.h"

#include "exec/exec_error.h"

namespace llmflow::exec {
namespace {

llvm::Error badArgument(llvm::StringRef builtin, const llvm::Twine &message) {
  return makeExecError(ExecErrorKind::BadArgument, (builtin + ": " + message).str());
}

} // namespace

llvm::StringRef jsonKindName(const llvm::json::Value &v) {
  switch (v.kind()) {
  case llvm::json::Value::Null: return "null";
  case llvm::json::Value::Boolean: return "boolean";
  case llvm::json::Value::Number: return "number";
  case llvm::json::Value::String: return "string";
  case llvm::json::Value::Array: return "array";
  case llvm::json::Value::Object: return "object";
  }
  return "unknown";
}

llvm::Expected<const llvm::json::Value *> valueArg(const llvm::json::Object &args, llvm::StringRef builtin,
                                                   llvm::StringRef name) {
  const llvm::json::Value *v = args.get(name);
  if (!v)
    return badArgument(builtin, "missing argument '" + name + "'");
  return v;
}

llvm::Expected<llvm::StringRef> stringArg(const llvm::json::Object &args, llvm::StringRef builtin,
                                          llvm::StringRef name) {
  auto v = valueArg(args, builtin, name);
  if (!v)
    return v.takeError();
  if (auto s = (*v)->getAsString())
    return *s;
  return badArgument(builtin, "argument '" + name + "' must be a string, got " + jsonKindName(**v));
}

llvm::Expected<int64_t> intArg(const llvm::json::Object &args, llvm::StringRef builtin, llvm::StringRef name) {
  auto v = valueArg(args, builtin, name);
  if (!v)
    return v.takeError();
  if (auto i = (*v)->getAsInteger())
    return *i;
  if ((*v)->kind() == llvm::json::Value::Number)
    return badArgument(builtin, "argument '" + name + "' must be an integer");
  return badArgument(builtin, "argument '" + name + "' must be an integer, got " + jsonKindName(**v));
}

llvm::Expected<std::vector<llvm::StringRef>> stringListArg(const llvm::json::Object &args,
                                                           llvm::StringRef builtin, llvm::StringRef name) {
  auto v = valueArg(args, builtin, name);
  if (!v)
    return v.takeError();
  const llvm::json::Array *arr = (*v)->getAsArray();
  if (!arr)
    return badArgument(builtin, "argument '" + name + "' must be a list of strings, got " + jsonKindName(**v));
  std::vector<llvm::StringRef> items;
  items.reserve(arr->size());
  for (size_t i = 0; i < arr->size(); ++i) {
    auto s = (*arr)[i].getAsString();
    if (!s)
      return badArgument(builtin, name + "[" + llvm::Twine(i) + "] must be a string, got " +
                                      jsonKindName((*arr)[i]));
    items.push_back(*s);
  }
  return items;
}

llvm::json::Value jsonString(std::string s) {
  if (!llvm::json::isUTF8(s))
    s = llvm::json::fixUTF8(s);
  return llvm::json::Value(std::move(s));
}

llvm::json::Value jsonStringArray(std::vector<std::string> items) {
  llvm::json::Array arr;
  arr.reserve(items.size());
  for (std::string &s : items)
    arr.push_back(jsonString(std::move(s)));
  return llvm::json::Value(std::move(arr));
}

} // namespace llmflow::exec
