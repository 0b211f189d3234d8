// Trace replay: a simulated job that repeats one recorded job of a profile
// (profile/profile.h) instead of drawing from a behaviour model, so measured
// runs can be replayed under every scheduler (docs/simulate.md, "Trace
// replay"). The record gives, per node, summed durations, counts, tokens and
// for Dynamic nodes their structure; what it cannot say (which iterations
// of a loop took which branch arm, how a repeated node's expansions split)
// is rebuilt from the counts of the nodes inside, keyed by instance names so
// the answer never depends on the scheduler.
#pragma once

#include "behave/draw.h"
#include "profile/profile.h"
#include "serving/batching.h"

#include "llvm/ADT/StringMap.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace llmflow::sim {

/// What replay reads from a program, built once per application.
class ReplayIndex {
public:
  ReplayIndex(const ir::Module &m, const ir::App &app);
  const ir::Module &module() const { return mod; }
  const ir::App &app() const { return *application; }
  /// Any node of the module (all applications), by id.
  const ir::Node *node(llvm::StringRef id) const;

  /// A map whose list is (a field of) a node's result: the map and the
  /// source node's id. Keyed by the value's synthesis path, "NODE" or
  /// "NODE.field.field".
  struct MapFeed {
    const ir::Node *map = nullptr;
    std::string source;
  };
  const MapFeed *mapFedBy(llvm::StringRef valuePath) const;

private:
  const ir::Module &mod;
  const ir::App *application;
  llvm::StringMap<const ir::Node *> nodes;
  llvm::StringMap<MapFeed> feeds;
};

class ReplayJob : public behave::JobDraw {
public:
  /// `record` must outlive the job. `serving` turns a recorded LLM duration
  /// into output tokens when the record has none. `seed` and `job` key the
  /// synthetic values (their content, never their sizes).
  ReplayJob(const ReplayIndex &index, const profile::JobProfile &record, const serving::ServingParams &serving,
            uint64_t seed, uint64_t job);

  // Fallbacks for a node the record does not have (a mismatch).
  static constexpr unsigned kFallbackOutputTokens = 32;
  static constexpr double kFallbackToolSeconds = 0.1;

  unsigned outputTokens(const std::string &nodeId, const std::string &instance) override;
  unsigned promptTokens(const std::string &nodeId, const std::string &instance,
                        llvm::ArrayRef<llvm::StringRef> prompt) override;
  double toolLatency(const std::string &nodeId, const std::string &instance, unsigned attempt) override;
  bool toolFails(const std::string &, const std::string &, unsigned) override { return false; }
  llvm::json::Value synthesize(const ir::Type &t, const std::string &nodeId, const std::string &instance,
                               unsigned words) override;
  llvm::json::Value makePlan(const ir::Node &steps, const std::string &instance, unsigned *count) override;
  double tokensPerStep(const std::string &) const override { return 0; } // recorded tokens include the plan
  std::optional<unsigned> branchArm(const ir::Node &branch, llvm::StringRef instance) override;
  std::optional<bool> loopStops(const ir::Node &loop, llvm::StringRef instance, unsigned iteration) override;

  /// Checks an expansion the job made (a JobEvent::Expanded) against the
  /// record; a different size, or a Dynamic node the record lacks, is a mismatch.
  void checkExpanded(const std::string &nodeId, const std::string &instance, llvm::StringRef structure,
                     int64_t size);

  /// The structure value the record implies for one instance of a Dynamic
  /// node (branch arm, iterations, expansion size); nullopt when the record
  /// lacks the node.
  std::optional<int64_t> expected(const ir::Node &n, llvm::StringRef instance);

  /// Instances whose run departed from the record (each counted once), and
  /// a description of the first few.
  unsigned mismatches() const { return unsigned(mismatched.size()); }
  const std::vector<std::string> &mismatchNotes() const { return notes; }

private:
  const profile::NodeRecord *find(const std::string &nodeId) const;
  /// Like find(), but a missing node is a mismatch of `instance`.
  const profile::NodeRecord *require(const std::string &nodeId, llvm::StringRef instance, llvm::StringRef what);
  void mismatch(llvm::StringRef instance, const std::string &why);
  /// The 0-based position of an instance among its node's instances.
  unsigned ordinal(const std::string &nodeId, llvm::StringRef instance);
  /// How many times the nodes directly in `g` ran (the largest count), 0 if none is recorded.
  unsigned runs(const ir::Graph &g) const;
  /// A planner's recorded steps per allowed tool (template order).
  std::vector<std::pair<std::string, unsigned>> planTools(const ir::Node &steps) const;
  /// Seconds one step of the template for `tool` took, from the record.
  double stepSeconds(const ir::Node &steps, const std::string &tool) const;
  uint64_t key(llvm::StringRef what) const;

  const ReplayIndex &index;
  const profile::JobProfile &record;
  serving::ServingParams serving;
  uint64_t seed, job;
  std::map<std::string, std::vector<std::string>> seen;   // node -> instances in first-asked order
  std::set<std::string> mismatched;                        // instances
  std::vector<std::string> notes;
};

} // namespace llmflow::sim
