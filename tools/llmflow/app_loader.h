// Finding and loading the application a run-time command works on: an
// example folder (app.llmflow, behaviour.toml, inputs.jsonl), a .llmflow
// file (compiled in-process), or an IR .json file.
#pragma once

#include "cli.h"
#include "exec/builtins.h"
#include "ir/ir.h"

#include <memory>
#include <optional>
#include <string>

namespace llmflow::behave { struct BehaviourModel; }
namespace llmflow::engine { class SimTaskModel; }

namespace llmflow::cli {

struct LoadedApp {
  ir::Module module;
  const ir::App *app = nullptr; // the application run; null: every one of the module (serve)
  std::string dir;             // folder of the program (tools run here)
  std::string behaviourPath;   // "" if none
  std::string inputsPath;      // default inputs.jsonl, "" if none
  /// The applications run: `app`, or every application of the module.
  std::vector<const ir::App *> apps() const;
};

/// Prints diagnostics / errors itself; returns the exit code on failure.
/// With `everyApp`, the program's applications are all run unless --app
/// names one (`app` stays null); otherwise one is chosen (--app, else the
/// one named like the folder or file, else the only one no other calls).
std::optional<LoadedApp> loadApplication(const Args &args, const std::string &path, int *exitCode,
                                         bool everyApp = false);

/// What the simulated backend needs of a loaded application besides its IR:
/// its behaviour model (behaviourPath, or the defaults) and the task model.
struct SimParts {
  std::unique_ptr<behave::BehaviourModel> behaviour;
  std::unique_ptr<engine::SimTaskModel> model;
  SimParts();
  SimParts(SimParts &&);
  ~SimParts();
};
/// Prints the problem and returns false when the behaviour model is bad.
/// `builtins` are the run's (data folder, JSON limits); an empty dataDir
/// is the application's folder.
bool loadSimParts(const LoadedApp &app, exec::BuiltinContext builtins, SimParts &out);

/// Reads a JSONL file of job inputs (one object per line), each checked
/// against the application's inputs (defaults filled in). Prints the
/// problem with its line and returns false on error or an empty file.
bool readInputLines(const std::string &path, const LoadedApp &app, std::vector<llvm::json::Object> &out);

/// The job inputs of `batch` and `profile`: --inputs FILE.jsonl (default:
/// inputs.jsonl next to the program) and --jobs N (default: one per line).
/// Returns kOk, or the exit code after printing the problem (kUsage for the
/// command line, kEnvironment for the file).
int readJobInputs(const Args &args, const LoadedApp &app, llvm::StringRef command,
                   std::vector<llvm::json::Object> &lines, unsigned &jobs);

/// Parses one --input name=value: the raw text for a string input; else
/// JSON, except that a json or enum input takes text that does not start
/// like JSON ('[', '{', '"') as a string.
bool parseInputAssignment(const ir::App &app, llvm::StringRef assignment, llvm::json::Object &out, std::string &error);

} // namespace llmflow::cli
