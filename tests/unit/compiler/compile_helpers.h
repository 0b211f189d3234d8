// Test helpers: compile a program held in a string through the real
// pipeline (files on disk, the real stdlib) and keep its diagnostics.
#pragma once

#include "driver/driver.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>

namespace llmflow::test {

struct Compiled {
  support::CollectingDiagnosticConsumer diags;
  std::unique_ptr<driver::Session> session;
  std::optional<ir::Module> module;
  const sema::CheckedProgram *checked = nullptr;

  bool has(support::DiagID id) const {
    for (const auto &d : diags.diags)
      if (d.id == id)
        return true;
    return false;
  }
  size_t count(support::Severity s) const {
    size_t n = 0;
    for (const auto &d : diags.diags)
      n += d.severity == s;
    return n;
  }
  std::string messages() const {
    std::string s;
    for (const auto &d : diags.diags)
      s += d.message + "\n";
    return s;
  }
};

inline std::string writeTemp(const std::string &text, const std::string &name = "t") {
  llvm::SmallString<128> path;
  int fd = -1;
  auto ec = llvm::sys::fs::createTemporaryFile(name, "llmflow", fd, path);
  REQUIRE(!ec);
  llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
  os << text;
  return std::string(path);
}

inline std::unique_ptr<Compiled> compile(const std::string &text) {
  auto c = std::make_unique<Compiled>();
  driver::Options opts;
  opts.stdlibDir = LLMFLOW_SOURCE_DIR "/stdlib";
  opts.errorLimit = 0;
  c->session = std::make_unique<driver::Session>(c->diags, opts);
  if (c->session->loadSource("test.llmflow", text) && (c->checked = c->session->check())) {
    auto m = c->session->lower();
    REQUIRE_MESSAGE(bool(m), (m ? std::string() : llvm::toString(m.takeError())));
    c->module = std::move(*m);
  }
  return c;
}

inline const ir::Node *findNode(const ir::Module &m, llvm::StringRef id) {
  const ir::Node *found = nullptr;
  for (const ir::App &a : m.apps)
    ir::forEachNode(a.graph, [&](const ir::Node &n) {
      if (n.id == id)
        found = &n;
    });
  return found;
}

} // namespace llmflow::test
