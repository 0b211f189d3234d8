// json.get (dotted paths into a value) and json.parse.
#include "exec/builtin_args.h"
#include "exec/builtin_impls.h"
#include "exec/exec_error.h"

#include "llvm/ADT/SmallVector.h"

namespace llmflow::exec::impl {
namespace {

std::string where(llvm::StringRef prefix) {
  return prefix.empty() ? "the top level" : "'" + prefix.str() + "'";
}

llvm::Error notFound(llvm::StringRef path, const std::string &why) {
  return makeExecError(ExecErrorKind::PathNotFound, "json.get: path '" + path.str() + "' not found: " + why);
}

} // namespace

Result jsonGet(const Args &args, const BuiltinContext &) {
  auto value = valueArg(args, "json.get", "value");
  if (!value)
    return value.takeError();
  auto path = stringArg(args, "json.get", "path");
  if (!path)
    return path.takeError();
  const llvm::json::Value *cur = *value;
  if (path->empty())
    return *cur;

  llvm::SmallVector<llvm::StringRef, 8> segments;
  path->split(segments, '.', -1, /*KeepEmpty=*/true);
  size_t consumed = 0; // length of the path prefix already resolved
  for (llvm::StringRef seg : segments) {
    llvm::StringRef prefix = path->take_front(consumed ? consumed - 1 : 0);
    if (seg.empty())
      return makeExecError(ExecErrorKind::BadArgument,
                           "json.get: path '" + path->str() + "' has an empty segment after " + where(prefix));
    if (const llvm::json::Object *obj = cur->getAsObject()) {
      cur = obj->get(seg);
      if (!cur)
        return notFound(*path, "no key '" + seg.str() + "' in the object at " + where(prefix));
    } else if (const llvm::json::Array *arr = cur->getAsArray()) {
      size_t index;
      if (seg.getAsInteger(10, index))
        return notFound(*path, "'" + seg.str() + "' is not an index into the array at " + where(prefix));
      if (index >= arr->size())
        return notFound(*path, "index " + seg.str() + " is out of range for the array of " +
                                   std::to_string(arr->size()) + " at " + where(prefix));
      cur = &(*arr)[index];
    } else {
      return notFound(*path, "cannot look up '" + seg.str() + "' in the " + jsonKindName(*cur).str() + " at " +
                                 where(prefix));
    }
    consumed += seg.size() + 1;
  }
  return *cur;
}

Result jsonParse(const Args &args, const BuiltinContext &ctx) {
  auto text = stringArg(args, "json.parse", "text");
  if (!text)
    return text.takeError();
  auto parsed = parseJSON(*text, ctx.json);
  if (!parsed)
    // Errors read "[line:column, byte=offset]: message".
    return makeExecError(ExecErrorKind::MalformedJSON,
                         "json.parse: malformed JSON " + llvm::toString(parsed.takeError()));
  return std::move(*parsed);
}

} // namespace llmflow::exec::impl
