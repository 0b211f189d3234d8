// Input features: what a job reveals about itself when it arrives, before
// any stage runs (docs/bn.md, "Inputs as evidence"). The lengths of its
// string inputs, the sizes of its list inputs and its declared options
// (bool, enum, non-negative numbers) become variables of the application's
// Bayesian network, so two jobs of one application are told apart from the
// start. Profiles record them and the scheduler is told them on arrival.
#pragma once

#include "ir/ir.h"

#include "llvm/Support/JSON.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace llmflow::rt {

/// The feature's variable name for an input: "#in/NAME".
std::string featureVariable(llvm::StringRef input);

/// Features of the inputs that have one, in declaration order:
///   string -> its length in bytes; list -> its number of items;
///   bool -> 0 or 1; enum -> the value's index in the declaration;
///   int / float -> the value, when finite and >= 0;
///   optional<T> -> as T when present.
/// Inputs of other types (records, json), missing or null inputs and values
/// of the wrong type have none. Names are the inputs' names.
std::vector<std::pair<std::string, double>> inputFeatures(const ir::Module &m, const ir::App &app,
                                                          const llvm::json::Object &inputs);

/// Features as stored in events and profiles: {"NAME": number, ...}, and
/// back (each a finite number >= 0, else an error naming it).
using FeatureMap = std::map<std::string, double>;
llvm::json::Value featuresToJSON(const FeatureMap &f);
llvm::Expected<FeatureMap> featuresFromJSON(const llvm::json::Value &v);

/// Whether an input of this type has a feature (for building variables).
bool hasFeature(const ir::Module &m, const ir::Type &t);
/// Whether the feature takes a few discrete values (bool, enum): the
/// network gives it one state per value rather than bins.
bool featureIsCategorical(const ir::Module &m, const ir::Type &t);

} // namespace llmflow::rt
