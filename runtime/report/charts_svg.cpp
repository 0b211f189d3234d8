// Distributions: a histogram of job completion times with the p50, p95 and
// p99 marked, and empirical CDFs to compare schedulers on one axis.
#include "report/pictures.h"
#include "report/svg.h"

#include <cmath>

namespace llmflow::report {

std::string histogramSvg(const std::vector<double> &v, llvm::StringRef what) {
  constexpr double kW = 640, kH = 220, kLeft = 44, kBottom = 30, kTop = 12;
  Svg svg(kW, kH, "chart");
  if (v.empty()) {
    svg.text(kW / 2, kH / 2, "no finished jobs", "sub", "middle");
    return svg.finish();
  }
  double lo = 0, hi = std::max(v.back(), 1e-9);
  const unsigned bins = 24;
  std::vector<unsigned> count(bins, 0);
  for (double x : v)
    ++count[std::min(bins - 1, unsigned(x / hi * bins))];
  unsigned top = *std::max_element(count.begin(), count.end());
  double bw = (kW - kLeft - 10) / bins, ph = kH - kBottom - kTop;
  for (unsigned b = 0; b < bins; ++b) {
    double h = double(count[b]) / top * ph;
    svg.rect(kLeft + b * bw + 1, kTop + ph - h, bw - 2, h, "bar",
             std::to_string(count[b]) + " " + what.str() + " from " + duration(lo + b * hi / bins) + " to " +
                 duration(lo + (b + 1) * hi / bins));
  }
  svg.line(kLeft, kTop + ph, kW - 10, kTop + ph, "axis");
  svg.text(kLeft - 6, kTop + 10, std::to_string(top), "tick", "end");
  svg.text(kLeft - 6, kTop + ph, "0", "tick", "end");
  for (auto [q, name] : {std::pair{0.5, "p50"}, {0.95, "p95"}, {0.99, "p99"}}) {
    double x = kLeft + percentileOf(v, q) / hi * (kW - kLeft - 10);
    svg.line(x, kTop, x, kTop + ph, "mark");
    bool right = x > kW * 0.7; // near the right edge the label goes to the left of its line
    svg.text(right ? x - 3 : x + 3, kTop + 10 + (q > 0.9 ? (q > 0.98 ? 24 : 12) : 0),
             name + std::string(" ") + duration(percentileOf(v, q)), "marklabel", right ? "end" : "start");
  }
  svg.text(kLeft, kH - 8, "0", "tick", "middle");
  svg.text(kW - 10, kH - 8, duration(hi), "tick", "end");
  return svg.finish();
}

std::string cdfSvg(const std::vector<std::pair<std::string, std::vector<double>>> &series) {
  constexpr double kW = 640, kH = 260, kLeft = 44, kBottom = 30, kTop = 12, kRight = 150;
  Svg svg(kW + kRight, kH, "chart");
  double hi = 1e-9;
  for (const auto &[name, v] : series)
    if (!v.empty())
      hi = std::max(hi, v.back());
  double pw = kW - kLeft - 10, ph = kH - kBottom - kTop;
  svg.line(kLeft, kTop + ph, kLeft + pw, kTop + ph, "axis");
  svg.line(kLeft, kTop, kLeft, kTop + ph, "axis");
  svg.text(kLeft - 6, kTop + 10, "1", "tick", "end");
  svg.text(kLeft - 6, kTop + ph, "0", "tick", "end");
  svg.text(kLeft + pw, kH - 8, duration(hi), "tick", "end");
  svg.text(kLeft, kH - 8, "0", "tick", "middle");
  for (size_t s = 0; s < series.size(); ++s) {
    const auto &[name, v] = series[s];
    std::string pts = num(kLeft, 1) + "," + num(kTop + ph, 1);
    for (size_t i = 0; i < v.size(); ++i) {
      double x = kLeft + v[i] / hi * pw;
      pts += " " + num(x, 1) + "," + num(kTop + ph - double(i) / v.size() * ph, 1) + " " + num(x, 1) + "," +
             num(kTop + ph - double(i + 1) / v.size() * ph, 1);
    }
    std::string cls = "series s" + std::to_string(s % 8);
    svg.polyline(pts, cls, name + ": median " + duration(percentileOf(v, 0.5)) + ", p99 " + duration(percentileOf(v, 0.99)));
    svg.rect(kW + 8, kTop + 18 * double(s), 14, 4, cls + " key");
    svg.text(kW + 28, kTop + 18 * double(s) + 6, name, "tick");
  }
  return svg.finish();
}

} // namespace llmflow::report
