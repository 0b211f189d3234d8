#include "lower/lower.h"

namespace llmflow::lower {

llvm::json::Value planSchema(const std::vector<std::string> &tools, unsigned maxSteps) {
  llvm::json::Array toolNames;
  for (const std::string &t : tools)
    toolNames.push_back(t);
  llvm::json::Object step{
      {"type", "object"},
      {"properties",
       llvm::json::Object{
           {"id", llvm::json::Object{{"type", "integer"}, {"minimum", 1}}},
           {"tool", llvm::json::Object{{"type", "string"}, {"enum", std::move(toolNames)}}},
           {"args", llvm::json::Object{{"type", "object"}}},
           {"after", llvm::json::Object{{"type", "array"}, {"items", llvm::json::Object{{"type", "integer"}}}}},
       }},
      {"required", llvm::json::Array{"id", "tool", "args"}},
      {"additionalProperties", false},
  };
  return llvm::json::Object{
      {"type", "object"},
      {"properties",
       llvm::json::Object{{"steps", llvm::json::Object{{"type", "array"},
                                                       {"minItems", 1},
                                                       {"maxItems", int64_t(maxSteps)},
                                                       {"items", std::move(step)}}}}},
      {"required", llvm::json::Array{"steps"}},
      {"additionalProperties", false},
  };
}

} // namespace llmflow::lower
