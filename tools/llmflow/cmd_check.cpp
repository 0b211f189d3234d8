// llmflow check FILE...: parse and check programs, report diagnostics.
#include "commands.h"
#include "driver/driver.h"

#include "llvm/Support/raw_ostream.h"

namespace llmflow::cli {

static int runCheck(const Args &args) {
  if (args.positionals.empty()) {
    llvm::errs() << "llmflow check: no input files\ntry 'llmflow check --help'\n";
    return kUsage;
  }
  driver::Options opts;
  bool ok = true;
  auto consumer = makeConsumer(args, &ok);
  if (!ok || !driverOptions(args, opts))
    return kUsage;
  bool errors = false, unreadable = false;
  for (const std::string &path : args.positionals) {
    std::string file = programFile(path);
    driver::Session session(*consumer, opts);
    if (!session.load(file) || !session.check())
      errors = true;
    unreadable |= session.inputUnreadable();
  }
  consumer->finish(llvm::SourceMgr());
  return unreadable ? kEnvironment : errors ? kErrors : kOk;
}

Command checkCommand() {
  Command c;
  c.name = "check";
  c.summary = "Check .llmflow programs and report errors and warnings.\n"
              "A FILE may be an example folder (its app.llmflow is checked).\n"
              "Exit status: 0 no errors (warnings allowed), 1 errors, 2 usage, 3 a file cannot be read.";
  c.usage = "[options] FILE|FOLDER...";
  c.options = diagnosticOptions();
  c.run = runCheck;
  return c;
}

} // namespace llmflow::cli
