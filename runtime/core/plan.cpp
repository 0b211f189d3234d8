#include "core/plan.h"

#include "common/json_reader.h"

#include "llvm/ADT/StringExtras.h"

#include <map>
#include <set>

namespace llmflow::rt {
namespace {
llvm::Error fail(const llvm::Twine &msg) { return llvm::createStringError(llvm::inconvertibleErrorCode(), msg); }

const ir::Node *templateFor(const ir::DynamicPayload &d, llvm::StringRef tool) {
  for (const ir::Node &n : d.bodies.at(0).nodes)
    if (n.name == tool)
      return &n;
  return nullptr;
}
} // namespace

llvm::Error parsePlan(const Value &plan, const ir::DynamicPayload &d, const ir::Module &m,
                      std::vector<PlanStep> &steps) {
  Value parsed = nullptr;
  const Value *v = &plan;
  if (auto s = plan.getAsString()) {
    auto p = parseJSON(*s);
    if (!p)
      return fail("the plan is not JSON (" + llvm::toString(p.takeError()) + ")");
    parsed = std::move(*p);
    v = &parsed;
  }
  const llvm::json::Array *arr = nullptr;
  if (const llvm::json::Object *o = v->getAsObject())
    arr = o->getArray("steps");
  if (!arr)
    return fail("the plan must be an object with a 'steps' list");
  if (arr->empty())
    return fail("the plan has no steps");
  if (arr->size() > d.maxExpansion)
    return fail("the plan has " + llvm::Twine(arr->size()) + " steps; at most " + llvm::Twine(d.maxExpansion) +
                " are allowed");
  std::set<int64_t> seen;
  for (size_t k = 0; k < arr->size(); ++k) {
    std::string where = "step " + std::to_string(k + 1);
    const llvm::json::Object *so = (*arr)[k].getAsObject();
    if (!so)
      return fail(where + " is not an object");
    PlanStep st;
    auto id = so->getInteger("id");
    if (!id)
      return fail(where + " has no integer 'id'");
    st.id = *id;
    if (!seen.insert(st.id).second)
      return fail(where + ": id " + llvm::Twine(st.id) + " is used twice");
    auto tool = so->getString("tool");
    if (!tool)
      return fail(where + " has no 'tool'");
    st.tool = tool->str();
    if (std::find(d.allowedTools.begin(), d.allowedTools.end(), st.tool) == d.allowedTools.end())
      return fail(where + ": tool '" + st.tool + "' is not one of " + llvm::join(d.allowedTools, ", "));
    if (const llvm::json::Object *a = so->getObject("args"))
      st.args = *a;
    else if (so->get("args"))
      return fail(where + ": 'args' must be an object");
    if (const llvm::json::Array *after = so->getArray("after")) {
      for (const Value &x : *after) {
        auto dep = x.getAsInteger();
        if (!dep)
          return fail(where + ": 'after' must list step ids");
        if (!seen.count(*dep) || *dep == st.id)
          return fail(where + ": 'after' names step " + llvm::Twine(*dep) + ", which is not an earlier step");
        st.after.push_back(*dep);
      }
    }
    // Arguments against the tool's (or application's) parameters.
    const std::vector<ir::Param> *params = nullptr;
    if (const ir::ToolDef *t = m.findTool(st.tool))
      params = &t->params;
    else if (const ir::App *a = m.findApp(st.tool))
      params = &a->inputs;
    if (!params)
      return fail(where + ": '" + st.tool + "' is not defined");
    for (const auto &kv : st.args)
      if (std::none_of(params->begin(), params->end(), [&](const ir::Param &p) { return p.name == kv.first.str(); }))
        return fail(where + ": '" + st.tool + "' has no parameter '" + kv.first.str() + "'");
    for (const ir::Param &p : *params) {
      const Value *a = st.args.get(p.name);
      if (!a) {
        if (p.defaultValue || p.type.kind == ir::Type::Kind::Optional)
          continue;
        return fail(where + ": missing argument '" + p.name + "' for '" + st.tool + "'");
      }
      std::string why;
      if (!conforms(*a, p.type, m, &why))
        return fail(where + ": argument '" + p.name + "': " + why);
    }
    steps.push_back(std::move(st));
  }
  return llvm::Error::success();
}

std::vector<std::pair<std::string, int64_t>> stepsPerTemplate(const std::vector<PlanStep> &steps,
                                                              const ir::DynamicPayload &d) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const ir::Node &t : d.bodies.at(0).nodes)
    out.push_back({t.id, 0});
  for (const PlanStep &st : steps)
    if (const ir::Node *t = templateFor(d, st.tool))
      ++out[size_t(t - d.bodies.at(0).nodes.data())].second;
  return out;
}

std::unique_ptr<ir::Graph> buildPlanGraph(const std::vector<PlanStep> &steps, const ir::DynamicPayload &d,
                                          std::vector<std::shared_ptr<ir::DynamicPayload>> &payloads) {
  auto g = std::make_unique<ir::Graph>();
  std::map<int64_t, std::string> idOf;
  for (const PlanStep &st : steps) {
    const ir::Node *tmpl = templateFor(d, st.tool);
    assert(tmpl && "validated plan names an allowed tool");
    ir::Node n = *tmpl;
    n.id = tmpl->id + "#" + std::to_string(st.id);
    idOf[st.id] = n.id;
    n.deps.clear();
    for (int64_t a : st.after)
      n.deps.push_back(idOf[a]);
    auto literal = [](const Value &v) {
      ir::Expr e;
      e.literal = v;
      return e;
    };
    if (n.tool) {
      n.tool->args.clear();
      for (const auto &kv : st.args)
        n.tool->args.push_back({kv.first.str(), literal(kv.second)});
      std::sort(n.tool->args.begin(), n.tool->args.end(), [](auto &a, auto &b) { return a.first < b.first; });
    } else if (n.dynamic) {
      auto p = std::make_shared<ir::DynamicPayload>(*n.dynamic);
      p->args.clear();
      for (const auto &kv : st.args)
        p->args.push_back({kv.first.str(), literal(kv.second)});
      payloads.push_back(p);
      n.dynamic = p;
    }
    g->nodes.push_back(std::move(n));
  }
  return g;
}

} // namespace llmflow::rt
