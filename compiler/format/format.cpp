// The formatter's entry points: refuse text with syntax errors (reported by
// the parser proper, with its wording), lay the tokens out, and check that
// the result holds exactly the same tokens and comments.
#include "format/format.h"
#include "format/format_internal.h"

#include "llvm/Support/ConvertUTF.h"

namespace llmflow::format {

namespace {

llvm::Error bug(llvm::StringRef what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "internal formatter error: " + what);
}

/// Whether two lexed texts hold the same tokens and comments.
bool sameProgram(const std::vector<Token> &a, const std::vector<Token> &b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].type != b[i].type || a[i].text != b[i].text || a[i].comments.size() != b[i].comments.size())
      return false;
    for (size_t c = 0; c < a[i].comments.size(); ++c)
      if (a[i].comments[c].text != b[i].comments[c].text)
        return false;
  }
  return true;
}

} // namespace

llvm::Expected<std::string> formatText(llvm::StringRef text) {
  const auto *begin = reinterpret_cast<const llvm::UTF8 *>(text.begin());
  if (!llvm::isLegalUTF8String(&begin, reinterpret_cast<const llvm::UTF8 *>(text.end())))
    return bug("the text is not UTF-8");
  std::vector<Token> tokens;
  if (!lexSource(text, tokens) || !assignRoles(text, tokens))
    return bug("the text does not parse");
  std::string formatted = print(tokens);
  std::vector<Token> again;
  if (!lexSource(formatted, again) || !sameProgram(tokens, again))
    return bug("the layout would change the program's tokens or comments; the file is left as it is");
  return formatted;
}

llvm::Expected<std::optional<std::string>> formatBuffer(unsigned bufferId, support::DiagnosticEngine &diags,
                                                        const parse::ParseOptions &opts) {
  ast::ASTContext ctx;
  unsigned before = diags.errorCount();
  const ast::Module *mod = parse::parseModule(bufferId, ctx, diags, opts);
  if (!mod || diags.errorCount() != before)
    return std::nullopt;
  auto text = formatText(diags.sourceMgr().getMemoryBuffer(bufferId)->getBuffer());
  if (!text)
    return text.takeError();
  return std::optional<std::string>(std::move(*text));
}

} // namespace llmflow::format
