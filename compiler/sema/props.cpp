#include "sema/props.h"

#include <cstdio>

namespace llmflow::sema {

std::optional<double> durationValue(const ast::Prop &p, support::DiagnosticEngine &diags) {
  if (p.value->kind == ast::Expr::Kind::Duration && p.value->floatValue > 0)
    return p.value->floatValue;
  diags.report(DiagID::ErrPropertyValue, p.value->range) << p.name << "expected a positive duration such as 30s or 500ms";
  return std::nullopt;
}

std::optional<long long> intValue(const ast::Prop &p, long long min, long long max, support::DiagnosticEngine &diags) {
  if (p.value->kind == ast::Expr::Kind::Int && p.value->intValue >= min && p.value->intValue <= max)
    return p.value->intValue;
  diags.report(DiagID::ErrPropertyValue, p.value->range)
      << p.name << ("expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
  return std::nullopt;
}

std::optional<double> floatValue(const ast::Prop &p, double min, double max, support::DiagnosticEngine &diags) {
  double v = 0;
  if (p.value->kind == ast::Expr::Kind::Float)
    v = p.value->floatValue;
  else if (p.value->kind == ast::Expr::Kind::Int)
    v = double(p.value->intValue);
  else
    v = min - 1;
  if (v >= min && v <= max)
    return v;
  std::string range = "expected a number from " + formatNumber(min) + " to " + formatNumber(max);
  diags.report(DiagID::ErrPropertyValue, p.value->range) << p.name << range;
  return std::nullopt;
}

std::optional<std::string> stringValue(const ast::Prop &p, support::DiagnosticEngine &diags) {
  if (p.value->kind == ast::Expr::Kind::String) {
    bool holes = false;
    for (const ast::TemplatePiece &piece : p.value->pieces)
      holes |= piece.hole != nullptr;
    if (!holes)
      return p.value->text;
    diags.report(DiagID::ErrPropertyValue, p.value->range) << p.name << "templates are not allowed here";
    return std::nullopt;
  }
  diags.report(DiagID::ErrPropertyValue, p.value->range) << p.name << "expected a string";
  return std::nullopt;
}

std::string formatNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string dottedName(const ast::Expr *e) {
  if (e->kind == ast::Expr::Kind::Name)
    return e->text;
  if (e->kind == ast::Expr::Kind::Member) {
    std::string base = dottedName(e->operands[0]);
    return base.empty() ? "" : base + "." + e->text;
  }
  return "";
}

std::optional<std::vector<std::pair<std::string, llvm::SMRange>>> nameList(const ast::Prop &p,
                                                                           support::DiagnosticEngine &diags) {
  std::vector<std::pair<std::string, llvm::SMRange>> out;
  if (p.value->kind == ast::Expr::Kind::List) {
    bool ok = true;
    for (const ast::Expr *e : p.value->operands) {
      std::string n = dottedName(e);
      if (n.empty()) {
        diags.report(DiagID::ErrPropertyValue, e->range) << p.name << "expected a name";
        ok = false;
      } else {
        out.push_back({n, e->range});
      }
    }
    if (ok)
      return out;
    return std::nullopt;
  }
  diags.report(DiagID::ErrPropertyValue, p.value->range) << p.name << "expected a list of names such as [a, b]";
  return std::nullopt;
}

} // namespace llmflow::sema
