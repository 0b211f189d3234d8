#include "decima/policy.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <functional>

namespace llmflow::decima {

NodeMeans Policy::means() const {
  NodeMeans m;
  m.scale = scale > 0 ? scale : 1;
  for (const auto &[app, nodes] : apps)
    for (const auto &[id, s] : nodes)
      m.seconds[id] = s;
  return m;
}

namespace {

using Visit = std::function<void(const ir::Node &)>;

void walkGraph(const ir::Module &m, const ir::Graph &g, llvm::StringSet<> &apps, const Visit &visit);

/// Visits every node inside a Dynamic node: its templates and, for a call,
/// the called application (each application once per walk).
void walkInside(const ir::Module &m, const ir::Node &n, llvm::StringSet<> &apps, const Visit &visit) {
  for (const ir::Graph &b : n.dynamic->bodies)
    walkGraph(m, b, apps, visit);
  if (n.dynamic->kind == ir::DynamicKind::Call)
    if (const ir::App *callee = m.findApp(n.dynamic->callee); callee && apps.insert(callee->name).second)
      walkGraph(m, callee->graph, apps, visit);
}

void walkGraph(const ir::Module &m, const ir::Graph &g, llvm::StringSet<> &apps, const Visit &visit) {
  for (const ir::Node &n : g.nodes) {
    visit(n);
    if (n.dynamic)
      walkInside(m, n, apps, visit);
  }
}

llvm::Error bad(llvm::StringRef path, const llvm::Twine &why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s: %s", path.str().c_str(), why.str().c_str());
}

} // namespace

std::vector<std::string> reachableNodes(const ir::Module &m, const ir::App &app) {
  std::vector<std::string> out;
  llvm::StringSet<> apps;
  apps.insert(app.name);
  walkGraph(m, app.graph, apps, [&](const ir::Node &n) { out.push_back(n.id); });
  return out;
}

void learnMeans(Policy &policy, const std::vector<std::pair<const ir::Module *, const ir::App *>> &apps,
                const std::vector<profile::JobProfile> &profiles) {
  struct Acc {
    double seconds = 0;
    unsigned count = 0, jobs = 0;
  };
  std::map<std::string, std::map<std::string, Acc>> acc; // app -> node -> sums over jobs
  for (const profile::JobProfile &p : profiles) {
    if (p.status != "ok")
      continue;
    for (const auto &[id, r] : p.nodes) {
      Acc &a = acc[p.app][id];
      a.seconds += r.duration;
      a.count += r.count;
      ++a.jobs;
    }
  }
  policy.apps.clear();
  double sum = 0;
  unsigned tasks = 0;
  for (const auto &entry : apps) {
    // Not a structured binding: C++17 (the clang build) cannot capture one in a lambda.
    auto m = entry.first;
    auto app = entry.second;
    std::map<std::string, double> &out = policy.apps[app->name];
    const std::map<std::string, Acc> &a = acc[app->name];
    auto stat = [&](const std::string &id) { auto it = a.find(id); return it == a.end() ? Acc() : it->second; };
    llvm::StringSet<> seen;
    seen.insert(app->name);
    walkGraph(*m, app->graph, seen, [&](const ir::Node &node) {
      Acc own = stat(node.id);
      if (node.kind != ir::NodeKind::Dynamic) {
        // A task: seconds per instance.
        out[node.id] = own.count ? own.seconds / own.count : 0;
        sum += out[node.id];
        tasks += own.count > 0;
        return;
      }
      // A Dynamic node: the work of the tasks inside it, per job in which it ran.
      double work = 0;
      llvm::StringSet<> callees;
      callees.insert(app->name);
      walkInside(*m, node, callees, [&](const ir::Node &inner) {
        if (inner.kind != ir::NodeKind::Dynamic)
          work += stat(inner.id).seconds;
      });
      out[node.id] = own.jobs ? work / own.jobs : 0;
    });
  }
  policy.scale = tasks && sum > 0 ? sum / tasks : 1;
}

llvm::Error checkPolicy(const Policy &policy, const ir::Module &m, const ir::App &app) {
  auto it = policy.apps.find(app.name);
  if (it == policy.apps.end()) {
    std::string known;
    for (const auto &[name, nodes] : policy.apps)
      known += (known.empty() ? "" : ", ") + name;
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the policy was trained for the applications %s (workload '%s'), not for '%s'",
                                   known.c_str(), policy.workload.c_str(), app.name.c_str());
  }
  std::vector<std::string> ids = reachableNodes(m, app);
  for (const std::string &id : ids)
    if (!it->second.count(id))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "the policy was trained on another version of '%s': it does not know node '%s'",
                                     app.name.c_str(), id.c_str());
  if (ids.size() != it->second.size())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the policy was trained on another version of '%s': it knows %zu nodes, the "
                                   "application has %zu",
                                   app.name.c_str(), it->second.size(), ids.size());
  return llvm::Error::success();
}

