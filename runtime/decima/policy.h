// A trained Decima policy: the network's weights and the per-node means
// its features need, learned for the applications of one workload, as a
// small JSON file (docs/decima.md). A policy is only valid for the
// applications it was trained on: checkPolicy refuses any other.
#pragma once

#include "decima/features.h"
#include "decima/network.h"
#include "ir/ir.h"
#include "profile/profile.h"

#include "llvm/Support/Error.h"

#include <map>
#include <string>
#include <vector>

namespace llmflow::decima {

inline constexpr int kPolicyVersion = 1;

struct Policy {
  std::string workload;               // what it was trained on (informative)
  uint64_t seed = 0;
  unsigned episodes = 0;
  /// Per application: every node id it can run (callees included) and its
  /// mean seconds per task from the profiles (a Dynamic node: the mean work
  /// inside it per job; 0 for a node that never ran).
  std::map<std::string, std::map<std::string, double>> apps;
  double scale = 1;                   // NodeMeans::scale
  Network net;

  NodeMeans means() const;
};

/// Every node id a job of `app` can run: its graph, Dynamic templates and
/// called applications.
std::vector<std::string> reachableNodes(const ir::Module &m, const ir::App &app);

/// Fills policy.apps and policy.scale from profiles of the applications.
void learnMeans(Policy &policy, const std::vector<std::pair<const ir::Module *, const ir::App *>> &apps,
                const std::vector<profile::JobProfile> &profiles);

/// An error unless the policy was trained on this application as it is now.
llvm::Error checkPolicy(const Policy &policy, const ir::Module &m, const ir::App &app);

/// The policy file's text; numbers keep 6 significant digits.
std::string toJSON(Policy &policy);
llvm::Error writePolicy(llvm::StringRef path, Policy &policy);
/// Strict: a wrong format or version, missing or misshapen weights, or
/// non-finite numbers are errors naming the file.
llvm::Expected<Policy> readPolicy(llvm::StringRef path);

} // namespace llmflow::decima
