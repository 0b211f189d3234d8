// Shared by every fuzz target and by the replay driver (see fuzz_support.h).
#include "fuzz_support.h"

#include "bn/bn.h"
#include "driver/driver.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdlib>

namespace llmflow::fuzz {

const std::vector<Example> &examples() {
  static const std::vector<Example> all = [] {
    std::vector<Example> out;
    for (const char *name : {"codegen", "hugginggpt", "llmcompiler", "mapreduce", "rag", "react"}) {
      support::CollectingDiagnosticConsumer diags;
      driver::Options opts;
      opts.stdlibDir = LLMFLOW_SOURCE_DIR "/stdlib";
      driver::Session session(diags, opts);
      std::string dir = std::string(LLMFLOW_SOURCE_DIR "/examples/") + name;
      if (!session.load(dir + "/app.llmflow") || !session.check()) {
        llvm::errs() << "fuzz: examples/" << name << " does not compile\n";
        std::abort();
      }
      llvm::Expected<ir::Module> m = session.lower();
      if (!m) {
        llvm::errs() << "fuzz: examples/" << name << ": " << llvm::toString(m.takeError()) << "\n";
        std::abort();
      }
      out.push_back({name, dir, std::move(*m), nullptr});
    }
    for (Example &e : out)
      e.app = e.module.findApp(e.name);
    return out;
  }();
  return all;
}

namespace {
/// Removes the scratch files when the process exits normally.
struct ScratchFiles {
  std::vector<std::string> paths;
  ~ScratchFiles() {
    for (const std::string &p : paths)
      llvm::sys::fs::remove(p);
  }
};
} // namespace

std::string scratchFile(llvm::StringRef data, llvm::StringRef suffix) {
  static ScratchFiles made;
  llvm::SmallString<128> path;
  llvm::sys::path::system_temp_directory(true, path);
  llvm::sys::path::append(path, "llmflow-fuzz-" + std::to_string(llvm::sys::Process::getProcessId()) + suffix);
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    llvm::errs() << "fuzz: cannot write " << path << ": " << ec.message() << "\n";
    std::abort();
  }
  os << data;
  if (std::find(made.paths.begin(), made.paths.end(), path.str()) == made.paths.end())
    made.paths.push_back(std::string(path));
  return std::string(path);
}

void forEachNode(const ir::Graph &g, llvm::function_ref<void(const ir::Node &)> visit) {
  for (const ir::Node &n : g.nodes) {
    visit(n);
    if (n.dynamic)
      for (const ir::Graph &body : n.dynamic->bodies)
        forEachNode(body, visit);
  }
}

void exerciseNetwork(const bn::Network &n) {
  if (llvm::Error e = bn::verify(n))
    __builtin_trap(); // readers only return verified networks
  (void)bn::toBIF(n);
  (void)bn::toXMLBIF(n);
  (void)bn::toDOT(n);
  auto again = bn::fromJSON(bn::toJSON(n));
  if (!again)
    __builtin_trap(); // a verified network must survive its own format
  double cells = 1;
  for (const bn::Variable &v : n.vars)
    cells *= double(v.states.size());
  if (n.vars.empty() || cells > 1e5)
    return; // a clique can hold every variable: keep each input cheap
  bn::Inference inf(n);
  for (unsigned v = 0; v < n.vars.size(); ++v) {
    (void)inf.posterior(v);
    (void)inf.expected(v);
    (void)inf.interval(v);
  }
  inf.observe(0, 0);
  (void)inf.probabilityOfEvidence();
  std::vector<unsigned> ys;
  for (unsigned v = 1; v < n.vars.size(); ++v)
    ys.push_back(v);
  (void)inf.mutualInformation(0, ys);
}

} // namespace llmflow::fuzz
