// The application's DAG as SVG, laid out without Graphviz (a page must not
// depend on tools the reader lacks): each graph in rows by longest path from
// its sources, Dynamic nodes as boxes around their bodies (branch arms side
// by side), a planner's allowed tools listed in wrapped rows, calls naming
// their callee (drawn as its own graph below). Tooltips give the node id and,
// when the run is known, its calls and durations.
#include "report/pictures.h"
#include "report/svg.h"

#include <map>

namespace llmflow::report {

namespace {

constexpr double kGapX = 18, kGapY = 34, kPad = 10, kHeader = 22, kLeafH = 40, kLine = 15;

struct Drawer {
  const std::map<std::string, StageStats> *stats;

  std::string kindOf(const ir::Node &n) const {
    if (n.kind == ir::NodeKind::LLM)
      return n.llm && n.llm->isPlanner ? "planner (LLM)" : "LLM";
    if (n.kind == ir::NodeKind::Regular)
      return "tool " + (n.tool ? n.tool->tool : std::string());
    return ir::toString(n.dynamic->kind).str();
  }

  std::string tooltip(const ir::Node &n) const {
    std::string t = n.id + " (" + kindOf(n) + ")";
    if (stats)
      if (auto it = stats->find(n.id); it != stats->end() && it->second.calls)
        t += "\n" + std::to_string(it->second.calls) + " call(s), median " +
             duration(percentileOf(it->second.run, 0.5)) + ", p95 " + duration(percentileOf(it->second.run, 0.95)) +
             (it->second.failed ? ", " + std::to_string(it->second.failed) + " failed" : "");
    return t;
  }

  static double textWidth(llvm::StringRef s) { return 7.2 * double(s.size()); }

  /// A planner's tools in rows of at most ~60 characters.
  static std::vector<std::string> toolRows(const ir::Node &n) {
    std::vector<std::string> rows(1);
    for (const std::string &t : n.dynamic->allowedTools) {
      if (!rows.back().empty() && rows.back().size() + t.size() > 60)
        rows.emplace_back();
      rows.back() += (rows.back().empty() ? "" : ", ") + t;
    }
    return rows;
  }

  bool leafLike(const ir::Node &n) const {
    return !n.dynamic || n.dynamic->kind == ir::DynamicKind::Call || n.dynamic->kind == ir::DynamicKind::Planner;
  }

  std::pair<double, double> size(const ir::Node &n) const {
    if (!n.dynamic)
      return {std::max(120.0, textWidth(n.name) + 24), kLeafH};
    if (n.dynamic->kind == ir::DynamicKind::Call)
      return {std::max(120.0, textWidth("call " + n.dynamic->callee) + 24), kLeafH};
    if (n.dynamic->kind == ir::DynamicKind::Planner) {
      double w = 160;
      auto rows = toolRows(n);
      for (const std::string &r : rows)
        w = std::max(w, textWidth(r) + 24);
      return {w, kHeader + kLine * double(rows.size()) + kPad};
    }
    double w = 0, h = 0;
    for (const ir::Graph &b : n.dynamic->bodies) {
      auto [bw, bh] = graphSize(b);
      w += bw + (w > 0 ? kGapX : 0);
      h = std::max(h, bh);
    }
    return {std::max(w + 2 * kPad, textWidth(n.name) + 120), h + kHeader + 2 * kPad + (isBranch(n) ? kLine : 0)};
  }

  static bool isBranch(const ir::Node &n) { return n.dynamic && n.dynamic->kind == ir::DynamicKind::Branch; }

  /// Row of each node: the longest chain of deps before it.
  static std::vector<std::vector<size_t>> rows(const ir::Graph &g) {
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < g.nodes.size(); ++i)
      index[g.nodes[i].id] = i;
    std::vector<size_t> rank(g.nodes.size(), 0);
    for (size_t i = 0; i < g.nodes.size(); ++i) // nodes are in topological order
      for (const std::string &d : g.nodes[i].deps)
        if (auto it = index.find(d); it != index.end())
          rank[i] = std::max(rank[i], rank[it->second] + 1);
    std::vector<std::vector<size_t>> out;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      if (rank[i] >= out.size())
        out.resize(rank[i] + 1);
      out[rank[i]].push_back(i);
    }
    return out;
  }

  std::pair<double, double> graphSize(const ir::Graph &g) const {
    if (g.nodes.empty())
      return {120, kLeafH};
    double w = 0, h = 0;
    for (const auto &row : rows(g)) {
      double rw = 0, rh = 0;
      for (size_t i : row) {
        auto [nw, nh] = size(g.nodes[i]);
        rw += nw + (rw > 0 ? kGapX : 0);
        rh = std::max(rh, nh);
      }
      w = std::max(w, rw);
      h += rh + (h > 0 ? kGapY : 0);
    }
    return {w, h};
  }

