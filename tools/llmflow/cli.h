// Command-line plumbing shared by the subcommands: a small argument parser
// (--flag, --flag=value, --flag value, -o value, positionals), colour and
// diagnostics-format selection, and the documented exit codes.
#pragma once

#include "support/diagnostics.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llmflow::cli {

enum Exit : int {
  kOk = 0,          // success (warnings allowed)
  kErrors = 1,      // errors in the program, or a failed job
  kUsage = 2,       // bad command line
  kEnvironment = 3, // I/O or other environmental failure (unreadable IR, unwritable output)
  kSignalBase = 128, // interrupted by signal N (SIGINT 130, SIGTERM 143), after reporting what finished
};

struct OptionSpec {
  std::string name;       // "emit" for --emit; "o" for -o
  bool takesValue = false;
  std::string help;
  std::string metavar = "VALUE";
  /// An old spelling: its value is stored under this option's name, and
  /// help does not list it.
  std::string aliasOf = "";
};

struct Command {
  std::string name;
  std::string summary;
  std::string usage;      // after "llmflow NAME "
  std::vector<OptionSpec> options;
  int (*run)(const struct Args &args);
};

struct Args {
  std::string argv0;
  std::map<std::string, std::string> values;   // option -> value ("" for flags)
  std::vector<std::string> multi;               // repeated option values, in order, as name=value
  std::vector<std::string> positionals;
  bool has(llvm::StringRef name) const { return values.count(name.str()); }
  std::string get(llvm::StringRef name, llvm::StringRef def = "") const {
    auto it = values.find(name.str());
    return it == values.end() ? def.str() : it->second;
  }
};

/// Parses argv for one command; on error prints to stderr and returns nullopt.
std::optional<Args> parseArgs(const Command &cmd, int argc, char **argv, int first);
void printHelp(const Command &cmd, llvm::raw_ostream &os);

/// The options every compiling command shares.
std::vector<OptionSpec> diagnosticOptions();

/// Builds the diagnostics consumer selected by --diagnostics-format and --color.
std::unique_ptr<support::DiagnosticConsumer> makeConsumer(const Args &args, bool *ok);

/// Output to a file or stdout ("-" or empty); false (and a message) on failure.
bool writeOutput(const std::string &path, llvm::StringRef data);

/// The program file a command works on: `path` itself, or `path`/app.llmflow
/// when `path` is an example folder that has one.
std::string programFile(const std::string &path);
/// Why `file` cannot be read as a program, or "" when it can. Commands exit
/// with kEnvironment for such a file (check and compile after reporting it
/// as a diagnostic, so the JSON format carries it too).
std::string unreadableReason(const std::string &file);

/// Wraps `text` to `width` columns, continuation lines indented by `indent`.
std::string wrap(llvm::StringRef text, unsigned indent, unsigned width = 79);

/// An output file named on the command line, created when the command
/// starts so that an unwritable path is reported before any work is done,
/// and written when the work is over. "-" or "" is stdout.
class OutputFile {
public:
  /// Null (after a message) when the file cannot be created.
  static std::unique_ptr<OutputFile> open(const std::string &path);
  /// Writes `data` as the file's content; false (and a message) on failure.
  bool write(llvm::StringRef data);

private:
  std::string path;
  std::unique_ptr<llvm::raw_fd_ostream> os; // null for stdout
};

} // namespace llmflow::cli

namespace llmflow::driver { struct Options; }
namespace llmflow::cli {
/// Compiler options from the shared flags; false (after a message) on bad values.
bool driverOptions(const Args &args, driver::Options &out);
} // namespace llmflow::cli
