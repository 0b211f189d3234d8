// llmflow run APP: one job, its result as JSON on stdout.
// llmflow batch APP --inputs FILE.jsonl: many jobs at once, with a summary.
#include "commands.h"
#include "runner.h"

#include "core/job.h"
#include "engine/summary.h"
#include "ir/json_text.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <random>

namespace llmflow::cli {

static std::optional<llvm::json::Object> readInputsObject(const std::string &path) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf) {
    llvm::errs() << "llmflow: cannot read '" << path << "': " << buf.getError().message() << "\n";
    return std::nullopt;
  }
  auto v = llvm::json::parse((*buf)->getBuffer());
  if (!v) {
    llvm::errs() << "llmflow: " << path << ": " << llvm::toString(v.takeError()) << "\n";
    return std::nullopt;
  }
  if (!v->getAsObject()) {
    llvm::errs() << "llmflow: " << path << ": expected a JSON object of inputs\n";
    return std::nullopt;
  }
  return *v->getAsObject();
}

static int runOne(const Args &args) {
  if (args.positionals.size() != 1) {
    llvm::errs() << "llmflow run: expected one application (folder, .llmflow or IR .json)\ntry 'llmflow run --help'\n";
    return kUsage;
  }
  int code = kOk;
  auto app = loadApplication(args, args.positionals[0], &code);
  if (!app)
    return code;
  llvm::json::Object inputs;
  if (args.has("inputs")) {
    auto o = readInputsObject(args.get("inputs"));
    if (!o)
      return kUsage;
    inputs = std::move(*o);
  }
  for (const std::string &m : args.multi) {
    llvm::StringRef s(m);
    if (!s.startswith("input="))
      continue;
    std::string error;
    if (!parseInputAssignment(*app->app, s.drop_front(6), inputs, error)) {
      llvm::errs() << "llmflow: " << error << "\n";
      return kUsage;
    }
  }
  if (llvm::Error e = rt::checkInputs(app->module, *app->app, inputs)) {
    llvm::errs() << "llmflow: " << llvm::toString(std::move(e)) << "\n";
    return kUsage;
  }
  auto runner = Runner::create(args, std::move(*app), &code);
  if (!runner)
    return code;
  rt::JobId id = runner->submit(std::move(inputs), 0);
  runner->run();
  const engine::JobRecord &rec = runner->eng().records().at(id);
  if (!runner->writeTrace(args))
    return kEnvironment;
  llvm::errs() << llvm::format("job %llu %s in %.2f s: %u LLM calls, %u tool calls, %llu tokens out\n",
                               (unsigned long long)id, rec.ok ? "finished" : "failed", rec.finish - rec.arrival,
                               rec.llmCalls, rec.toolCalls, (unsigned long long)rec.tokensOut);
  if (!rec.ok) {
    llvm::errs() << "llmflow: job failed: " << rec.error << "\n";
    return kErrors;
  }
  llvm::outs() << ir::toText(rec.result, 2) << "\n";
  return kOk;
}