  void drawGraph(const ir::Graph &g, double x, double y, Svg &svg) const {
    if (g.nodes.empty()) {
      svg.rect(x, y, 120, kLeafH, "empty", "no stages", 6);
      svg.text(x + 60, y + 24, "(no stages)", "sub", "middle");
      return;
    }
    double width = graphSize(g).first;
    std::map<std::string, std::pair<double, double>> top, bottom; // centre points for edges
    double cy = y;
    for (const auto &row : rows(g)) {
      double rw = 0, rh = 0;
      for (size_t i : row) {
        auto [nw, nh] = size(g.nodes[i]);
        rw += nw + (rw > 0 ? kGapX : 0);
        rh = std::max(rh, nh);
      }
      double cx = x + (width - rw) / 2;
      for (size_t i : row) {
        const ir::Node &n = g.nodes[i];
        auto [nw, nh] = size(n);
        drawNode(n, cx, cy, nw, nh, svg);
        top[n.id] = {cx + nw / 2, cy};
        bottom[n.id] = {cx + nw / 2, cy + nh};
        cx += nw + kGapX;
      }
      cy += rh + kGapY;
    }
    for (const ir::Node &n : g.nodes)
      for (const std::string &d : n.deps)
        if (bottom.count(d))
          svg.line(bottom[d].first, bottom[d].second, top[n.id].first, top[n.id].second - 2, "edge", true);
  }

  void drawNode(const ir::Node &n, double x, double y, double w, double h, Svg &svg) const {
    std::string tip = tooltip(n);
    if (!n.dynamic) {
      bool llm = n.kind == ir::NodeKind::LLM;
      svg.rect(x, y, w, h, llm ? "node llm" : "node tool", tip, 6);
      svg.text(x + w / 2, y + 17, n.name, "name", "middle");
      svg.text(x + w / 2, y + 32, llm ? "LLM" : "tool " + (n.tool ? n.tool->tool : std::string()), "sub", "middle");
      return;
    }
    if (n.dynamic->kind == ir::DynamicKind::Call) {
      svg.rect(x, y, w, h, "node call", tip, 6);
      svg.text(x + w / 2, y + 17, n.name, "name", "middle");
      svg.text(x + w / 2, y + 32, "call " + n.dynamic->callee, "sub", "middle");
      return;
    }
    if (n.dynamic->kind == ir::DynamicKind::Planner) {
      svg.rect(x, y, w, h, "node plan", tip, 6);
      svg.text(x + w / 2, y + 16, n.name + " (plan steps, up to " + std::to_string(n.dynamic->maxExpansion) + ")",
               "name", "middle");
      double ty = y + kHeader + 10;
      for (const std::string &r : toolRows(n)) {
        svg.text(x + w / 2, ty, r, "sub", "middle");
        ty += kLine;
      }
      return;
    }
    svg.rect(x, y, w, h, "group", tip, 8);
    std::string head = n.name + " (" + kindOf(n);
    if (n.dynamic->kind == ir::DynamicKind::Loop)
      head += ", at most " + std::to_string(n.dynamic->maxExpansion);
    if (n.dynamic->kind == ir::DynamicKind::Map && n.dynamic->maxParallel)
      head += ", " + std::to_string(n.dynamic->maxParallel) + " at once";
    svg.text(x + kPad, y + 16, head + ")", "name");
    double bx = x + kPad, by = y + kHeader + kPad;
    for (size_t b = 0; b < n.dynamic->bodies.size(); ++b) {
      const ir::Graph &body = n.dynamic->bodies[b];
      auto [bw, bh] = graphSize(body);
      double oy = by;
      if (isBranch(n)) {
        svg.text(bx, by + 10, b == 0 ? "then" : "else", "arm");
        oy += kLine;
      }
      drawGraph(body, bx, oy, svg);
      bx += bw + kGapX;
    }
  }
};

} // namespace

std::string dagSvg(const ir::Module &m, llvm::StringRef appName, const std::map<std::string, StageStats> *stats) {
  Drawer d{stats};
  // The application first, then the applications it calls or plans with.
  std::vector<const ir::App *> apps;
  if (const ir::App *a = m.findApp(appName))
    apps.push_back(a);
  for (const ir::App &a : m.apps)
    if (a.name != appName)
      apps.push_back(&a);
  double w = 0, h = 0;
  for (const ir::App *a : apps) {
    auto [gw, gh] = d.graphSize(a->graph);
    w = std::max(w, gw);
    h += gh + 40;
  }
  Svg svg(w + 20, h + 10, "dag");
  svg.raw("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" "
          "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" class=\"arrowhead\"/>"
          "</marker></defs>");
  double y = 0;
  for (const ir::App *a : apps) {
    svg.text(10, y + 16, "app " + a->name, "apptitle");
    d.drawGraph(a->graph, 10, y + 26, svg);
    y += d.graphSize(a->graph).second + 40;
  }
  return svg.finish();
}

} // namespace llmflow::report
