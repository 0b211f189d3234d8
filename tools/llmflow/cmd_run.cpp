// llmflow run APP: one job, its result as JSON on stdout.
// llmflow batch APP --inputs FILE.jsonl: many jobs at once, with a summary.
#include "commands.h"
#include "flags.h"
#include "progress.h"
#include "runner.h"

#include "core/job.h"
#include "core/jsonl.h"
#include "engine/summary.h"
#include "ir/json_text.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <random>

namespace llmflow::cli {

/// The file as one JSON value at line 1, or an error when it is not one.
static llvm::Expected<std::vector<std::pair<unsigned, llvm::json::Value>>> oneJSONValue(const std::string &path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buf)
    return llvm::createStringError(buf.getError(), "cannot read '%s'", path.c_str());
  auto v = parseJSON((*buf)->getBuffer());
  if (!v)
    return v.takeError();
  std::vector<std::pair<unsigned, llvm::json::Value>> out;
  out.push_back({1, std::move(*v)});
  return out;
}

/// The inputs of `run`: --inputs FILE (one JSON object, or JSON Lines of
/// which --line N is taken), else the first line of the inputs.jsonl next to
/// the program; then --input NAME=VALUE on top. `note` says which line of
/// several it took (printed once the run is set up). Returns the exit code on
/// failure.
static std::optional<llvm::json::Object> runInputs(const Args &args, const LoadedApp &app, int *code,
                                                   std::string &note) {
  llvm::json::Object inputs;
  bool given = args.has("inputs") || llvm::any_of(args.multi, [](const std::string &m) {
    return llvm::StringRef(m).startswith("input=");
  });
  std::string path = args.has("inputs") ? args.get("inputs") : given ? "" : app.inputsPath;
  unsigned line = 1;
  if (args.has("line") && (llvm::StringRef(args.get("line")).getAsInteger(10, line) || line == 0)) {
    llvm::errs() << "llmflow run: --line expects a positive integer\n";
    *code = kUsage;
    return std::nullopt;
  }
  if (!path.empty()) {
    // One JSON value (possibly pretty-printed over many lines), else JSON Lines.
    llvm::Expected<std::vector<std::pair<unsigned, llvm::json::Value>>> lines = oneJSONValue(path);
    if (!lines) {
      llvm::consumeError(lines.takeError());
      lines = rt::readJSONLines(path);
    }
    if (!lines) {
      llvm::errs() << "llmflow run: " << llvm::toString(lines.takeError());
      if (!args.has("inputs") || llvm::sys::fs::exists(path))
        llvm::errs() << " (--inputs takes one JSON object, or JSON Lines: one object per line)";
      llvm::errs() << "\n";
      *code = kEnvironment;
      return std::nullopt;
    }
    if (lines->empty() || line > lines->size()) {
      llvm::errs() << "llmflow run: " << path << " holds " << lines->size() << " job(s); no line " << line << "\n";
      *code = lines->empty() ? kEnvironment : kUsage;
      return std::nullopt;
    }
    auto &[lineNo, value] = (*lines)[line - 1];
    if (!value.getAsObject()) {
      llvm::errs() << "llmflow run: " << path << ":" << lineNo << ": expected a JSON object of inputs\n";
      *code = kEnvironment;
      return std::nullopt;
    }
    inputs = *value.getAsObject();
    if (!args.has("inputs") || lines->size() > 1)
      note = llvm::formatv("llmflow run: inputs from line {0} of {1} (of {2}; --line N picks another)\n", lineNo,
                           path, lines->size());
  }
  for (const std::string &m : args.multi) {
    llvm::StringRef s(m);
    if (!s.startswith("input="))
      continue;
    std::string error;
    if (!parseInputAssignment(*app.app, s.drop_front(6), inputs, error)) {
      llvm::errs() << "llmflow run: " << error << "\n";
      *code = kUsage;
      return std::nullopt;
    }
  }
  if (llvm::Error e = rt::checkInputs(app.module, *app.app, inputs)) {
    llvm::errs() << "llmflow run: " << llvm::toString(std::move(e)) << "\n";
    *code = kUsage;
    return std::nullopt;
  }
  return inputs;
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
  std::string note;
  std::optional<llvm::json::Object> inputs = runInputs(args, *app, &code, note);
  if (!inputs)
    return code;
  std::unique_ptr<OutputFile> jsonOut;
  if (args.has("json") && !(jsonOut = OutputFile::open(args.get("json"))))
    return kEnvironment;
  auto runner = Runner::create(args, std::move(*app), &code);
  if (!runner)
    return code;
  if (llvm::Error e = runner->checkResume(1, [&](unsigned) -> const llvm::json::Object & { return *inputs; })) {
    llvm::errs() << "llmflow run: " << llvm::toString(std::move(e)) << "\n";
    return kUsage;
  }
  llvm::errs() << note;
  rt::JobId id = runner->submit(*inputs, 0);
  runner->run();
  const engine::JobRecord &rec = runner->eng().records().at(id);
  runner->warnCache();
  if (!runner->writeTrace() || runner->journalFailed())
    return kEnvironment;
  if (int sig = runner->eng().interruptedBy()) {
    llvm::errs() << "llmflow: job " << id << " " << rec.error << "\n";
    return kSignalBase + sig;
  }
  llvm::errs() << llvm::format("job %llu %s in %.2f s: %u LLM calls, %u tool calls, %llu tokens out\n",
                               (unsigned long long)id, rec.ok ? "finished" : "failed", rec.finish - rec.arrival,
                               rec.llmCalls, rec.toolCalls, (unsigned long long)rec.tokensOut);
  if (rec.cacheHits || rec.cacheMisses)
    llvm::errs() << llvm::format("cache: %u hits, %u misses\n", rec.cacheHits, rec.cacheMisses);
  if (jsonOut && !jsonOut->write(llvm::formatv("{0:2}\n", engine::toJSON(rec, *inputs)).str()))
    return kEnvironment;
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
  if (int e = readJobInputs(args, *app, "batch", lines, jobs))
    return e;
  double rate = 0;
  if (!numberFlag(args, "arrival-rate", kRateSpec, rate))
    return kUsage;
  std::unique_ptr<OutputFile> jsonOut;
  if (args.has("json") && !(jsonOut = OutputFile::open(args.get("json"))))
    return kEnvironment;
  auto runner = Runner::create(args, std::move(*app), &code);
  if (!runner)
    return code;
  if (llvm::Error e = runner->checkResume(
          jobs, [&](unsigned n) -> const llvm::json::Object & { return lines[(n - 1) % lines.size()]; })) {
    llvm::errs() << "llmflow batch: " << llvm::toString(std::move(e)) << "\n";
    return kUsage;
  }
  std::unique_ptr<llvm::raw_fd_ostream> results;
  if (args.has("output")) {
    std::error_code ec;
    results = std::make_unique<llvm::raw_fd_ostream>(args.get("output"), ec, llvm::sys::fs::OF_None);
    if (ec) {
      llvm::errs() << "llmflow: cannot write '" << args.get("output") << "': " << ec.message() << "\n";
      return kEnvironment;
    }
  }
  Progress progress(runner->ioContext(), runner->eng(), jobs, llvm::errs().is_displayed());
  engine::Engine &eng = runner->eng();
  eng.onJobDone = [&](const engine::JobRecord &r) {
    if (r.interrupted)
      return; // counted in the summary
    progress.jobDone(r);
    if (results) { // one line per job as it ends, flushed: an interrupted batch keeps what it did
      *results << engine::toJSON(r, lines[(r.id - 1) % lines.size()]) << "\n";
      results->flush();
    }
  };
  // A finished job's record is summarised and dropped, and its behaviour
  // draw released: memory stays flat however many jobs finish.
  engine::SummaryBuilder summary;
  eng.onRecordDropped = [&](const engine::JobRecord &r) {
    summary.add(r);
    runner->release(r.id);
  };
  // Poisson arrivals at `rate` (engine seconds), seeded; all at once without a rate.
  std::mt19937_64 rng(runner->config().seed ^ 0xa5a5a5a5ULL);
  std::exponential_distribution<double> gap(rate > 0 ? rate : 1);
  double t = 0, start = 0;
  unsigned submitted = 0;
  auto submitNext = [&] {
    rt::JobId id = runner->submit(lines[submitted % lines.size()], std::max(0.0, start + t - eng.now()));
    ++submitted;
    if (rate > 0)
      t += gap(rng);
    // A job that ended in an earlier run (--resume) counts and is written as if it ended now.
    if (auto it = eng.records().find(id); it != eng.records().end() && it->second.restored)
      eng.onJobDone(it->second);
    return submitted < jobs;
  };
  progress.start();
  if (rate > 0) {
    // Spread arrivals are fed to the engine shortly before they are due, so
    // that jobs far in the future hold no memory.
    eng.feed = [&] {
      if (submitted == 0)
        start = eng.now();
      return submitted < jobs && submitNext();
    };
  } else {
    // All at once: every job is in flight from the start anyway.
    while (submitted < jobs)
      submitNext();
  }
  runner->run();
  runner->warnCache();
  if (!runner->writeTrace() || runner->journalFailed())
    return kEnvironment;
  for (const auto &[id, r] : eng.records())
    summary.add(r);
  summary.addNotStarted(jobs - submitted); // an interrupt stopped the feed
  engine::BatchSummary s = summary.build();
  std::string text = engine::formatSummary(s, runner->schedulerName());
  unsigned decisions = eng.decisions();
  text += llvm::formatv("scheduler decisions {0}, mean {1:f1} us\n", decisions,
                        decisions ? eng.decisionSeconds() / decisions * 1e6 : 0.0)
              .str();
  llvm::errs() << text;
  if (jsonOut) {
    llvm::json::Object o = *engine::toJSON(s).getAsObject();
    o["scheduler"] = runner->schedulerName();
    o["decisions"] = int64_t(decisions);
    std::string out;
    llvm::raw_string_ostream os(out);
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(o))) << "\n";
    if (!jsonOut->write(os.str()))
      return kEnvironment;
  }
  if (int sig = eng.interruptedBy())
    return kSignalBase + sig;
  return s.failed ? kErrors : kOk;
}

