// URL templates: where in the URL a value lands decides how it is encoded.
#include "core/url_template.h"

#include "llvm/ADT/StringExtras.h"

namespace llmflow::rt {
namespace {

llvm::Error fail(const llvm::Twine &msg) { return llvm::createStringError(llvm::inconvertibleErrorCode(), msg); }

bool isUnreserved(char c) { return llvm::isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

/// Length of "scheme://" at the start of `url`, or 0.
size_t schemeLength(llvm::StringRef url) {
  size_t colon = url.find("://");
  if (colon == llvm::StringRef::npos || colon == 0)
    return 0;
  for (char c : url.take_front(colon))
    if (!llvm::isAlnum(c) && c != '+' && c != '-' && c != '.')
      return 0;
  return colon + 3;
}

llvm::Expected<std::string> encodeHole(llvm::StringRef before, std::string text) {
  if (before.empty())
    return text; // the base URL; checked whole at the end
  if (size_t start = schemeLength(before); start && before.find_first_of("/?#", start) == llvm::StringRef::npos) {
    for (char c : text)
      if (!llvm::isAlnum(c) && c != '.' && c != '-' && c != ':' && c != '[' && c != ']')
        return fail("URL template: the value '" + text + "' is not a host name");
    return text;
  }
  if (before.find_first_of("?#") == llvm::StringRef::npos && (text == "." || text == ".."))
    return fail("URL template: the value '" + text + "' would leave its path segment");
  return percentEncode(text);
}

} // namespace

std::string percentEncode(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    if (isUnreserved(c)) {
      out += c;
      continue;
    }
    out += '%';
    out += llvm::hexdigit((unsigned char)c >> 4, /*LowerCase=*/false);
    out += llvm::hexdigit((unsigned char)c & 15, /*LowerCase=*/false);
  }
  return out;
}

llvm::Error checkHttpUrl(llvm::StringRef url) {
  size_t start = schemeLength(url);
  llvm::StringRef scheme = start ? url.take_front(start - 3) : "";
  if (!scheme.equals_insensitive("http") && !scheme.equals_insensitive("https"))
    return fail("'" + url + "' is not an http or https URL");
  llvm::StringRef host = url.drop_front(start);
  host = host.take_until([](char c) { return c == '/' || c == '?' || c == '#'; });
  if (host.empty())
    return fail("'" + url + "' has no host");
  return llvm::Error::success();
}

llvm::Expected<std::string> renderUrl(const ir::Template &t, const EvalScope &scope) {
  auto url = renderTemplate(t, scope, encodeHole);
  if (!url)
    return url.takeError();
  if (llvm::Error e = checkHttpUrl(*url))
    return std::move(e);
  return url;
}

} // namespace llmflow::rt
