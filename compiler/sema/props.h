// Internal to sema: reading literal property values (durations, counts,
// names) with a diagnostic when the value has the wrong shape.
#pragma once

#include "sema/checker.h"

namespace llmflow::sema {

std::optional<double> durationValue(const ast::Prop &p, support::DiagnosticEngine &diags);
std::optional<long long> intValue(const ast::Prop &p, long long min, long long max, support::DiagnosticEngine &diags);
/// Limits that keep counts meaningful (and inside unsigned).
inline constexpr long long kMaxCount = 1000000;
std::optional<double> floatValue(const ast::Prop &p, double min, double max, support::DiagnosticEngine &diags);
/// A plain string literal (no {{holes}}).
std::optional<std::string> stringValue(const ast::Prop &p, support::DiagnosticEngine &diags);
/// A list literal of plain names: [a, b, c.d].
std::optional<std::vector<std::pair<std::string, llvm::SMRange>>> nameList(const ast::Prop &p,
                                                                           support::DiagnosticEngine &diags);
/// 0.5 -> "0.5", 60 -> "60": numbers as a person writes them.
std::string formatNumber(double v);
/// The dotted spelling of a Name / Member chain ("a.b.c"), or "" if not one.
std::string dottedName(const ast::Expr *e);

} // namespace llmflow::sema
