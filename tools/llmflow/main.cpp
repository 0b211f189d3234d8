// llmflow: one binary, one subcommand per job.
#include "commands.h"

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace llmflow::cli;

/// The first sentence of a command's summary, for the list of commands.
static std::string firstSentence(llvm::StringRef summary) {
  std::string flat;
  for (char c : summary)
    flat += c == '\n' ? ' ' : c;
  llvm::StringRef s(flat);
  size_t end = s.size();
  for (llvm::StringRef stop : {". ", ": "})
    end = std::min(end, s.find(stop));
  return s.take_front(end).rtrim(".:").str();
}

static void printUsage(llvm::raw_ostream &os, const std::vector<Command> &cmds) {
  os << "usage: llmflow COMMAND [options] [args]\n\n"
        "llmflow compiles and runs compound LLM applications.\n\ncommands:\n";
  for (const Command &c : cmds) {
    os << "  " << c.name;
    os.indent(unsigned(12 - c.name.size()));
    os << wrap(firstSentence(c.summary), 14) << "\n";
  }
  os << "\n'llmflow help COMMAND' (or 'llmflow COMMAND --help') describes a command.\n"
        "'llmflow --version' prints the version.\n";
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  std::vector<Command> cmds = {checkCommand(),    compileCommand(),  fmtCommand(),    runCommand(),    batchCommand(),
                               profileCommand(),  bnCommand(),       estimateCommand(), simulateCommand(),
                               decimaCommand(),   testCommand(),     reportCommand(), serveCommand()};
  if (argc < 2) {
    printUsage(llvm::errs(), cmds);
    return kUsage;
  }
  llvm::StringRef first = argv[1];
  if (first == "--help" || first == "-h" || first == "help") {
    if (argc > 2 && first == "help") {
      for (const Command &c : cmds)
        if (c.name == argv[2]) {
          printHelp(c, llvm::outs());
          return kOk;
        }
      llvm::errs() << "llmflow help: unknown command '" << argv[2] << "'\n";
      printUsage(llvm::errs(), cmds);
      return kUsage;
    }
    printUsage(llvm::outs(), cmds);
    return kOk;
  }
  if (first == "--version" || first == "version") {
    llvm::outs() << "llmflow " << LLMFLOW_VERSION << " (IR version 1)\n";
    return kOk;
  }
  for (const Command &c : cmds) {
    if (c.name != first)
      continue;
    auto args = parseArgs(c, argc, argv, 2);
    if (!args)
      return kUsage;
    if (args->has("help")) {
      printHelp(c, llvm::outs());
      return kOk;
    }
    if (args->has("version")) {
      llvm::outs() << "llmflow " << LLMFLOW_VERSION << "\n";
      return kOk;
    }
    return c.run(*args);
  }
  llvm::errs() << "llmflow: unknown command '" << first << "'\n";
  printUsage(llvm::errs(), cmds);
  return kUsage;
}
