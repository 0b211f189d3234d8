#include "testing/stage_ref.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

namespace llmflow::testing {

namespace {
llvm::Error fail(const llvm::Twine &m) { return llvm::createStringError(llvm::inconvertibleErrorCode(), m); }

/// Node ids matching `name` exactly or as the last part(s) of the id.
std::vector<std::string> resolve(llvm::StringRef name, const ir::Module &m) {
  std::vector<std::string> exact, suffix;
  for (const ir::Node *n : taskNodes(m)) {
    llvm::StringRef id(n->id);
    if (id == name)
      exact.push_back(n->id);
    else if (id.endswith(("/" + name).str()))
      suffix.push_back(n->id);
  }
  return exact.empty() ? suffix : exact;
}
} // namespace

std::vector<const ir::Node *> taskNodes(const ir::Module &m) {
  std::vector<const ir::Node *> out;
  for (const ir::App &a : m.apps)
    ir::forEachNode(a.graph, [&](const ir::Node &n) {
      if (n.kind == ir::NodeKind::LLM || n.kind == ir::NodeKind::Regular)
        out.push_back(&n);
    });
  return out;
}

llvm::Expected<StageRef> parseStageRef(llvm::StringRef text, const ir::Module &m, bool allowPath) {
  // Stage ids may hold dots ("plan.steps/search"): take the longest prefix of
  // dot-separated parts that names a stage; the rest is the path.
  llvm::SmallVector<llvm::StringRef, 8> parts;
  text.split(parts, '.');
  for (size_t k = parts.size(); k >= 1; --k) {
    std::string head = llvm::join(parts.begin(), parts.begin() + k, ".");
    llvm::StringRef name(head), callText;
    if (size_t hash = name.find('#'); hash != llvm::StringRef::npos) {
      callText = name.substr(hash + 1);
      name = name.take_front(hash);
      if (callText.empty() || !llvm::all_of(callText, llvm::isDigit))
        continue; // "fix#2.code": the call ends at the dot; try a shorter prefix
    }
    std::vector<std::string> ids = resolve(name, m);
    if (ids.empty())
      continue;
    if (ids.size() > 1)
      return fail("'" + name + "' names several stages: " + llvm::join(ids, ", ") + " (write one of these ids)");
    StageRef r;
    r.nodeId = ids[0];
    r.text = text.str();
    if (!callText.empty() && (callText.getAsInteger(10, r.call) || r.call == 0))
      return fail("'" + text + "': calls are numbered from 1");
    for (size_t i = k; i < parts.size(); ++i)
      r.path.push_back(parts[i].str());
    if (!r.path.empty() && !allowPath)
      return fail("'" + text + "': a reply names a stage, not a path into its value");
    return r;
  }
  std::string known;
  for (const ir::Node *n : taskNodes(m))
    known += (known.empty() ? "" : ", ") + n->id;
  return fail("no stage '" + text + "' (stages: " + known + ")");
}

} // namespace llmflow::testing