std::string toJSON(Policy &policy) {
  // Written by hand so numbers keep 6 significant digits (llvm::json
  // prints 17): the file stays small and reads back to the same values.
  auto str = [](llvm::StringRef s) { return llvm::formatv("{0}", llvm::json::Value(s)).str(); };
  auto num = [](double x) {
    char buf[32];
    snprintf(buf, sizeof buf, "%.6g", x);
    return std::string(buf);
  };
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "{\n \"format\": \"llmflow-decima-policy\",\n \"version\": " << kPolicyVersion << ",\n \"workload\": "
     << str(policy.workload) << ",\n \"seed\": " << policy.seed << ",\n \"episodes\": " << policy.episodes
     << ",\n \"scale\": " << num(policy.scale) << ",\n \"apps\": {";
  const char *sep = "\n";
  for (const auto &[name, nodes] : policy.apps) {
    os << sep << "  " << str(name) << ": {";
    const char *inner = "\n";
    for (const auto &[id, s] : nodes) {
      os << inner << "   " << str(id) << ": " << num(s);
      inner = ",\n";
    }
    os << "\n  }";
    sep = ",\n";
  }
  os << "\n },\n \"weights\": {";
  sep = "\n";
  for (Param *p : policy.net.params()) {
    os << sep << "  " << str(p->name) << ": {\"shape\": [" << p->value.rows() << ", " << p->value.cols()
       << "], \"values\": [";
    for (Eigen::Index i = 0; i < p->value.size(); ++i)
      os << (i ? ", " : "") << num(p->value.data()[i]);
    os << "]}";
    sep = ",\n";
  }
  os << "\n }\n}\n";
  return os.str();
}

llvm::Error writePolicy(llvm::StringRef path, Policy &policy) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return llvm::createStringError(ec, "cannot write '%s': %s", path.str().c_str(), ec.message().c_str());
  os << toJSON(policy);
  return llvm::Error::success();
}

llvm::Expected<Policy> readPolicy(llvm::StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf)
    return bad(path, "cannot read: " + buf.getError().message());
  auto doc = llvm::json::parse((*buf)->getBuffer());
  if (!doc)
    return bad(path, "not a policy file: " + llvm::toString(doc.takeError()));
  const llvm::json::Object *o = doc->getAsObject();
  if (!o || o->getString("format") != llvm::StringRef("llmflow-decima-policy"))
    return bad(path, "not a policy file (no \"format\": \"llmflow-decima-policy\"); train one with 'llmflow decima train'");
  int64_t version = o->getInteger("version").getValueOr(0);
  if (version != kPolicyVersion)
    return bad(path, "policy version " + std::to_string(version) + " (expected " + std::to_string(kPolicyVersion) + ")");
  Policy p;
  if (auto w = o->getString("workload"))
    p.workload = w->str();
  p.seed = uint64_t(o->getInteger("seed").getValueOr(0));
  p.episodes = unsigned(o->getInteger("episodes").getValueOr(0));
  auto scale = o->getNumber("scale");
  if (!scale || !std::isfinite(*scale) || *scale <= 0)
    return bad(path, "\"scale\" must be a positive number");
  p.scale = *scale;
  const llvm::json::Object *apps = o->getObject("apps");
  if (!apps || apps->empty())
    return bad(path, "\"apps\" must name the applications it was trained for");
  for (const auto &[name, nodes] : *apps) {
    const llvm::json::Object *n = nodes.getAsObject();
    if (!n)
      return bad(path, "apps." + name.str() + " must be an object of node means");
    for (const auto &[id, v] : *n) {
      auto s = v.getAsNumber();
      if (!s || !std::isfinite(*s) || *s < 0)
        return bad(path, "apps." + name.str() + "." + id.str() + " must be a number >= 0");
      p.apps[name.str()][id.str()] = *s;
    }
  }
  const llvm::json::Object *weights = o->getObject("weights");
  if (!weights)
    return bad(path, "no \"weights\"");
  for (Param *param : p.net.params()) {
    const llvm::json::Object *w = weights->getObject(param->name);
    const llvm::json::Array *shape = w ? w->getArray("shape") : nullptr;
    const llvm::json::Array *values = w ? w->getArray("values") : nullptr;
    if (!shape || !values || shape->size() != 2 || (*shape)[0].getAsInteger() != param->value.rows() ||
        (*shape)[1].getAsInteger() != param->value.cols() || values->size() != size_t(param->value.size()))
      return bad(path, "weights '" + param->name + "' missing or not " + std::to_string(param->value.rows()) + "x" +
                           std::to_string(param->value.cols()));
    for (size_t i = 0; i < values->size(); ++i) {
      auto x = (*values)[i].getAsNumber();
      if (!x || !std::isfinite(*x))
        return bad(path, "weights '" + param->name + "' has a value that is not a finite number");
      param->value.data()[i] = *x;
    }
  }
  if (weights->size() != p.net.params().size())
    return bad(path, "\"weights\" has " + std::to_string(weights->size()) + " entries, expected " +
                         std::to_string(p.net.params().size()));
  return p;
}

} // namespace llmflow::decima
