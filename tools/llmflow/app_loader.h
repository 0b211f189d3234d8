// Finding and loading the application a run-time command works on: an
// example folder (app.llmflow, behaviour.toml, inputs.jsonl), a .llmflow
// file (compiled in-process), or an IR .json file.
#pragma once

#include "cli.h"
#include "ir/ir.h"

#include <optional>
#include <string>

namespace llmflow::cli {

struct LoadedApp {
  ir::Module module;
  const ir::App *app = nullptr;
  std::string dir;             // folder of the program (tools run here)
  std::string behaviourPath;   // "" if none
  std::string inputsPath;      // default inputs.jsonl, "" if none
};

/// Prints diagnostics / errors itself; returns the exit code on failure.
std::optional<LoadedApp> loadApplication(const Args &args, const std::string &path, int *exitCode);

/// Reads a JSONL file of job inputs (one object per line), each checked
/// against the application's inputs (defaults filled in). Prints the
/// problem with its line and returns false on error or an empty file.
bool readInputLines(const std::string &path, const LoadedApp &app, std::vector<llvm::json::Object> &out);

/// The job inputs of `batch` and `profile`: --inputs FILE.jsonl (default:
/// inputs.jsonl next to the program) and --jobs N (default: one per line).
bool readJobInputs(const Args &args, const LoadedApp &app, llvm::StringRef command,
                   std::vector<llvm::json::Object> &lines, unsigned &jobs);

/// Parses one --input name=value: the raw text for a string input; else
/// JSON, except that a json or enum input takes text that does not start
/// like JSON ('[', '{', '"') as a string.
bool parseInputAssignment(const ir::App &app, llvm::StringRef assignment, llvm::json::Object &out, std::string &error);

} // namespace llmflow::cli
