// The page: a header with the run's summary, then the sections (DAG,
// timeline, JCT distribution, stages, failures, schedulers), inline CSS and a
// short script that makes tables sortable and marks the page as rendered
// (data-report-ready on <body>, which tests look for).
#include "report/pictures.h"
#include "report/report.h"
#include "report/svg.h"

#include <numeric>
#include <set>

namespace llmflow::report {

namespace {

const char *kStyle = R"css(
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 24px 40px; color: #1d2430; }
h1 { font-size: 22px; margin: 18px 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #dde2ea; }
.muted, .note { color: #6a7383; font-size: 13px; }
nav a { margin-right: 14px; font-size: 14px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.card { background: #f4f6f9; border-radius: 8px; padding: 8px 12px; min-width: 110px; }
.card b { display: block; font-size: 18px; } .card span { font-size: 12px; color: #6a7383; }
.scroll { overflow-x: auto; border: 1px solid #e6e9ef; border-radius: 8px; padding: 6px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #eceff4; text-align: right; white-space: nowrap; }
th { cursor: pointer; background: #f4f6f9; position: sticky; top: 0; }
td.l, th.l { text-align: left; white-space: normal; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
.dag .node { stroke: #4a5568; stroke-width: 1; } .dag .llm { fill: #dbe8ff; } .dag .tool { fill: #dcf3e4; }
.dag .call { fill: #fff4d6; } .dag .plan { fill: #f3e5ff; } .dag .group { fill: #fafbfc; stroke: #9aa5b5; stroke-dasharray: 4 3; }
.dag .empty { fill: none; stroke: #c5ccd6; stroke-dasharray: 2 3; }
.dag .name { font-size: 12px; font-weight: 600; } .dag .sub, .dag .arm { font-size: 11px; fill: #5a6474; }
.dag .apptitle { font-size: 13px; font-weight: 700; } .dag .edge { stroke: #6a7383; stroke-width: 1.2; }
.dag .arrowhead { fill: #6a7383; }
.timeline .band { fill: #fbfcfd; } .timeline .failedband { fill: #fff3f3; } .timeline .grid { stroke: #edf0f4; }
.timeline .tick, .chart .tick { font-size: 10px; fill: #6a7383; } .timeline .joblabel { font-size: 11px; }
.timeline .bad { fill: #c53030; } .timeline .wait { fill: #d8dde6; } .timeline .llm { fill: #4c7bd9; }
.timeline .tool { fill: #38a169; } .timeline .failed { fill: #e53e3e; } .timeline .jobspan { fill: #9aa5b5; }
.chart .bar { fill: #7fa6e8; } .chart .axis { stroke: #9aa5b5; } .chart .mark { stroke: #c05621; stroke-dasharray: 3 2; }
.chart .marklabel { font-size: 10px; fill: #c05621; } .chart .series { fill: none; stroke-width: 2; }
.s0 { stroke: #3867d6; } .s1 { stroke: #e67e22; } .s2 { stroke: #27ae60; } .s3 { stroke: #c0392b; }
.s4 { stroke: #8e44ad; } .s5 { stroke: #16a085; } .s6 { stroke: #7f8c8d; } .s7 { stroke: #d35400; }
.key { stroke-width: 4; }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; }
.legend i { display: inline-block; width: 14px; height: 9px; margin-right: 5px; border-radius: 2px; vertical-align: middle; }
)css";

const char *kScript = R"js(
(function () {
  function key(td) { var v = td.getAttribute("data-v"); return v === null ? td.textContent : parseFloat(v); }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, col) {
      th.addEventListener("click", function () {
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        var dir = th.getAttribute("data-dir") === "asc" ? -1 : 1;
        th.setAttribute("data-dir", dir === 1 ? "asc" : "desc");
        rows.sort(function (a, b) {
          var x = key(a.cells[col]), y = key(b.cells[col]);
          return (x > y ? 1 : x < y ? -1 : 0) * dir;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  document.body.setAttribute("data-report-ready", "1");
})();
)js";

std::string card(const std::string &value, const std::string &label) {
  return "<div class=\"card\"><b>" + escape(value) + "</b><span>" + escape(label) + "</span></div>";
}

std::string td(const std::string &text, double sortKey) {
  return "<td data-v=\"" + num(sortKey, 6) + "\">" + escape(text) + "</td>";
}

std::string stageTable(const RunData &d) {
  std::string h = "<div class=\"scroll\"><table class=\"sortable\"><thead><tr><th class=\"l\">stage</th><th>kind</th>"
                  "<th>calls</th><th>failed</th><th>mean run</th><th>p50 run</th><th>p95 run</th><th>max run</th>"
                  "<th>mean queue</th><th>tokens in</th><th>tokens out</th><th>out per call</th></tr></thead><tbody>";
  for (const auto &[id, s] : d.stages) {
    if (!s.calls)
      continue;
    double mean = 0, wait = 0;
    for (double x : s.run) mean += x;
    for (double x : s.wait) wait += x;
    mean = s.run.empty() ? 0 : mean / double(s.run.size());
    wait = s.wait.empty() ? 0 : wait / double(s.wait.size());
    double perCall = s.withTokens ? double(s.tokensOut) / s.withTokens : 0;
    h += "<tr><td class=\"l\">" + escape(id) + "</td><td>" + escape(s.executor == "llm" ? "LLM" : "tool") + "</td>" +
         td(std::to_string(s.calls), s.calls) + td(std::to_string(s.failed), s.failed) + td(duration(mean), mean) +
         td(duration(percentileOf(s.run, 0.5)), percentileOf(s.run, 0.5)) +
         td(duration(percentileOf(s.run, 0.95)), percentileOf(s.run, 0.95)) +
         td(duration(s.run.empty() ? 0 : s.run.back()), s.run.empty() ? 0 : s.run.back()) + td(duration(wait), wait) +
         td(s.withTokens ? std::to_string(s.tokensIn) : "-", double(s.tokensIn)) +
         td(s.withTokens ? std::to_string(s.tokensOut) : "-", double(s.tokensOut)) +
         td(s.withTokens ? num(perCall, 1) : "-", perCall) + "</tr>";
  }
  return h + "</tbody></table></div>";
}

std::string failureList(const RunData &d) {
  if (d.failures.empty())
    return "<p class=\"muted\">No task or job failed.</p>";
  std::string h = "<div class=\"scroll\"><table class=\"sortable\"><thead><tr><th>times</th><th class=\"l\">what failed, "
                  "and why</th></tr></thead><tbody>";
  for (const auto &[what, n] : d.failures)
    h += "<tr>" + td(std::to_string(n), n) + "<td class=\"l\">" + escape(what) + "</td></tr>";
  return h + "</tbody></table></div>";
}

std::string schedulers(const llvm::json::Value &sim) {
  const llvm::json::Object *o = sim.getAsObject();
  const llvm::json::Array *results = o ? o->getArray("results") : nullptr;
  if (!results || results->empty())
    return "<p class=\"muted\">The simulation file holds no results.</p>";
  std::string h;
  if (auto w = o->getString("workload"))
    h += "<p class=\"muted\">workload " + escape(*w) + ", " + num(o->getNumber("jobs").getValueOr(0), 0) +
         " jobs, seed " + num(o->getNumber("seed").getValueOr(0), 0) + "</p>";
  h += "<div class=\"scroll\"><table class=\"sortable\"><thead><tr><th class=\"l\">scheduler</th><th>avg JCT</th><th>p50</th>"
       "<th>p95</th><th>p99</th><th>makespan</th><th>done</th><th>failed</th><th>decisions</th></tr></thead><tbody>";
  std::vector<std::pair<std::string, std::vector<double>>> series;
  for (const llvm::json::Value &rv : *results) {
    const llvm::json::Object *r = rv.getAsObject();
    if (!r)
      continue;
    std::string name = r->getString("scheduler").getValueOr("?").str();
    auto n = [&](llvm::StringRef k) { return r->getNumber(k).getValueOr(0); };
    h += "<tr><td class=\"l\">" + escape(name) + "</td>" + td(duration(n("avg_jct")), n("avg_jct")) +
         td(duration(n("p50_jct")), n("p50_jct")) + td(duration(n("p95_jct")), n("p95_jct")) +
         td(duration(n("p99_jct")), n("p99_jct")) + td(duration(n("makespan")), n("makespan")) +
         td(num(n("done"), 0), n("done")) + td(num(n("failed"), 0), n("failed")) +
         td(num(n("decisions"), 0), n("decisions")) + "</tr>";
    std::vector<double> jct;
    if (const llvm::json::Array *a = r->getArray("jct"))
      for (const llvm::json::Value &x : *a)
        if (auto v = x.getAsNumber())
          jct.push_back(*v);
    std::sort(jct.begin(), jct.end());
    if (!jct.empty())
      series.push_back({name, std::move(jct)});
  }
  h += "</tbody></table></div>";
  if (!series.empty())
    h += "<h3>JCT distribution per scheduler (CDF)</h3><div class=\"scroll\">" + cdfSvg(series) + "</div>";
  return h;
}

} // namespace

std::string renderReport(const ReportInput &in) {
  RunData d = analyse(in.events);
  std::vector<double> jct;
  unsigned done = 0, failed = 0, llmCalls = 0, toolCalls = 0;
  uint64_t tokensOut = 0;
  std::set<std::string> apps;
  for (const auto &[id, j] : d.jobs) {
    apps.insert(j.app);
    if (!j.finish)
      continue;
    (j.ok ? done : failed)++;
    if (j.ok)
      jct.push_back(*j.finish - j.arrival);
  }
  std::sort(jct.begin(), jct.end());
  for (const TaskRun &t : d.tasks)
    if (t.dispatched) {
      (t.executor == "llm" ? llmCalls : toolCalls)++;
      tokensOut += t.tokensOut.value_or(0);
    }
  std::string app = !in.app.empty() ? in.app : apps.empty() ? "" : *apps.begin();

  std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>llmflow report: " +
                  escape(in.title) + "</title><style>" + kStyle + "</style></head><body>";
  h += "<h1>llmflow report: " + escape(in.title) + "</h1>";
  if (d.run)
    if (const llvm::json::Object *r = d.run->getAsObject())
      h += "<p class=\"muted\">scheduler " + escape(r->getString("scheduler").getValueOr("?")) + ", " +
           num(r->getNumber("llm_slots").getValueOr(0), 0) + " LLM and " +
           num(r->getNumber("regular_slots").getValueOr(0), 0) + " tool slots, executors " +
           escape(r->getString("llm_executor").getValueOr("?")) + " / " +
           escape(r->getString("regular_executor").getValueOr("?")) + ", time scale " +
           num(r->getNumber("time_scale").getValueOr(1)) + ", program " + escape(r->getString("source").getValueOr("?")) +
           "</p>";
  h += "<nav>";
  for (const char *s : {"dag", "timeline", "jct", "stages", "failures", "schedulers"})
    h += std::string("<a href=\"#") + s + "\">" + s + "</a>";
  h += "</nav>";
  if (!in.events.empty()) {
    h += "<div class=\"cards\">" + card(std::to_string(d.jobs.size()), "jobs") + card(std::to_string(done), "finished") +
         card(std::to_string(failed), "failed") + card(duration(percentileOf(jct, 0.5)), "p50 JCT") +
         card(duration(percentileOf(jct, 0.95)), "p95 JCT") + card(duration(percentileOf(jct, 0.99)), "p99 JCT") +
         card(duration(d.end - d.start), "makespan") + card(std::to_string(llmCalls), "LLM calls") +
         card(std::to_string(toolCalls), "tool calls") + card(std::to_string(tokensOut), "tokens out") + "</div>";
  }

  h += "<h2 id=\"dag\">The application's DAG</h2>";
  if (in.module)
    h += "<p class=\"note\">Hover a stage for its id, calls and durations in this run. Dashed boxes are "
         "branches, loops and maps around their bodies; calls name the application they run (drawn below).</p>"
         "<div class=\"scroll\">" + dagSvg(*in.module, app, in.events.empty() ? nullptr : &d.stages) + "</div>";
  else
    h += "<p class=\"muted\">No program given (llmflow report --program APP), and the log's program could not be "
         "loaded.</p>";

  if (!in.events.empty()) {
    h += "<h2 id=\"timeline\">Timeline of stages per job</h2><p class=\"legend\"><span><i style=\"background:#d8dde6\">"
         "</i>queue wait</span><span><i style=\"background:#4c7bd9\"></i>LLM</span><span><i style=\"background:#38a169\">"
         "</i>tool</span><span><i style=\"background:#e53e3e\"></i>failed</span></p>";
    if (d.jobs.size() > in.maxTimelineJobs)
      h += "<p class=\"note\">The first " + std::to_string(in.maxTimelineJobs) + " of " + std::to_string(d.jobs.size()) +
           " jobs; the tables below cover all of them.</p>";
    h += "<div class=\"scroll\">" + timelineSvg(d, in.maxTimelineJobs) + "</div>";
    h += "<h2 id=\"jct\">Job completion times</h2><div class=\"scroll\">" + histogramSvg(jct, "jobs") + "</div>";
    h += "<p class=\"muted\">" + std::to_string(jct.size()) + " finished jobs: mean " +
         duration(jct.empty() ? 0 : std::accumulate(jct.begin(), jct.end(), 0.0) / double(jct.size())) + ", p50 " +
         duration(percentileOf(jct, 0.5)) + ", p95 " + duration(percentileOf(jct, 0.95)) + ", p99 " +
         duration(percentileOf(jct, 0.99)) + ".</p>";
    h += "<h2 id=\"stages\">Stages: durations and tokens</h2><p class=\"note\">Click a column to sort.</p>" +
         stageTable(d);
    h += "<h2 id=\"failures\">Failures</h2>" + failureList(d);
  }
  h += "<h2 id=\"schedulers\">Schedulers compared</h2>";
  h += in.simulation ? schedulers(*in.simulation)
                     : "<p class=\"muted\">No simulation given (llmflow report --simulation SIM.json, from "
                       "llmflow simulate --json).</p>";
  h += std::string("<script>") + kScript + "</script></body></html>\n";
  return h;
}

} // namespace llmflow::report
