#include "report/svg.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstdio>

namespace llmflow::report {

std::string escape(llvm::StringRef s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&#39;"; break;
    default: out += c;
    }
  }
  return out;
}

std::string num(double v, int digits) {
  if (!std::isfinite(v))
    return "0";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0')
      s.pop_back();
    if (!s.empty() && s.back() == '.')
      s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

std::string duration(double seconds) {
  if (seconds < 1)
    return num(seconds * 1000, 0) + " ms";
  if (seconds < 120)
    return num(seconds, seconds < 10 ? 2 : 1) + " s";
  unsigned s = unsigned(std::lround(seconds));
  return llvm::formatv("{0} min {1:2} s", s / 60, s % 60).str();
}

Svg::Svg(double width, double height, llvm::StringRef cls) {
  out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"" + escape(cls) + "\" width=\"" + num(width, 1) +
        "\" height=\"" + num(height, 1) + "\" viewBox=\"0 0 " + num(width, 1) + " " + num(height, 1) + "\">";
}

void Svg::rect(double x, double y, double w, double h, llvm::StringRef cls, llvm::StringRef title, double radius) {
  out += "<rect class=\"" + escape(cls) + "\" x=\"" + num(x, 1) + "\" y=\"" + num(y, 1) + "\" width=\"" +
         num(std::max(w, 0.5), 1) + "\" height=\"" + num(h, 1) + "\"";
  if (radius > 0)
    out += " rx=\"" + num(radius, 1) + "\"";
  out += title.empty() ? "/>" : "><title>" + escape(title) + "</title></rect>";
}

void Svg::text(double x, double y, llvm::StringRef s, llvm::StringRef cls, llvm::StringRef anchor) {
  out += "<text class=\"" + escape(cls) + "\" x=\"" + num(x, 1) + "\" y=\"" + num(y, 1) + "\" text-anchor=\"" +
         escape(anchor) + "\">" + escape(s) + "</text>";
}

void Svg::line(double x1, double y1, double x2, double y2, llvm::StringRef cls, bool arrow) {
  out += "<line class=\"" + escape(cls) + "\" x1=\"" + num(x1, 1) + "\" y1=\"" + num(y1, 1) + "\" x2=\"" +
         num(x2, 1) + "\" y2=\"" + num(y2, 1) + "\"" + (arrow ? " marker-end=\"url(#arrow)\"" : "") + "/>";
}

void Svg::polyline(const std::string &points, llvm::StringRef cls, llvm::StringRef title) {
  out += "<polyline class=\"" + escape(cls) + "\" points=\"" + points + "\"";
  out += title.empty() ? "/>" : "><title>" + escape(title) + "</title></polyline>";
}

std::string Svg::finish() { return out + "</svg>"; }

} // namespace llmflow::report
