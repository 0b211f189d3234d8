#include "lower/lower.h"

namespace llmflow::lower {

llvm::json::Value planSchema(const std::vector<PlanTool> &tools, unsigned maxSteps, const ir::Module &m) {
  // One variant per tool, so a server with guided decoding can only produce
  // steps whose arguments fit the chosen tool.
  llvm::json::Array variants;
  for (const PlanTool &t : tools) {
    llvm::json::Object props;
    llvm::json::Array required;
    for (const ir::Param &p : t.params) {
      props[p.name] = ir::jsonSchema(p.type, m);
      if (!p.defaultValue && p.type.kind != ir::Type::Kind::Optional)
        required.push_back(p.name);
    }
    llvm::json::Object args{{"type", "object"},
                            {"properties", std::move(props)},
                            {"required", std::move(required)},
                            {"additionalProperties", false}};
    variants.push_back(llvm::json::Object{
        {"type", "object"},
        {"properties",
         llvm::json::Object{
             {"id", llvm::json::Object{{"type", "integer"}, {"minimum", 1}}},
             {"tool", llvm::json::Object{{"type", "string"}, {"const", t.name}}},
             {"args", std::move(args)},
             {"after", llvm::json::Object{{"type", "array"}, {"items", llvm::json::Object{{"type", "integer"}}}}},
         }},
        {"required", llvm::json::Array{"id", "tool", "args"}},
        {"additionalProperties", false},
    });
  }
  return llvm::json::Object{
      {"type", "object"},
      {"properties",
       llvm::json::Object{{"steps", llvm::json::Object{{"type", "array"},
                                                       {"minItems", 1},
                                                       {"maxItems", int64_t(maxSteps)},
                                                       {"items", llvm::json::Object{{"anyOf", std::move(variants)}}}}}}},
      {"required", llvm::json::Array{"steps"}},
      {"additionalProperties", false},
  };
}

} // namespace llmflow::lower
