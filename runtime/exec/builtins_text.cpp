// text.split, text.join, text.replace, text.chunk: plain string operations.
#include "exec/builtin_args.h"
#include "exec/builtin_impls.h"
#include "exec/exec_error.h"

namespace llmflow::exec::impl {
namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

} // namespace

Result textSplit(const Args &args, const BuiltinContext &) {
  auto text = stringArg(args, "text.split", "text");
  if (!text)
    return text.takeError();
  auto sep = stringArg(args, "text.split", "separator");
  if (!sep)
    return sep.takeError();
  if (sep->empty())
    return makeExecError(ExecErrorKind::BadArgument, "text.split: separator must not be empty");
  llvm::json::Array parts;
  llvm::StringRef rest = *text;
  for (;;) {
    size_t at = rest.find(*sep);
    if (at == llvm::StringRef::npos)
      break;
    parts.push_back(rest.take_front(at).str());
    rest = rest.drop_front(at + sep->size());
  }
  parts.push_back(rest.str());
  return llvm::json::Value(std::move(parts));
}

Result textJoin(const Args &args, const BuiltinContext &) {
  auto parts = stringListArg(args, "text.join", "parts");
  if (!parts)
    return parts.takeError();
  auto sep = stringArg(args, "text.join", "separator");
  if (!sep)
    return sep.takeError();
  std::string joined;
  for (size_t i = 0; i < parts->size(); ++i) {
    if (i)
      joined += *sep;
    joined += (*parts)[i];
  }
  return llvm::json::Value(std::move(joined));
}

Result textReplace(const Args &args, const BuiltinContext &) {
  auto text = stringArg(args, "text.replace", "text");
  if (!text)
    return text.takeError();
  auto from = stringArg(args, "text.replace", "from");
  if (!from)
    return from.takeError();
  auto to = stringArg(args, "text.replace", "to");
  if (!to)
    return to.takeError();
  if (from->empty())
    return makeExecError(ExecErrorKind::BadArgument, "text.replace: 'from' must not be empty");
  std::string outText;
  llvm::StringRef rest = *text;
  for (;;) {
    size_t at = rest.find(*from);
    if (at == llvm::StringRef::npos)
      break;
    outText += rest.take_front(at);
    outText += *to;
    rest = rest.drop_front(at + from->size());
  }
  outText += rest;
  return llvm::json::Value(std::move(outText));
}

Result textChunk(const Args &args, const BuiltinContext &) {
  auto text = stringArg(args, "text.chunk", "text");
  if (!text)
    return text.takeError();
  auto size = intArg(args, "text.chunk", "size");
  if (!size)
    return size.takeError();
  if (*size < 1)
    return makeExecError(ExecErrorKind::BadArgument,
                         "text.chunk: size must be at least 1, got " + std::to_string(*size));
  llvm::json::Array chunks;
  llvm::StringRef t = *text;
  size_t i = 0, n = t.size();
  while (i < n) {
    while (i < n && isSpace(t[i]))
      ++i;
    if (i == n)
      break;
    size_t start = i, end = i;
    for (int64_t words = 0; words < *size && i < n; ++words) {
      while (i < n && !isSpace(t[i]))
        ++i;
      end = i;
      while (i < n && isSpace(t[i]))
        ++i;
    }
    chunks.push_back(t.slice(start, end).str());
  }
  return llvm::json::Value(std::move(chunks));
}

} // namespace llmflow::exec::impl
