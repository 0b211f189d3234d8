#include "engine/trace.h"

#include <map>

namespace llmflow::engine {

std::string chromeTrace(const std::vector<Event> &events) {
  llvm::json::Array out;
  // Pair dispatch with finish per (job, instance).
  std::map<std::pair<uint64_t, std::string>, const Event *> open;
  // Per job, the end time of each lane: a task takes the first free lane.
  std::map<uint64_t, std::vector<double>> lanes;
  std::map<uint64_t, std::string> appOf;
  auto us = [](double s) { return int64_t(s * 1e6); };
  for (const Event &e : events) {
    if (e.job && !e.app.empty())
      appOf[e.job] = e.app;
    switch (e.type) {
    case EventType::TaskDispatched: open[{e.job, e.instance}] = &e; break;
    case EventType::TaskFinished:
    case EventType::TaskFailed: {
      auto it = open.find({e.job, e.instance});
      if (it == open.end())
        break; // a plan rejected before dispatch, or a failure without a start
      const Event &s = *it->second;
      open.erase(it);
      std::vector<double> &l = lanes[e.job];
      size_t lane = 0;
      while (lane < l.size() && l[lane] > s.t + 1e-12)
        ++lane;
      if (lane == l.size())
        l.push_back(0);
      l[lane] = e.t;
      llvm::json::Object args{{"node", e.node}, {"executor", e.executor}};
      if (e.tokensIn) args["tokens_in"] = int64_t(*e.tokensIn);
      if (e.tokensOut) args["tokens_out"] = int64_t(*e.tokensOut);
      if (!e.endpoint.empty()) args["endpoint"] = e.endpoint;
      if (e.attempts > 1) args["attempts"] = int64_t(e.attempts);
      if (!e.error.empty()) args["error"] = e.error;
      out.push_back(llvm::json::Object{{"name", e.instance},
                                       {"cat", e.executor},
                                       {"ph", "X"},
                                       {"ts", us(s.t)},
                                       {"dur", std::max<int64_t>(1, us(e.t) - us(s.t))},
                                       {"pid", int64_t(e.job)},
                                       {"tid", int64_t(lane + 1)},
                                       {"args", std::move(args)}});
      break;
    }
    case EventType::Expanded:
      out.push_back(llvm::json::Object{{"name", e.instance + " " + e.structure + "=" + std::to_string(e.size)},
                                       {"ph", "i"},
                                       {"s", "p"},
                                       {"ts", us(e.t)},
                                       {"pid", int64_t(e.job)},
                                       {"tid", int64_t(0)}});
      break;
    case EventType::JobSubmitted:
    case EventType::JobFinished:
    case EventType::JobFailed:
      out.push_back(llvm::json::Object{{"name", toString(e.type)},
                                       {"ph", "i"},
                                       {"s", "p"},
                                       {"ts", us(e.t)},
                                       {"pid", int64_t(e.job)},
                                       {"tid", int64_t(0)}});
      break;
    default: break;
    }
  }
  for (auto &[job, app] : appOf)
    out.push_back(llvm::json::Object{{"name", "process_name"},
                                     {"ph", "M"},
                                     {"pid", int64_t(job)},
                                     {"args", llvm::json::Object{{"name", "job " + std::to_string(job) + " (" + app + ")"}}}});
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::json::Value(llvm::json::Object{{"traceEvents", std::move(out)}, {"displayTimeUnit", "ms"}});
  return os.str();
}

} // namespace llmflow::engine
