// The per-job timeline: time runs left to right from the log's first event;
// each job is a band labelled with its id, result and JCT; inside it every
// task takes the first lane free at its start, drawn as its queue wait (from
// ready to dispatch, light) and its run (dispatch to end: LLM, tool or
// failed). Tooltips give the stage instance, times, tokens and errors.
#include "report/pictures.h"
#include "report/svg.h"

#include <cmath>

namespace llmflow::report {

std::string timelineSvg(const RunData &d, unsigned maxJobs) {
  constexpr double kLeft = 170, kWidth = 900, kLane = 11, kBandGap = 7, kTop = 24;
  double span = std::max(1e-9, d.end - d.start);
  auto xAt = [&](double t) { return kLeft + (t - d.start) / span * kWidth; };
  struct Band {
    const JobRun *job;
    std::vector<std::pair<size_t, size_t>> placed; // task index, lane
    size_t lanes = 1;
  };
  std::vector<Band> bands;
  for (const auto &[id, job] : d.jobs) {
    if (bands.size() >= maxJobs)
      break;
    Band b{&job, {}, 1};
    std::vector<double> laneEnd;
    std::vector<size_t> order = job.tasks;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t c) {
      return d.tasks[a].ready.value_or(d.tasks[a].dispatched.value_or(0)) <
             d.tasks[c].ready.value_or(d.tasks[c].dispatched.value_or(0));
    });
    for (size_t ti : order) {
      const TaskRun &t = d.tasks[ti];
      if (!t.dispatched)
        continue;
      double from = t.ready.value_or(*t.dispatched), to = t.ended.value_or(d.end);
      size_t lane = 0;
      while (lane < laneEnd.size() && laneEnd[lane] > from + 1e-9)
        ++lane;
      if (lane == laneEnd.size())
        laneEnd.push_back(0);
      laneEnd[lane] = to;
      b.placed.push_back({ti, lane});
    }
    b.lanes = std::max<size_t>(1, laneEnd.size());
    bands.push_back(std::move(b));
  }
  double height = kTop + 10;
  for (const Band &b : bands)
    height += double(b.lanes) * kLane + kBandGap;
  Svg svg(kLeft + kWidth + 20, height, "timeline");
  // Axis: about six ticks at round values.
  double step = std::pow(10, std::floor(std::log10(span / 6)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (span / (step * m) <= 8) {
      step *= m;
      break;
    }
  for (double t = 0; t <= span + 1e-9; t += step) {
    svg.line(xAt(d.start + t), kTop - 4, xAt(d.start + t), height, "grid");
    svg.text(xAt(d.start + t), kTop - 8, duration(t), "tick", "middle");
  }
  double y = kTop;
  for (const Band &b : bands) {
    const JobRun &j = *b.job;
    double h = double(b.lanes) * kLane;
    svg.rect(0, y - 2, kLeft + kWidth + 20, h + 4, j.ok ? "band" : "band failedband");
    std::string label = j.label + (j.finish ? "  " + duration(*j.finish - j.arrival) : "  (open)");
    svg.text(6, y + std::min(h, 20.0) / 2 + 4, label, j.ok ? "joblabel" : "joblabel bad");
    if (j.finish)
      svg.rect(xAt(j.arrival), y + h - 1.5, std::max(1.0, xAt(*j.finish) - xAt(j.arrival)), 1.5, "jobspan",
               j.label + " (" + j.app + "): " + (j.ok ? "finished" : "failed: " + j.error) +
                   " after " + duration(*j.finish - j.arrival));
    for (auto [ti, lane] : b.placed) {
      const TaskRun &t = d.tasks[ti];
      double ly = y + double(lane) * kLane;
      double end = t.ended.value_or(d.end);
      std::string tip = t.instance + "\nqueued " + duration(*t.dispatched - t.ready.value_or(*t.dispatched)) +
                        ", ran " + duration(end - *t.dispatched);
      if (t.tokensOut)
        tip += ", " + std::to_string(t.tokensIn.value_or(0)) + " tokens in, " + std::to_string(*t.tokensOut) + " out";
      if (!t.ok)
        tip += "\nfailed: " + t.error;
      if (t.ready && *t.dispatched > *t.ready)
        svg.rect(xAt(*t.ready), ly + 3, xAt(*t.dispatched) - xAt(*t.ready), kLane - 6, "wait", tip);
      std::string cls = !t.ok ? "run failed" : t.executor == "llm" ? "run llm" : "run tool";
      svg.rect(xAt(*t.dispatched), ly + 1, xAt(end) - xAt(*t.dispatched), kLane - 2, cls, tip, 2);
    }
    y += h + kBandGap;
  }
  return svg.finish();
}

} // namespace llmflow::report
