// Profiles: one record per job with, for every IR node that ran (by stable
// id), what the IR's profiling hooks ask for: durations, tokens, status,
// retries, and for Dynamic nodes the structure it resolved to. Produced by
// `llmflow profile` or from any run's event log; consumed by Bayesian-network
// training, estimates and trace replay. The format is docs/profile.md.
#pragma once

#include "engine/events.h"
#include "ir/ir.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace llmflow::profile {

inline constexpr int kVersion = 1;

struct NodeRecord {
  std::string kind;                 // regular | llm | dynamic
  unsigned count = 0;               // instances that ran (loop iterations, map items, plan steps)
  double duration = 0;              // seconds, summed over instances (dispatch to end; Dynamic: first start to last end of its expansion)
  double queue = 0;                 // seconds waiting for a slot, summed
  std::optional<unsigned> tokensIn, tokensOut;   // summed; absent if unknown
  unsigned retries = 0;             // attempts beyond the first, summed
  std::string status = "ok";        // ok | failed
  /// Dynamic nodes: "branch" (arm), "iterations", "expansion_size".
  std::string structure;
  std::optional<int64_t> structureValue;
};

struct JobProfile {
  std::string app;
  uint64_t job = 0;
  std::string status = "ok";        // ok | failed
  double total = 0;                 // job completion time, seconds
  std::map<std::string, NodeRecord> nodes;   // by stable node id
  /// What the job's inputs revealed at arrival (core/features.h), by input name.
  std::map<std::string, double> features;
};

llvm::json::Value toJSON(const JobProfile &p);
/// Strict: wrong version, negative or NaN durations, unknown kinds are errors.
llvm::Expected<JobProfile> fromJSON(const llvm::json::Value &v);

/// Reads PROFILE.jsonl; errors name the line.
llvm::Expected<std::vector<JobProfile>> readProfiles(llvm::StringRef path);
llvm::Error writeProfiles(llvm::StringRef path, const std::vector<JobProfile> &profiles);

/// Builds profiles from an event log (any run or batch).
std::vector<JobProfile> fromEvents(const std::vector<engine::Event> &events, const ir::Module &m);

/// Checks that profiles match an application: every node id exists in the
/// module with the recorded kind. The error names the first mismatch.
llvm::Error checkAgainst(const std::vector<JobProfile> &profiles, const ir::Module &m, llvm::StringRef app);
/// The same for profiles of several applications (of one or more modules):
/// each job's application must be one of `apps`, its nodes in its module.
llvm::Error checkAgainst(const std::vector<JobProfile> &profiles,
                         llvm::ArrayRef<std::pair<const ir::Module *, const ir::App *>> apps);

/// CSV: one row per job, one column per (node, field).
std::string toCSV(const std::vector<JobProfile> &profiles);

} // namespace llmflow::profile
