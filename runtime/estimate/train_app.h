// Training an application's network from profiles, ready for estimates:
// the variables from its IR (with the edges the program implies as seeds),
// the dataset, the trained network and its edgeless counterpart (the
// llmsched-nobn ablation). Shared by `llmflow bn train` and the simulator.
#pragma once

#include "estimate/bn_estimator.h"

namespace llmflow::estimate {

struct TrainedApp {
  std::unique_ptr<AppBN> network;       // the trained network
  std::unique_ptr<AppBN> independent;   // same variables and bins, no edges
  bn::Dataset data;
};

llvm::Expected<TrainedApp> trainApp(const ir::Module &m, const ir::App &app,
                                    const std::vector<profile::JobProfile> &profiles, const bn::TrainOptions &opts);

/// An estimator-ready network from a trained one (a file), with its
/// edgeless counterpart made from the network's own marginals.
llvm::Expected<TrainedApp> loadApp(const ir::Module &m, const ir::App &app, bn::Network net);

/// How many training rows each variable's table rests on: per variable,
/// the number of parent configurations and the fewest and median rows over
/// them (`bn train` prints it, so a user sees which tables are thin).
struct TableSupport {
  std::string variable;
  size_t configurations = 0, fewest = 0, median = 0;
};
std::vector<TableSupport> tableSupport(const bn::Network &n, const bn::Dataset &data);

} // namespace llmflow::estimate