Command runCommand() {
  Command c;
  c.name = "run";
  c.summary = "Run one job of an application and print its result as JSON on stdout.\n"
              "APP is an example folder (app.llmflow, behaviour.toml), a .llmflow file or an IR .json file.\n"
              "Without --inputs or --input, the job's inputs are the first line of the inputs.jsonl next to\n"
              "the program (stderr says so).\n"
              "Exit status: 0 the job finished, 1 it failed (or the program has errors), 2 usage, 3 environment.";
  c.usage = "[options] APP [--input NAME=VALUE]... [--inputs FILE.json[l] [--line N]]";
  c.options = runOptions();
  for (OptionSpec &o : journalOptions())
    c.options.push_back(std::move(o));
  c.options.push_back({"input", true, "an input value (JSON unless the input is a string); repeatable", "NAME=VALUE"});
  c.options.push_back({"inputs", true, "a JSON object of inputs, or JSON Lines of them (default: inputs.jsonl next to the program)", "FILE"});
  c.options.push_back({"line", true, "which line of the inputs file to run (default 1)", "N"});
  c.options.push_back({"json", true, "also write the job's record as JSON: id, inputs, status, result or error, JCT, calls, tokens ('-' = stdout)", "FILE"});
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
  for (OptionSpec &o : journalOptions())
    c.options.push_back(std::move(o));
  c.options.push_back({"inputs", true, "one JSON object of inputs per line (default: inputs.jsonl next to the program)", "FILE.jsonl"});
  c.options.push_back({"jobs", true, "number of jobs (default: one per input line; lines are reused in turn)", "N"});
  c.options.push_back({"arrival-rate", true, "Poisson arrivals, jobs per second (default: all at once)", "R"});
  c.options.push_back({"json", true, "also write the summary as JSON ('-' = stdout)", "FILE"});
  c.options.push_back({"output", true, "write one JSON line per job as it ends: id, inputs, status, result or error, JCT, calls, tokens", "FILE.jsonl"});
  c.run = runBatch;
  return c;
}

} // namespace llmflow::cli
