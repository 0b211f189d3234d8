// llmflow test APP: run the program's test cases (app.tests.toml beside it,
// docs/testing.md) with canned replies instead of a model, and report each
// case's failed expectations with the stage, the expected and the actual
// value.
#include "app_loader.h"
#include "commands.h"
#include "verbose.h"

#include "testing/test_run.h"
#include "testing/value_match.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace llmflow::cli {

/// APP.tests.toml beside a program file; app.tests.toml in an example folder.
static std::string defaultTestFile(const std::string &appPath) {
  llvm::SmallString<256> p(appPath);
  if (llvm::sys::fs::is_directory(appPath))
    llvm::sys::path::append(p, "app.tests.toml");
  else
    llvm::sys::path::replace_extension(p, "tests.toml");
  return std::string(p);
}

static int runTests(const Args &args) {
  if (args.positionals.size() != 1) {
    llvm::errs() << "llmflow test: expected one application (folder, .llmflow or IR .json)\ntry 'llmflow test --help'\n";
    return kUsage;
  }
  int code = kOk;
  auto app = loadApplication(args, args.positionals[0], &code);
  if (!app)
    return code;
  double scale = 10;
  if (args.has("timeout-scale") && (llvm::StringRef(args.get("timeout-scale")).getAsDouble(scale) || scale <= 0)) {
    llvm::errs() << "llmflow test: --timeout-scale expects a number > 0\n";
    return kUsage;
  }
  testing::stretchTimeouts(app->module, scale);
  std::string file = args.has("tests") ? args.get("tests") : defaultTestFile(args.positionals[0]);
  auto suite = testing::loadTests(file, app->module, *app->app, app->inputsPath);
  if (!suite) {
    llvm::errs() << "llmflow test: " << llvm::toString(suite.takeError()) << "\n";
    return kEnvironment;
  }
  std::unique_ptr<llvm::raw_fd_ostream> eventsFile;
  std::unique_ptr<engine::JSONLSink> fileSink;
  VerboseSink verbose(llvm::errs());
  engine::TeeSink tee;
  if (args.has("events")) {
    std::error_code ec;
    eventsFile = std::make_unique<llvm::raw_fd_ostream>(args.get("events"), ec, llvm::sys::fs::OF_Append);
    if (ec) {
      llvm::errs() << "llmflow: cannot write '" << args.get("events") << "': " << ec.message() << "\n";
      return kEnvironment;
    }
    fileSink = std::make_unique<engine::JSONLSink>(std::move(eventsFile));
    tee.add(fileSink.get());
  }
  if (args.has("v"))
    tee.add(&verbose);
  testing::RunOptions opts;
  opts.workDir = app->dir;
  opts.builtins.dataDir = app->dir;
  opts.events = args.has("events") || args.has("v") ? &tee : nullptr;

  std::string filter = args.get("filter");
  unsigned passed = 0, failed = 0;
  llvm::json::Array report;
  llvm::outs() << file << ": " << suite->cases.size() << " test(s)\n";
  for (const testing::TestCase &tc : suite->cases) {
    if (!filter.empty() && tc.name.find(filter) == std::string::npos)
      continue;
    testing::CaseResult r = testing::runCase(tc, app->module, *app->app, opts);
    (r.passed ? passed : failed)++;
    llvm::outs() << (r.passed ? "ok    " : "FAIL  ") << tc.name << llvm::format(" (%.2f s)\n", r.seconds);
    llvm::json::Array fails;
    for (const testing::Failure &f : r.failures) {
      llvm::outs() << "        " << f.what << ": expected " << f.expected << ", got " << f.actual << "\n";
      fails.push_back(llvm::json::Object{{"what", f.what}, {"expected", f.expected}, {"actual", f.actual}});
    }
    llvm::outs().flush();
    report.push_back(llvm::json::Object{{"name", tc.name},
                                        {"passed", r.passed},
                                        {"seconds", r.seconds},
                                        {"status", r.record.ok ? "ok" : "failed"},
                                        {"result", r.record.result},
                                        {"error", r.record.error},
                                        {"failures", std::move(fails)}});
  }
  llvm::outs() << passed + failed << " test(s): " << passed << " passed, " << failed << " failed\n";
  if (passed + failed == 0) {
    llvm::errs() << "llmflow test: no test matches --filter '" << filter << "'\n";
    return kUsage;
  }
  if (args.has("json") &&
      !writeOutput(args.get("json"), llvm::formatv("{0:2}\n", llvm::json::Value(std::move(report))).str()))
    return kEnvironment;
  return failed ? kErrors : kOk;
}

Command testCommand() {
  Command c;
  c.name = "test";
  c.summary = "Run a program's test cases without a model: canned replies per stage, expectations on the result,\n"
              "stage values and call counts (docs/testing.md). Tool stages run for real unless a test stubs them.\n"
              "Tests are read from app.tests.toml in an example folder, or FILE.tests.toml beside FILE.llmflow.\n"
              "Exit status: 0 every test passed, 1 a test failed (or the program has errors), 2 usage,\n"
              "3 the test file cannot be read or is invalid.";
  c.usage = "[options] APP [--tests FILE.toml] [--filter TEXT]";
  c.options = diagnosticOptions();
  c.options.push_back({"app", true, "the application when the module has several", "NAME"});
  c.options.push_back({"tests", true, "the test file (default: app.tests.toml or FILE.tests.toml beside the program)", "FILE"});
  c.options.push_back({"filter", true, "run only the tests whose name contains TEXT", "TEXT"});
  c.options.push_back({"timeout-scale", true, "multiply every stage's timeout by X, so a loaded machine does not time out real tools (default 10)", "X"});
  c.options.push_back({"json", true, "also write the results as JSON ('-' = stdout)", "FILE"});
  c.options.push_back({"events", true, "append the tests' event log (with content) to this file", "FILE"});
  c.options.push_back({"v", false, "stream each stage as it starts and ends, with its output (or --verbose)"});
  c.options.push_back({"verbose", false, "", "", "v"});
  c.run = runTests;
  return c;
}

} // namespace llmflow::cli
