// Test files of `llmflow test` (docs/testing.md): TOML beside the program
// (app.tests.toml), one [[test]] per case, each with the job's inputs, canned
// replies per stage (every call, or call N with "STAGE#N"; a reply may be a
// failure), and what to expect: status, error, result, stage values, call
// counts. Loading resolves every stage name against the IR and checks every
// reply against the stage's type, so a typo fails before anything runs.
//
// Not for: running the cases (test_run.h) or printing them (the CLI).
#pragma once

#include "testing/stage_ref.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace llmflow::testing {

/// What a stage answers in a test: a value, or a failure with a message.
struct Reply {
  bool fails = false;
  std::string error;
  llvm::json::Value value = nullptr;
};

struct TestCase {
  std::string name;
  llvm::json::Object inputs;
  /// (node id, call) -> reply; call 0 = every call without its own entry.
  std::map<std::pair<std::string, unsigned>, Reply> replies;
  std::optional<std::string> expectStatus;          // "ok" | "failed"
  std::optional<std::string> expectError;           // a substring of the job's error
  std::optional<llvm::json::Value> expectResult;    // matched as in value_match.h
  std::vector<std::pair<StageRef, llvm::json::Value>> expectStages;
  std::vector<std::pair<std::string, unsigned>> expectCalls;   // node id -> calls
};

struct TestSuite {
  std::string path;
  std::vector<TestCase> cases;
};

/// Reads and checks a test file for `app` of `module`. `inputsPath` (may be
/// "") is the program's inputs.jsonl, for `inputs_line = N`. Errors name the
/// file, the test and the key.
llvm::Expected<TestSuite> loadTests(llvm::StringRef path, const ir::Module &module, const ir::App &app,
                                    llvm::StringRef inputsPath);

} // namespace llmflow::testing
