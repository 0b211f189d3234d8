#include "parse/literals.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

namespace llmflow::parse {
using support::DiagID;

namespace {
llvm::SMRange rangeAt(const char *p, size_t len) {
  return {llvm::SMLoc::getFromPointer(p), llvm::SMLoc::getFromPointer(p + len)};
}

bool isIdentStart(char c) { return llvm::isAlpha(c) || c == '_'; }
bool isIdentChar(char c) { return llvm::isAlnum(c) || c == '_'; }

/// `name.field.field` with optional spaces: the common hole, read without
/// the parser. Null for anything else (`len(xs)`, `xs[0]`, keywords).
const ast::Expr *plainReference(llvm::StringRef text, const char *base, ast::ASTContext &ctx) {
  static const llvm::StringSet<> keywords = {"true", "false", "none", "match", "if", "in", "let"};
  const ast::Expr *ref = nullptr;
  size_t j = 0;
  auto skipSpace = [&] { while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j; };
  skipSpace();
  while (true) {
    if (j >= text.size() || !isIdentStart(text[j]))
      return nullptr;
    size_t start = j;
    while (j < text.size() && isIdentChar(text[j]))
      ++j;
    llvm::StringRef word = text.slice(start, j);
    if (!ref && keywords.contains(word))
      return nullptr;
    auto *e = ctx.make<ast::Expr>();
    e->text = word.str();
    e->nameRange = rangeAt(base + start, j - start);
    if (!ref) {
      e->kind = ast::Expr::Kind::Name;
      e->range = e->nameRange;
    } else {
      e->kind = ast::Expr::Kind::Member;
      e->range = {ref->range.Start, e->nameRange.End};
      e->operands.push_back(ref);
    }
    ref = e;
    skipSpace();
    if (j == text.size())
      return ref;
    if (text[j] != '.')
      return nullptr;
    ++j;
    skipSpace();
  }
}
} // namespace

bool decodeString(llvm::StringRef tokenText, const char *tokenStart, bool raw, ast::Expr &e,
                  ast::ASTContext &ctx, support::DiagnosticEngine &diags, const HoleParser &parseHole) {
  size_t quote = raw ? 3 : 1;
  assert(tokenText.size() >= 2 * quote);
  llvm::StringRef body = tokenText.substr(quote, tokenText.size() - 2 * quote);
  const char *base = tokenStart + quote;
  std::string text;          // current literal piece
  bool ok = true;

  auto flushText = [&] {
    if (!text.empty()) {
      ast::TemplatePiece p;
      p.text = std::move(text);
      e.pieces.push_back(std::move(p));
      text.clear();
    }
  };

  for (size_t i = 0; i < body.size();) {
    char c = body[i];
    if (c == '\\' && !raw) {
      if (i + 1 >= body.size())
        break; // cannot happen: the lexer needs a char after a backslash
      char n = body[i + 1];
      switch (n) {
      case 'n': text += '\n'; break;
      case 't': text += '\t'; break;
      case 'r': text += '\r'; break;
      case '0': text += '\0'; break;
      case '"': text += '"'; break;
      case '\\': text += '\\'; break;
      case '{': text += '{'; break;
      default:
        diags.report(DiagID::ErrBadEscape, rangeAt(base + i, 2)) << std::string(1, n);
        ok = false;
      }
      i += 2;
      continue;
    }
    if (body.substr(i).startswith("{{{{")) {
      text += "{{";
      i += 4;
      continue;
    }
    if (body.substr(i).startswith("{{")) {
      size_t close = body.find("}}", i + 2);
      if (close == llvm::StringRef::npos) {
        diags.report(DiagID::ErrBadTemplate, rangeAt(base + i, 2)) << "unclosed '{{'";
        return false;
      }
      ast::TemplatePiece hole;
      hole.range = rangeAt(base + i, close + 2 - i);
      llvm::StringRef inner = body.slice(i + 2, close);
      if (inner.trim().empty()) {
        diags.report(DiagID::ErrBadTemplate, hole.range) << "'{{}}' holds no expression";
        ok = false;
      } else if (const ast::Expr *ref = plainReference(inner, base + i + 2, ctx)) {
        hole.hole = ref;
      } else if (!raw && inner.contains('\\')) {
        // The parser sees the source text, where escapes are not decoded.
        diags.report(DiagID::ErrBadTemplate, hole.range) << "escapes are not allowed inside '{{...}}'";
        ok = false;
      } else {
        hole.hole = parseHole(llvm::StringRef(base + i + 2, inner.size()));
        ok &= hole.hole != nullptr;
      }
      if (hole.hole) {
        flushText();
        e.pieces.push_back(std::move(hole));
      }
      i = close + 2;
      continue;
    }
    text += c;
    ++i;
  }
  flushText();
  for (const ast::TemplatePiece &p : e.pieces)
    if (!p.hole)
      e.text += p.text;
  return ok;
}

double parseDurationSeconds(llvm::StringRef text) {
  size_t unitPos = text.find_first_not_of("0123456789.");
  llvm::StringRef num = text.substr(0, unitPos), unit = text.substr(unitPos);
  double v = 0;
  num.getAsDouble(v);
  if (unit == "ms") return v / 1000.0;
  if (unit == "s") return v;
  if (unit == "m") return v * 60.0;
  if (unit == "h") return v * 3600.0;
  return v;
}

} // namespace llmflow::parse
