// resolveRoute: model name -> endpoint indices.
#include "llm/routing.h"

#include <algorithm>

namespace llmflow::llm {

llvm::Expected<std::vector<size_t>> resolveRoute(const ClientConfig &config,
                                                 llvm::StringRef model) {
  std::vector<size_t> out;
  for (const auto &[routeModel, names] : config.routes) {
    if (routeModel != model)
      continue;
    for (const std::string &name : names) {
      auto it = std::find_if(config.endpoints.begin(), config.endpoints.end(),
                             [&](const Endpoint &e) { return e.name == name; });
      if (it == config.endpoints.end())
        return llvm::make_error<LLMError>(ErrorKind::NoEndpoint, "route of model '" + model.str() +
                                                                     "' names unknown endpoint '" +
                                                                     name + "'");
      out.push_back(static_cast<size_t>(it - config.endpoints.begin()));
    }
    if (out.empty())
      break;
    return out;
  }
  for (size_t i = 0; i < config.endpoints.size(); ++i) {
    const auto &models = config.endpoints[i].models;
    if (models.empty() || std::find(models.begin(), models.end(), model) != models.end())
      out.push_back(i);
  }
  if (out.empty())
    return llvm::make_error<LLMError>(ErrorKind::NoEndpoint,
                                      "no endpoint serves model '" + model.str() + "'");
  return out;
}

} // namespace llmflow::llm
