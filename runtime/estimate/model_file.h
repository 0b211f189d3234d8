// The file `llmflow bn train` writes (APP.bn.json): the trained network plus
// per-node means that estimates need (LLM calls and tokens per job).
#pragma once

#include "bn/bn.h"
#include "profile/profile.h"

#include <map>

namespace llmflow::estimate {

struct NodeMeans {
  double calls = 0;        // instances per job (0 when the node did not run)
  double tokensIn = 0, tokensOut = 0;
  bool llm = false;
};

struct ModelFile {
  bn::Network net;
  std::map<std::string, NodeMeans> nodes;
  double heldOutLL = 0, independentLL = 0;   // per row, natural log; 0 if no hold-out
  unsigned heldOutRows = 0;
};

std::map<std::string, NodeMeans> nodeMeans(const std::vector<profile::JobProfile> &profiles);
llvm::json::Value toJSON(const ModelFile &f);
llvm::Expected<ModelFile> readModelFile(llvm::StringRef path);

} // namespace llmflow::estimate
