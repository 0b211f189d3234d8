// Compiler throughput benchmark (a separate command, not a test): generates
// a large program and reports parse+check+lower throughput in lines/s.
//   bench_compile [STAGES] [REPEATS]     (defaults 10000, 7)
// Prints the median of REPEATS runs, and the per-phase medians.
//   bench_compile --write FILE [STAGES]  writes the program instead, for
// timing `llmflow compile` and `check` end to end (tools/bench.sh).
#include "driver/driver.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

using Clock = std::chrono::steady_clock;

// A realistic mix: chains of tool -> llm stages with records, templates,
// branches and loops every few stages, split over apps of 200 stages.
static std::string generate(unsigned stages, unsigned *lines) {
  std::string s = "defaults { timeout = 30s; retries = 1; }\n"
                  "record Out { text: string, score: float, ok: bool }\n"
                  "tool fetch(q: string, n: int = 3) -> list<string> {\n"
                  "  exec = [\"python3\", \"fetch.py\", \"--q\", \"{{q}}\"];\n  timeout = 5s;\n}\n";
  unsigned perApp = 200, made = 0, app = 0;
  while (made < stages) {
    s += "app a" + std::to_string(app++) + "(topic: string) -> string {\n";
    std::string prev = "topic";
    unsigned i = 0;
    for (; i < perApp && made < stages; ++i, ++made) {
      std::string n = "s" + std::to_string(i);
      switch (i % 4) {
      case 0:
        s += "  tool " + n + " = fetch(q: \"{{" + prev + "}}\", n: 2)\n";
        break;
      case 1:
        s += "  llm " + n + " -> Out {\n    model = \"m\";\n    prompt = \"\"\"Summarise {{" + prev +
             "}} for {{topic}}.\n\"\"\";\n    max_tokens = 256;\n  }\n";
        break;
      case 2:
        s += "  if " + n + " (" + prev + ".ok && " + prev + ".score > 0.5) {\n    llm " + n +
             "_a { prompt = \"{{" + prev + ".text}}\"; }\n    yield " + n + "_a;\n  } else {\n    yield " +
             prev + ".text;\n  }\n";
        break;
      case 3:
        s += "  loop " + n + " (max = 3, init = " + prev + ") {\n    llm " + n + "_b { prompt = \"{{" + n +
             "}} again\"; }\n    yield " + n + "_b;\n  } until (len(" + n + ") > 100)\n";
        break;
      }
      prev = n;
    }
    s += "  return " + prev + ";\n}\n";
  }
  *lines = unsigned(std::count(s.begin(), s.end(), '\n'));
  return s;
}

int main(int argc, char **argv) {
  if (argc > 2 && llvm::StringRef(argv[1]) == "--write") {
    unsigned lines = 0;
    std::string text = generate(argc > 3 ? unsigned(std::atoi(argv[3])) : 10000, &lines);
    std::error_code ec;
    llvm::raw_fd_ostream os(argv[2], ec);
    if (ec) {
      llvm::errs() << argv[2] << ": " << ec.message() << "\n";
      return 1;
    }
    os << text;
    llvm::outs() << lines << "\n";
    return 0;
  }
  unsigned stages = argc > 1 ? unsigned(std::atoi(argv[1])) : 10000;
  unsigned repeats = argc > 2 ? unsigned(std::atoi(argv[2])) : 7;
  unsigned lines = 0;
  std::string text = generate(stages, &lines);
  std::vector<double> total, parseT, checkT, lowerT;
  size_t nodes = 0;
  for (unsigned r = 0; r < repeats; ++r) {
    llmflow::support::CollectingDiagnosticConsumer diags;
    llmflow::driver::Options opts;
    opts.stdlibDir = LLMFLOW_SOURCE_DIR "/stdlib";
    opts.noWarnings = true;
    llmflow::driver::Session session(diags, opts);
    auto t0 = Clock::now();
    bool ok = session.loadSource("bench.llmflow", text);
    auto t1 = Clock::now();
    ok = ok && session.check();
    auto t2 = Clock::now();
    if (!ok) {
      llvm::errs() << "bench program failed to check:\n";
      for (auto &d : diags.diags)
        llvm::errs() << "  " << d.message << "\n";
      return 1;
    }
    auto m = session.lower();
    auto t3 = Clock::now();
    if (!m) {
      llvm::errs() << llvm::toString(m.takeError()) << "\n";
      return 1;
    }
    nodes = 0;
    for (auto &a : m->apps)
      llmflow::ir::forEachNode(a.graph, [&](const llmflow::ir::Node &) { ++nodes; });
    auto sec = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
    parseT.push_back(sec(t0, t1));
    checkT.push_back(sec(t1, t2));
    lowerT.push_back(sec(t2, t3));
    total.push_back(sec(t0, t3));
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  double t = median(total);
  llvm::outs() << "program: " << stages << " stages, " << lines << " lines, " << text.size() << " bytes, "
               << nodes << " IR nodes\n";
  llvm::outs() << llvm::format("median of %u runs: %.1f ms total (parse %.1f, check %.1f, lower+verify %.1f)\n",
                               repeats, t * 1e3, median(parseT) * 1e3, median(checkT) * 1e3, median(lowerT) * 1e3);
  llvm::outs() << llvm::format("throughput: %.0f lines/s, %.0f stages/s\n", lines / t, stages / t);
  return 0;
}
