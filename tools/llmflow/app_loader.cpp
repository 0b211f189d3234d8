#include "app_loader.h"

#include "behave/behaviour.h"
#include "flags.h"

#include "common/json_reader.h"
#include "core/job.h"
#include "core/jsonl.h"
#include "driver/driver.h"
#include "engine/sim_model.h"
#include "ir/ir_json.h"
#include "ir/ir_verify.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace llmflow::cli {

std::vector<const ir::App *> LoadedApp::apps() const {
  if (app)
    return {app};
  std::vector<const ir::App *> all;
  for (const ir::App &a : module.apps)
    all.push_back(&a);
  return all;
}

std::optional<LoadedApp> loadApplication(const Args &args, const std::string &path, int *exitCode, bool everyApp) {
  LoadedApp out;
  std::string program = programFile(path);
  if (std::string why = unreadableReason(program); !why.empty()) {
    llvm::errs() << "llmflow: cannot read '" << program << "': " << why << "\n";
    *exitCode = kEnvironment;
    return std::nullopt;
  }
  if (llvm::sys::fs::is_directory(path)) {
    out.dir = path;
  } else {
    out.dir = std::string(llvm::sys::path::parent_path(path));
    if (out.dir.empty())
      out.dir = ".";
  }
  auto sibling = [&](const char *name) {
    llvm::SmallString<256> p(out.dir);
    llvm::sys::path::append(p, name);
    return llvm::sys::fs::exists(p) ? std::string(p) : std::string();
  };
  out.behaviourPath = args.has("behaviour") ? args.get("behaviour") : sibling("behaviour.toml");
  out.inputsPath = sibling("inputs.jsonl");

  if (llvm::StringRef(program).endswith(".json")) {
    auto m = ir::readJSONFile(program);
    if (!m) {
      llvm::errs() << "llmflow: " << program << ": " << llvm::toString(m.takeError()) << "\n";
      *exitCode = kEnvironment;
      return std::nullopt;
    }
    if (llvm::Error e = ir::verify(*m)) {
      llvm::errs() << "llmflow: " << program << ": invalid IR:\n" << llvm::toString(std::move(e)) << "\n";
      *exitCode = kEnvironment;
      return std::nullopt;
    }
    out.module = std::move(*m);
  } else {
    driver::Options opts;
    bool ok = true;
    auto consumer = makeConsumer(args, &ok);
    if (!ok || !driverOptions(args, opts)) {
      *exitCode = kUsage;
      return std::nullopt;
    }
    opts.noWarnings = true; // `llmflow check` is where warnings belong
    driver::Session session(*consumer, opts);
    if (!session.load(program) || !session.check()) {
      consumer->finish(session.sourceMgr());
      *exitCode = kErrors;
      return std::nullopt;
    }
    auto m = session.lower();
    consumer->finish(session.sourceMgr());
    if (!m) {
      llvm::errs() << "llmflow: " << llvm::toString(m.takeError()) << "\n";
      *exitCode = kEnvironment;
      return std::nullopt;
    }
    out.module = std::move(*m);
  }
  // Which application: --app, else the one named like the folder or file,
  // else the only one no other application calls.
  std::string want = args.get("app");
  if (want.empty() && everyApp)
    return out;
  if (want.empty()) {
    std::string stem = llvm::sys::fs::is_directory(path) ? std::string(llvm::sys::path::filename(
                                                                llvm::StringRef(path).rtrim('/')))
                                                          : std::string(llvm::sys::path::stem(path));
    if (out.module.findApp(stem))
      want = stem;
  }
  if (want.empty()) {
    std::vector<std::string> roots;
    for (const ir::App &a : out.module.apps) {
      bool called = false;
      for (const ir::App &b : out.module.apps)
        ir::forEachNode(b.graph, [&](const ir::Node &n) {
          if (n.dynamic && (n.dynamic->callee == a.name ||
                            std::count(n.dynamic->allowedTools.begin(), n.dynamic->allowedTools.end(), a.name)))
            called = true;
        });
      if (!called && a.name.find('.') == std::string::npos)
        roots.push_back(a.name);
    }
    if (roots.size() == 1)
      want = roots[0];
    else {
      llvm::errs() << "llmflow: the module has several applications; choose one with --app:";
      for (const ir::App &a : out.module.apps)
        llvm::errs() << " " << a.name;
      llvm::errs() << "\n";
      *exitCode = kUsage;
      return std::nullopt;
    }
  }
  out.app = out.module.findApp(want);
  if (!out.app) {
    llvm::errs() << "llmflow: no application '" << want << "' in " << program << "\n";
    *exitCode = kUsage;
    return std::nullopt;
  }
  return out;
}

