// llmflow compile FILE [-o OUT] [--emit=ast|ir|dot]: lower a program to the
// DAG IR (JSON), or dump its AST, or draw it. FILE may also be an IR JSON
// file, which is verified and re-emitted (ir or dot).
#include "commands.h"
#include "driver/driver.h"
#include "ir/ir_dot.h"
#include "ir/ir_json.h"
#include "ir/ir_summary.h"
#include "ir/ir_verify.h"

#include "llvm/Support/raw_ostream.h"

namespace llmflow::cli {

static std::string render(const ir::Module &m, const std::string &emit, const Args &args) {
  if (emit == "dot")
    return ir::writeDOT(m, args.get("app"));
  if (emit == "summary")
    return ir::writeSummary(m);
  return ir::writeJSON(m);
}

static int fromIRFile(const Args &args, const std::string &file, const std::string &emit) {
  auto m = ir::readJSONFile(file);
  if (!m) {
    llvm::errs() << "llmflow: " << file << ": " << llvm::toString(m.takeError()) << "\n";
    return kEnvironment;
  }
  if (llvm::Error e = ir::verify(*m)) {
    llvm::errs() << "llmflow: " << file << ": invalid IR:\n" << llvm::toString(std::move(e)) << "\n";
    return kEnvironment;
  }
  if (emit == "ast") {
    llvm::errs() << "llmflow compile: --emit=ast needs a .llmflow source file\n";
    return kUsage;
  }
  return writeOutput(args.get("o"), render(*m, emit, args)) ? kOk : kEnvironment;
}

static int runCompile(const Args &args) {
  if (args.positionals.size() != 1) {
    llvm::errs() << "llmflow compile: expected exactly one input file\ntry 'llmflow compile --help'\n";
    return kUsage;
  }
  std::string emit = args.get("emit", "ir");
  if (emit != "ir" && emit != "ast" && emit != "dot" && emit != "summary") {
    llvm::errs() << "llmflow compile: unknown --emit value '" << emit << "' (expected ast, ir, dot or summary)\n";
    return kUsage;
  }
  std::string file = programFile(args.positionals[0]);
  if (llvm::StringRef(file).endswith(".json"))
    return fromIRFile(args, file, emit);

  driver::Options opts;
  bool ok = true;
  auto consumer = makeConsumer(args, &ok);
  if (!ok || !driverOptions(args, opts))
    return kUsage;
  driver::Session session(*consumer, opts);
  const ast::Program *prog = session.load(file);
  if (prog && emit == "ast" && !session.diags().hasErrors()) {
    std::string text;
    for (const ast::LoadedModule &lm : prog->modules)
      ast::dump(*lm.module, text, &session.sourceMgr());
    consumer->finish(session.sourceMgr());
    return writeOutput(args.get("o"), text) ? kOk : kEnvironment;
  }
  if (!prog || !session.check()) {
    consumer->finish(session.sourceMgr());
    return session.inputUnreadable() ? kEnvironment : kErrors;
  }
  auto m = session.lower();
  consumer->finish(session.sourceMgr());
  if (!m) {
    llvm::errs() << "llmflow: " << llvm::toString(m.takeError()) << "\n";
    return kEnvironment;
  }
  return writeOutput(args.get("o"), render(*m, emit, args)) ? kOk : kEnvironment;
}

Command compileCommand() {
  Command c;
  c.name = "compile";
  c.summary = "Compile a .llmflow program to the DAG IR (JSON), or dump its AST, or draw it as\n"
              "Graphviz DOT. Output goes to stdout unless -o names a file. FILE may be an example\n"
              "folder (its app.llmflow) or an IR .json file (verified and re-emitted).\n"
              "Exit status: 0 ok, 1 errors in the program, 2 usage, 3 unreadable input or unwritable output.";
  c.usage = "[options] FILE|FOLDER";
  c.options = diagnosticOptions();
  c.options.push_back({"o", true, "write the output here ('-' = stdout)", "FILE"});
  c.options.push_back({"emit", true, "what to write: ir (default), ast, dot or summary", "KIND"});
  c.options.push_back({"app", true, "with --emit=dot: draw only this application", "NAME"});
  c.run = runCompile;
  return c;
}

} // namespace llmflow::cli
