// A small SVG and HTML text writer for the report: escaping, compact
// numbers, and the shapes the pictures use (styled by the page's CSS
// classes, with native <title> tooltips). Internal to the report library.
#pragma once

#include "llvm/ADT/StringRef.h"

#include <string>

namespace llmflow::report {

/// Text safe inside HTML/SVG elements and attribute values.
std::string escape(llvm::StringRef s);
/// A number with at most `digits` decimals, no trailing zeros ("1.5", "12").
std::string num(double v, int digits = 2);
/// Seconds as "850 ms", "12.3 s", "4 min 05 s".
std::string duration(double seconds);

class Svg {
public:
  Svg(double width, double height, llvm::StringRef cls);
  void rect(double x, double y, double w, double h, llvm::StringRef cls, llvm::StringRef title = "",
            double radius = 0);
  void text(double x, double y, llvm::StringRef s, llvm::StringRef cls, llvm::StringRef anchor = "start");
  void line(double x1, double y1, double x2, double y2, llvm::StringRef cls, bool arrow = false);
  void polyline(const std::string &points, llvm::StringRef cls, llvm::StringRef title = "");
  /// Raw markup (already escaped).
  void raw(llvm::StringRef markup) { out += markup.str(); }
  std::string finish();

private:
  std::string out;
};

} // namespace llmflow::report