bool readInputLines(const std::string &path, const LoadedApp &app, std::vector<llvm::json::Object> &out) {
  auto lines = rt::readJSONLines(path);
  if (!lines) {
    llvm::errs() << "llmflow: " << llvm::toString(lines.takeError()) << "\n";
    return false;
  }
  for (auto &[line, v] : *lines) {
    const llvm::json::Object *o = v.getAsObject();
    if (!o) {
      llvm::errs() << "llmflow: " << path << ":" << line << ": expected a JSON object of inputs\n";
      return false;
    }
    llvm::json::Object inputs = *o;
    if (llvm::Error e = rt::checkInputs(app.module, *app.app, inputs)) {
      llvm::errs() << "llmflow: " << path << ":" << line << ": " << llvm::toString(std::move(e)) << "\n";
      return false;
    }
    out.push_back(std::move(inputs));
  }
  if (out.empty()) {
    llvm::errs() << "llmflow: " << path << " holds no jobs\n";
    return false;
  }
  return true;
}

int readJobInputs(const Args &args, const LoadedApp &app, llvm::StringRef command,
                  std::vector<llvm::json::Object> &lines, unsigned &jobs) {
  std::string path = args.has("inputs") ? args.get("inputs") : app.inputsPath;
  if (path.empty()) {
    llvm::errs() << "llmflow " << command << ": no --inputs FILE.jsonl given and no inputs.jsonl next to the program\n";
    return kUsage;
  }
  if (!readInputLines(path, app, lines))
    return kEnvironment;
  jobs = unsigned(lines.size());
  return numberFlag(args, "jobs", kJobsSpec, jobs) ? kOk : kUsage;
}

bool parseInputAssignment(const ir::App &app, llvm::StringRef assignment, llvm::json::Object &out,
                          std::string &error) {
  auto [name, value] = assignment.split('=');
  if (!assignment.contains('=') || name.empty()) {
    error = "--input expects NAME=VALUE, got '" + assignment.str() + "'";
    return false;
  }
  const ir::Param *param = nullptr;
  for (const ir::Param &p : app.inputs)
    if (p.name == name)
      param = &p;
  if (!param) {
    error = "application '" + app.name + "' has no input '" + name.str() + "' (inputs:";
    for (const ir::Param &p : app.inputs)
      error += " " + p.name + ": " + p.type.str();
    error += ")";
    return false;
  }
  if (param->type.kind == ir::Type::Kind::String) {
    out[name] = value.str();
    return true;
  }
  auto v = parseJSON(value);
  if (!v) {
    std::string why = llvm::toString(v.takeError());
    // Text that starts like JSON but is not (or is over the limits) is a
    // mistake, not a string.
    bool looksLikeJSON = llvm::StringRef("[{\"").contains(value.ltrim().take_front(1));
    if (!looksLikeJSON &&
        (param->type.kind == ir::Type::Kind::Json || param->type.kind == ir::Type::Kind::Enum)) {
      out[name] = value.str();
      return true;
    }
    error = "input '" + name.str() + "' expects " + param->type.str() + ", got '" + value.take_front(80).str() +
            (value.size() > 80 ? "...' (" : "' (") + why + ")";
    return false;
  }
  out[name] = std::move(*v);
  return true;
}

} // namespace llmflow::cli

namespace llmflow::cli {

SimParts::SimParts() = default;
SimParts::SimParts(SimParts &&) = default;
SimParts::~SimParts() = default;

bool loadSimParts(const LoadedApp &app, exec::BuiltinContext bctx, SimParts &out) {
  if (!app.behaviourPath.empty()) {
    auto m = app.app ? behave::BehaviourModel::load(app.behaviourPath, app.module, *app.app)
                     : behave::BehaviourModel::loadProgram(app.behaviourPath, app.module);
    if (!m) {
      llvm::errs() << "llmflow: " << llvm::toString(m.takeError()) << "\n";
      return false;
    }
    out.behaviour = std::make_unique<behave::BehaviourModel>(std::move(*m));
  } else {
    out.behaviour = std::make_unique<behave::BehaviourModel>(
        behave::BehaviourModel::defaults(app.app ? llvm::StringRef(app.app->name) : ""));
  }
  if (bctx.dataDir.empty())
    bctx.dataDir = app.dir;
  out.model = std::make_unique<engine::SimTaskModel>(app.module, bctx);
  return true;
}

} // namespace llmflow::cli