static int runBatch(const Args &args) {
  if (args.positionals.size() != 1) {
    llvm::errs() << "llmflow batch: expected one application (folder, .llmflow or IR .json)\ntry 'llmflow batch --help'\n";
    return kUsage;
  }
  int code = kOk;
  auto app = loadApplication(args, args.positionals[0], &code);
  if (!app)
    return code;
  std::vector<llvm::json::Object> lines;
  unsigned jobs = 0;
  if (!readJobInputs(args, *app, "batch", lines, jobs))
    return kUsage;
  double rate = 0;
  if (args.has("arrival-rate") && (llvm::StringRef(args.get("arrival-rate")).getAsDouble(rate) || rate <= 0)) {
    llvm::errs() << "llmflow batch: --arrival-rate expects jobs per second > 0\n";
    return kUsage;
  }
  auto runner = Runner::create(args, std::move(*app), &code);
  if (!runner)
    return code;
  // Poisson arrivals at `rate` (engine seconds), seeded; all at once without a rate.
  std::mt19937_64 rng(runner->config().seed ^ 0xa5a5a5a5ULL);
  std::exponential_distribution<double> gap(rate > 0 ? rate : 1);
  double t = 0;
  for (unsigned i = 0; i < jobs; ++i) {
    runner->submit(lines[i % lines.size()], t);
    if (rate > 0)
      t += gap(rng);
  }
  bool tty = llvm::errs().is_displayed();
  unsigned finished = 0, failed = 0;
  runner->eng().onJobDone = [&](const engine::JobRecord &r) {
    ++finished;
    failed += !r.ok;
    if (tty) {
      unsigned width = 30, filled = finished * width / jobs;
      llvm::errs() << "\r[" << std::string(filled, '#') << std::string(width - filled, ' ') << "] " << finished << "/"
                   << jobs << " jobs, " << failed << " failed";
      if (finished == jobs)
        llvm::errs() << "\n";
    } else if (finished == jobs || finished % std::max(1u, jobs / 10) == 0) {
      llvm::errs() << "progress: " << finished << "/" << jobs << " jobs, " << failed << " failed\n";
    }
    if (!r.ok)
      llvm::errs() << (tty ? "\n" : "") << "job " << r.id << " failed: " << r.error << "\n";
  };
  runner->run();
  if (!runner->writeTrace(args))
    return kEnvironment;
  engine::BatchSummary s = engine::summarize(runner->eng().records());
  std::string text = engine::formatSummary(s, runner->schedulerName());
  unsigned decisions = runner->eng().decisions();
  text += llvm::formatv("scheduler decisions {0}, mean {1:f1} us\n", decisions,
                        decisions ? runner->eng().decisionSeconds() / decisions * 1e6 : 0.0)
              .str();
  llvm::errs() << text;
  if (args.has("json")) {
    llvm::json::Object o = *engine::toJSON(s).getAsObject();
    o["scheduler"] = runner->schedulerName();
    o["decisions"] = int64_t(decisions);
    std::string out;
    llvm::raw_string_ostream os(out);
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(o))) << "\n";
    if (!writeOutput(args.get("json"), os.str()))
      return kEnvironment;
  }
  return s.failed ? kErrors : kOk;
}

Command runCommand() {
  Command c;
  c.name = "run";
  c.summary = "Run one job of an application and print its result as JSON on stdout.\n"
              "APP is an example folder (app.llmflow, behaviour.toml), a .llmflow file or an IR .json file.\n"
              "Exit status: 0 the job finished, 1 it failed (or the program has errors), 2 usage, 3 environment.";
  c.usage = "[options] APP [--input NAME=VALUE]... [--inputs FILE.json]";
  c.options = runOptions();
  c.options.push_back({"input", true, "an input value (JSON unless the input is a string); repeatable", "NAME=VALUE"});
  c.options.push_back({"inputs", true, "a JSON object of inputs", "FILE.json"});
  c.run = runOne;
  return c;
}

Command batchCommand() {
  Command c;
  c.name = "batch";
  c.summary = "Run many jobs of an application at once and summarise them (JCT percentiles, calls, tokens).\n"
              "Exit status: 0 all jobs finished, 1 some failed, 2 usage, 3 environment.";
  c.usage = "[options] APP [--inputs FILE.jsonl]";
  c.options = runOptions();
  c.options.push_back({"inputs", true, "one JSON object of inputs per line (default: inputs.jsonl next to the program)", "FILE.jsonl"});
  c.options.push_back({"jobs", true, "number of jobs (default: one per input line; lines are reused in turn)", "N"});
  c.options.push_back({"arrival-rate", true, "Poisson arrivals, jobs per second (default: all at once)", "R"});
  c.options.push_back({"json", true, "also write the summary as JSON", "FILE"});
  c.run = runBatch;
  return c;
}

} // namespace llmflow::cli
