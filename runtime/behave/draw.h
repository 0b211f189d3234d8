// One simulated job's "draw": everything the simulated task model
// (engine/sim_model.h) and the job state machine (as its StructureOracle)
// ask about a job: LLM output and prompt lengths, tool latencies and
// failures, synthetic values, plans, branch arms and loop stops. Two
// implementations: behave::JobBehaviour draws from a behaviour model
// (behaviour.h); sim::ReplayJob replays one recorded profile (sim/replay.h).
// Plus the value synthesis both share.
#pragma once

#include "core/job.h"
#include "ir/ir.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <string>

namespace llmflow::behave {

class JobDraw : public rt::StructureOracle {
public:
  /// Output tokens of one LLM request (a planner's plan tokens come on top, tokensPerStep x steps).
  virtual unsigned outputTokens(const std::string &nodeId, const std::string &instance) = 0;
  /// Prompt tokens of one LLM request; `prompt` is the rendered request
  /// text in parts (system, prompt, ...), as if joined by spaces.
  virtual unsigned promptTokens(const std::string &nodeId, const std::string &instance,
                                llvm::ArrayRef<llvm::StringRef> prompt) = 0;
  /// Seconds one attempt of a tool takes (attempts count from 1).
  virtual double toolLatency(const std::string &nodeId, const std::string &instance, unsigned attempt) = 0;
  virtual bool toolFails(const std::string &nodeId, const std::string &instance, unsigned attempt) = 0;
  /// A value of the type, with `words` words in its main text.
  virtual llvm::json::Value synthesize(const ir::Type &t, const std::string &nodeId, const std::string &instance,
                                       unsigned words) = 0;
  /// The plan a planner's LLM node answers: {"steps": [...]}. `steps` is
  /// the planner's Dynamic node. Returns the plan and its size.
  virtual llvm::json::Value makePlan(const ir::Node &steps, const std::string &instance, unsigned *count) = 0;
  /// Output tokens a planner adds per step.
  virtual double tokensPerStep(const std::string &stepsId) const = 0;
};

/// Prompt tokens estimated from text: words x 1.3, at least 1. The parts
/// count as if joined by spaces (without copying them into one string).
unsigned promptTokensOf(llvm::ArrayRef<llvm::StringRef> prompt);

/// Keys a draw by what is drawn (the caller mixes in seed and job).
using KeyFn = llvm::function_ref<uint64_t(llvm::StringRef what)>;
/// The length of a list-typed value at `nodeId` (extended with ".field" and
/// "[]" as synthesis descends) in `instance`; `key` keys the value's content.
using ListLengthFn = llvm::function_ref<unsigned(const std::string &nodeId, const std::string &instance, uint64_t key)>;

/// A synthetic value of type `t` with about `words` words in its main text.
llvm::json::Value synthesizeValue(const ir::Module &m, const ir::Type &t, const std::string &nodeId,
                                  const std::string &instance, unsigned words, KeyFn key, ListLengthFn listLength);

/// One step of a plan: {"id": s, "tool": tool, "args": {...}, "after": [...]},
/// with synthetic values for the tool's (or application's) parameters
/// without defaults. `stepInstance` names the step ("INSTANCE/stepS").
using SynthesizeFn = llvm::function_ref<llvm::json::Value(const ir::Type &t, const std::string &nodeId,
                                                          const std::string &instance, unsigned words)>;
llvm::json::Object planStep(const ir::Module &m, const ir::Node &steps, unsigned s, const std::string &tool,
                            const std::string &stepInstance, std::vector<unsigned> after, SynthesizeFn synthesize);

} // namespace llmflow::behave
