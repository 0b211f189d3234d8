#include "cli.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

namespace llmflow::cli {

std::vector<OptionSpec> diagnosticOptions() {
  return {
      {"diagnostics-format", true, "text (default) or json", "FORMAT"},
      {"color", true, "auto (default: only on a terminal, never with NO_COLOR), always or never", "WHEN"},
      {"error-limit", true, "stop after N errors (default 20; 0 = no limit)", "N"},
      {"Werror", false, "treat warnings as errors"},
      {"no-warnings", false, "do not report warnings"},
      {"stdlib", true, "directory of the standard library (default: $LLMFLOW_STDLIB, else share/llmflow/stdlib beside the binary's bin/)", "DIR"},
  };
}

void printHelp(const Command &cmd, llvm::raw_ostream &os) {
  os << "usage: llmflow " << cmd.name << " " << cmd.usage << "\n\n" << cmd.summary << "\n\noptions:\n";
  for (const OptionSpec &o : cmd.options) {
    if (!o.aliasOf.empty())
      continue;
    std::string flag = (o.name.size() == 1 ? "-" : "--") + o.name;
    if (o.takesValue)
      flag += (o.name.size() == 1 ? " " : "=") + o.metavar;
    os << "  " << flag;
    if (flag.size() >= 28)
      os << "\n" << std::string(30, ' ');
    else
      os.indent(unsigned(28 - flag.size()));
    os << wrap(o.help, 30) << "\n";
  }
  os << "  --help                      show this help\n";
}

std::optional<Args> parseArgs(const Command &cmd, int argc, char **argv, int first) {
  Args a;
  a.argv0 = argv[0];
  auto fail = [&](const std::string &msg) -> std::optional<Args> {
    llvm::errs() << "llmflow " << cmd.name << ": " << msg << "\n"
                 << "try 'llmflow " << cmd.name << " --help'\n";
    return std::nullopt;
  };
  bool onlyPositionals = false;
  for (int i = first; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    if (onlyPositionals || arg == "-" || !arg.startswith("-")) {
      a.positionals.push_back(arg.str());
      continue;
    }
    if (arg == "--") {
      onlyPositionals = true;
      continue;
    }
    llvm::StringRef body = arg.startswith("--") ? arg.drop_front(2) : arg.drop_front(1);
    auto [name, inlineValue] = body.split('=');
    bool hasInline = body.contains('=');
    if (name == "help" || name == "h" || name == "version") {
      a.values[name == "version" ? "version" : "help"] = "";
      continue;
    }
    const OptionSpec *spec = nullptr;
    for (const OptionSpec &o : cmd.options)
      if (o.name == name)
        spec = &o;
    if (!spec)
      return fail("unknown option '" + arg.str() + "'");
    std::string value;
    if (spec->takesValue) {
      if (hasInline)
        value = inlineValue.str();
      else if (i + 1 < argc)
        value = argv[++i];
      else
        return fail("option '" + arg.str() + "' needs a value");
    } else if (hasInline) {
      return fail("option '--" + name.str() + "' takes no value");
    }
    std::string key = spec->aliasOf.empty() ? name.str() : spec->aliasOf;
    a.values[key] = value;
    a.multi.push_back(key + "=" + value);
  }
  return a;
}

std::unique_ptr<support::DiagnosticConsumer> makeConsumer(const Args &args, bool *ok) {
  *ok = true;
  std::string format = args.get("diagnostics-format", "text");
  if (format == "json")
    return std::make_unique<support::JSONDiagnosticConsumer>(llvm::outs());
  if (format != "text") {
    llvm::errs() << "llmflow: unknown diagnostics format '" << format << "' (expected text or json)\n";
    *ok = false;
  }
  std::string when = args.get("color", "auto");
  bool colors = false;
  if (when == "always")
    colors = true;
  else if (when == "auto")
    colors = llvm::errs().is_displayed() && !llvm::sys::Process::GetEnv("NO_COLOR");
  else if (when != "never") {
    llvm::errs() << "llmflow: unknown --color value '" << when << "' (expected auto, always or never)\n";
    *ok = false;
  }
  return std::make_unique<support::TextDiagnosticConsumer>(llvm::errs(), colors);
}

std::unique_ptr<OutputFile> OutputFile::open(const std::string &path) {
  auto f = std::make_unique<OutputFile>();
  f->path = path;
  if (path.empty() || path == "-")
    return f;
  std::error_code ec;
  f->os = std::make_unique<llvm::raw_fd_ostream>(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    llvm::errs() << "llmflow: cannot write '" << path << "': " << ec.message() << "\n";
    return nullptr;
  }
  return f;
}

bool OutputFile::write(llvm::StringRef data) {
  if (!os) {
    llvm::outs() << data;
    llvm::outs().flush();
    return true;
  }
  *os << data;
  os->close();
  if (os->has_error()) {
    llvm::errs() << "llmflow: cannot write '" << path << "': " << os->error().message() << "\n";
    os->clear_error();
    return false;
  }
  return true;
}

std::string programFile(const std::string &path) {
  if (!llvm::sys::fs::is_directory(path))
    return path;
  llvm::SmallString<256> p(path);
  llvm::sys::path::append(p, "app.llmflow");
  return llvm::sys::fs::exists(p) ? std::string(p) : path;
}

std::string unreadableReason(const std::string &file) {
  std::error_code ec = llvm::sys::fs::access(file, llvm::sys::fs::AccessMode::Exist);
  if (!ec && llvm::sys::fs::is_directory(file))
    ec = std::make_error_code(std::errc::is_a_directory);
  return ec ? ec.message() : "";
}

std::string wrap(llvm::StringRef text, unsigned indent, unsigned width) {
  std::string out;
  unsigned col = indent;
  llvm::SmallVector<llvm::StringRef, 32> words;
  text.split(words, ' ', -1, false);
  for (llvm::StringRef w : words) {
    if (col > indent && col + 1 + w.size() > width) {
      out += "\n" + std::string(indent, ' ');
      col = indent;
    } else if (col > indent) {
      out += ' ';
      ++col;
    }
    out += w.str();
    col += unsigned(w.size());
  }
  return out;
}

bool writeOutput(const std::string &path, llvm::StringRef data) {
  std::unique_ptr<OutputFile> f = OutputFile::open(path);
  return f && f->write(data);
}

} // namespace llmflow::cli

#include "driver/driver.h"
#include "flags.h"

namespace llmflow::cli {
bool driverOptions(const Args &args, driver::Options &out) {
  out.stdlibDir = args.has("stdlib") ? args.get("stdlib") : driver::defaultStdlibDir(args.argv0.c_str());
  out.warningsAsErrors = args.has("Werror");
  out.noWarnings = args.has("no-warnings");
  return numberFlag(args, "error-limit", NumberSpec{0, 1000000, false, true}, out.errorLimit);
}
} // namespace llmflow::cli
