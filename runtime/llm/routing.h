// Routing: the endpoints that may serve a logical model, in preference order
// (ClientConfig::routes first, else every endpoint serving the model).
//
// Not for: load balancing or health tracking (not done yet: the order is fixed).
#pragma once

#include "llm/llm_client.h"

namespace llmflow::llm {

/// Indices into config.endpoints. Errors (NoEndpoint): no endpoint serves the
/// model, or a route names an unknown endpoint.
llvm::Expected<std::vector<size_t>> resolveRoute(const ClientConfig &config, llvm::StringRef model);

} // namespace llmflow::llm
