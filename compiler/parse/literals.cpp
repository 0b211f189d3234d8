#include "parse/literals.h"

#include "llvm/ADT/StringExtras.h"

namespace llmflow::parse {
using support::DiagID;

namespace {
llvm::SMRange rangeAt(const char *p, size_t len) {
  return {llvm::SMLoc::getFromPointer(p), llvm::SMLoc::getFromPointer(p + len)};
}

bool isIdentStart(char c) { return llvm::isAlpha(c) || c == '_'; }
bool isIdentChar(char c) { return llvm::isAlnum(c) || c == '_'; }
} // namespace

bool decodeString(llvm::StringRef tokenText, const char *tokenStart, bool raw,
                  ast::Expr &e, ast::ASTContext &ctx, support::DiagnosticEngine &diags) {
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
      // Parse name(.name)* with optional surrounding spaces.
      size_t j = i + 2;
      auto skipSpace = [&] { while (j < close && (body[j] == ' ' || body[j] == '\t')) ++j; };
      skipSpace();
      bool bad = false;
      while (true) {
        if (j >= close || !isIdentStart(body[j])) { bad = true; break; }
        size_t start = j;
        while (j < close && isIdentChar(body[j])) ++j;
        auto *ref = ctx.make<ast::Expr>();
        ref->text = body.substr(start, j - start).str();
        ref->nameRange = rangeAt(base + start, j - start);
        if (!hole.hole) {
          ref->kind = ast::Expr::Kind::Name;
          ref->range = ref->nameRange;
        } else {
          ref->kind = ast::Expr::Kind::Member;
          ref->range = {hole.hole->range.Start, ref->nameRange.End};
          ref->operands.push_back(hole.hole);
        }
        hole.hole = ref;
        skipSpace();
        if (j == close) break;
        if (body[j] != '.') { bad = true; break; }
        ++j;
        skipSpace();
      }
      if (bad) {
        diags.report(DiagID::ErrBadTemplate, hole.range)
            << ("'" + body.substr(i, close + 2 - i).str() + "' is not a reference like {{name.field}}");
        ok = false;
      } else {
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
