#include "driver/driver.h"

#include "ir/ir_verify.h"
#include "lower/lower.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

namespace llmflow::driver {

std::string defaultStdlibDir(const char *argv0) {
  if (auto env = llvm::sys::Process::GetEnv("LLMFLOW_STDLIB"))
    return *env;
  // Relative to the binary, so an installed tree can move: PREFIX/bin/llmflow
  // reads PREFIX/share/llmflow/stdlib. The build tree mirrors this with a
  // link (build/tools/share/llmflow/stdlib, made by CMake).
  std::string exe = llvm::sys::fs::getMainExecutable(argv0 ? argv0 : "llmflow",
                                                     reinterpret_cast<void *>(&defaultStdlibDir));
  llvm::SmallString<256> p(llvm::sys::path::parent_path(llvm::sys::path::parent_path(exe)));
  llvm::sys::path::append(p, "share", "llmflow", "stdlib");
  return std::string(p);
}

Session::Session(support::DiagnosticConsumer &consumer, Options o)
    : opts(std::move(o)), engine(sm, consumer) {
  engine.setErrorLimit(opts.errorLimit);
  engine.setWarningsAsErrors(opts.warningsAsErrors);
  engine.setSuppressWarnings(opts.noWarnings);
}

LoadOptions Options::loadOptions() const {
  LoadOptions lo;
  lo.stdlibDir = stdlibDir;
  lo.parse = parse;
  return lo;
}

const ast::Program *Session::load(llvm::StringRef path) {
  prog = loadProgram(path, ctx, engine, opts.loadOptions(), &unreadable);
  return program();
}

const ast::Program *Session::loadSource(llvm::StringRef name, llvm::StringRef text) {
  prog = loadProgramFromText(name, text, ctx, engine, opts.loadOptions());
  return program();
}

const sema::CheckedProgram *Session::check() {
  assert(prog && "check() needs a loaded program");
  checked = sema::check(*prog, engine, opts.sema);
  return checked.get();
}

llvm::Expected<ir::Module> Session::lower() {
  assert(checked && "lower() needs a checked program");
  ir::Module m = lower::lower(*checked, sm);
  if (llvm::Error e = ir::verify(m))
    return llvm::joinErrors(llvm::createStringError(llvm::inconvertibleErrorCode(),
                                                    "internal compiler error: the lowered IR does not verify"),
                            std::move(e));
  return std::move(m);
}

} // namespace llmflow::driver
