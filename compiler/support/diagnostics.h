// Diagnostics for mistakes in the user's program: located, clang-style,
// several per run. The table of every diagnostic is diagnostics.def.
// Environmental failures use llvm::Error instead; broken invariants assert.
#pragma once

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm { class raw_ostream; }

namespace llmflow::support {

enum class DiagID : unsigned {
#define DIAG(ID, SEV, MSG) ID,
#include "support/diagnostics.def"
#undef DIAG
  NumDiags
};

enum class Severity { Error, Warning, Note };

Severity severityOf(DiagID id);
/// The stable name shown in JSON output and used by tests, e.g. "err_syntax".
llvm::StringRef codeOf(DiagID id);
llvm::StringRef formatOf(DiagID id);

/// A suggested edit: replace `range` (empty: insert at its start) by `text`.
struct FixIt {
  llvm::SMRange range;
  std::string text;
};

/// Where a diagnostic is when it cannot point into a source buffer (a file
/// that could not be read, or whose bytes are not UTF-8 and must not be
/// echoed): the file, and the line and column when known.
struct FileLoc {
  std::string file;
  unsigned line = 0, column = 0;
};

struct Diagnostic {
  DiagID id;
  Severity severity;
  llvm::SMRange range;
  std::string message;
  std::vector<Diagnostic> notes;
  std::vector<FixIt> fixits;
  FileLoc fileLoc; // used only when `range` is invalid
};

/// Where finished diagnostics go (text with carets, JSON, or a test vector).
class DiagnosticConsumer {
public:
  virtual ~DiagnosticConsumer() = default;
  virtual void handle(const Diagnostic &d, const llvm::SourceMgr &sm) = 0;
  virtual void finish(const llvm::SourceMgr &sm) {}
};

class DiagnosticEngine;

/// Collects arguments and notes; emits when destroyed.
class DiagBuilder {
public:
  DiagBuilder(DiagnosticEngine *engine, Diagnostic d) : engine(engine), diag(std::move(d)) {}
  DiagBuilder(DiagBuilder &&o) noexcept : engine(o.engine), diag(std::move(o.diag)), args(std::move(o.args)) { o.engine = nullptr; }
  DiagBuilder(const DiagBuilder &) = delete;
  ~DiagBuilder();
  DiagBuilder &operator<<(llvm::StringRef s) { args.push_back(s.str()); return *this; }
  DiagBuilder &operator<<(const std::string &s) { args.push_back(s); return *this; }
  DiagBuilder &operator<<(const char *s) { args.push_back(s); return *this; }
  DiagBuilder &operator<<(long long v) { args.push_back(std::to_string(v)); return *this; }
  DiagBuilder &operator<<(unsigned v) { args.push_back(std::to_string(v)); return *this; }
  DiagBuilder &operator<<(int v) { args.push_back(std::to_string(v)); return *this; }
  DiagBuilder &operator<<(size_t v) { args.push_back(std::to_string(v)); return *this; }
  /// Attach a note; its arguments are given directly.
  DiagBuilder &note(DiagID id, llvm::SMRange range, std::vector<std::string> noteArgs = {});
  /// Attach a fix-it to the last note (to the diagnostic itself if it has none).
  DiagBuilder &fixit(llvm::SMRange range, std::string text);
  /// The "did you mean" note: when `best` is set, a note at `range` with a
  /// fix-it replacing it by `replacement` (by default `*best` itself).
  DiagBuilder &suggest(llvm::SMRange range, const std::optional<std::string> &best,
                       std::optional<std::string> replacement = std::nullopt);

private:
  DiagnosticEngine *engine;
  Diagnostic diag;
  std::vector<std::string> args;
};

std::string formatMessage(llvm::StringRef fmt, const std::vector<std::string> &args);

class DiagnosticEngine {
public:
  DiagnosticEngine(llvm::SourceMgr &sm, DiagnosticConsumer &consumer) : sm(sm), consumer(consumer) {}

  DiagBuilder report(DiagID id, llvm::SMRange range);
  DiagBuilder report(DiagID id, llvm::SMLoc loc) { return report(id, llvm::SMRange(loc, loc)); }
  /// A diagnostic about a file as a whole (no source buffer to point into).
  DiagBuilder report(DiagID id, FileLoc where);

  unsigned errorCount() const { return errors; }
  unsigned warningCount() const { return warnings; }
  bool hasErrors() const { return errors > 0; }
  /// After this many errors further errors are dropped (0 = no limit).
  void setErrorLimit(unsigned n) { errorLimit = n; }
  bool errorLimitReached() const { return errorLimit && errors >= errorLimit; }
  void setWarningsAsErrors(bool b) { warningsAsErrors = b; }
  void setSuppressWarnings(bool b) { suppressWarnings = b; }
  llvm::SourceMgr &sourceMgr() { return sm; }
  void finish();

  /// While held, diagnostics are kept back, not emitted (nor counted): the
  /// parser builds a file's AST during a fast pass that it may abandon for a
  /// slower one, and only a pass it keeps may report what building found.
  void hold() { holding = true; }
  /// Ends holding; emits what was kept back, in order, or drops it.
  void releaseHeld(bool emitThem);

private:
  friend class DiagBuilder;
  void emit(Diagnostic d);

  bool holding = false;
  std::vector<Diagnostic> held;

  llvm::SourceMgr &sm;
  DiagnosticConsumer &consumer;
  unsigned errors = 0, warnings = 0, errorLimit = 20;
  bool warningsAsErrors = false, suppressWarnings = false, limitAnnounced = false;
};

/// clang-style text: file:line:col: error: message, the source line, a caret.
class TextDiagnosticConsumer : public DiagnosticConsumer {
public:
  TextDiagnosticConsumer(llvm::raw_ostream &os, bool colors) : os(os), colors(colors) {}
  void handle(const Diagnostic &d, const llvm::SourceMgr &sm) override;
private:
  llvm::raw_ostream &os;
  bool colors;
};

/// A JSON array of diagnostics, written at finish().
class JSONDiagnosticConsumer : public DiagnosticConsumer {
public:
  explicit JSONDiagnosticConsumer(llvm::raw_ostream &os) : os(os) {}
  void handle(const Diagnostic &d, const llvm::SourceMgr &sm) override;
  void finish(const llvm::SourceMgr &sm) override;
private:
  llvm::raw_ostream &os;
  std::vector<std::string> items;
};

/// Keeps diagnostics in memory, for tests and the library API.
class CollectingDiagnosticConsumer : public DiagnosticConsumer {
public:
  void handle(const Diagnostic &d, const llvm::SourceMgr &) override { diags.push_back(d); }
  std::vector<Diagnostic> diags;
};

} // namespace llmflow::support
