#include "support/diagnostics.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <cctype>

namespace llmflow::support {
namespace {

struct DiagInfo {
  const char *name;
  Severity severity;
  const char *format;
};

constexpr DiagInfo kDiags[] = {
#define DIAG(ID, SEV, MSG) {#ID, Severity::SEV, MSG},
#include "support/diagnostics.def"
#undef DIAG
};

// "ErrUndefinedName" -> "err_undefined_name": computed once for all ids.
const std::array<std::string, size_t(DiagID::NumDiags)> &codes() {
  static const auto table = [] {
    std::array<std::string, size_t(DiagID::NumDiags)> t;
    for (size_t i = 0; i < t.size(); ++i) {
      std::string out;
      for (const char *p = kDiags[i].name; *p; ++p) {
        if (std::isupper(static_cast<unsigned char>(*p)) && !out.empty())
          out += '_';
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(*p)));
      }
      t[i] = std::move(out);
    }
    return t;
  }();
  return table;
}

llvm::SourceMgr::DiagKind toKind(Severity s) {
  switch (s) {
  case Severity::Error: return llvm::SourceMgr::DK_Error;
  case Severity::Warning: return llvm::SourceMgr::DK_Warning;
  case Severity::Note: return llvm::SourceMgr::DK_Note;
  }
  llvm_unreachable("bad severity");
}

llvm::StringRef severityName(Severity s) {
  switch (s) {
  case Severity::Error: return "error";
  case Severity::Warning: return "warning";
  case Severity::Note: return "note";
  }
  llvm_unreachable("bad severity");
}

} // namespace

Severity severityOf(DiagID id) { return kDiags[size_t(id)].severity; }
llvm::StringRef codeOf(DiagID id) { return codes()[size_t(id)]; }
llvm::StringRef formatOf(DiagID id) { return kDiags[size_t(id)].format; }

std::string formatMessage(llvm::StringRef fmt, const std::vector<std::string> &args) {
  std::string out;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] == '%' && i + 1 < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i + 1]))) {
      size_t n = size_t(fmt[i + 1] - '0');
      assert(n < args.size() && "diagnostic is missing an argument");
      if (n < args.size())
        out += args[n];
      ++i;
    } else {
      out += fmt[i];
    }
  }
  return out;
}

DiagBuilder &DiagBuilder::note(DiagID id, llvm::SMRange range, std::vector<std::string> noteArgs) {
  assert(severityOf(id) == Severity::Note);
  diag.notes.push_back(Diagnostic{id, Severity::Note, range, formatMessage(formatOf(id), noteArgs), {}, {}, {}});
  return *this;
}

DiagBuilder &DiagBuilder::fixit(llvm::SMRange range, std::string text) {
  Diagnostic &target = diag.notes.empty() ? diag : diag.notes.back();
  target.fixits.push_back(FixIt{range, std::move(text)});
  return *this;
}

DiagBuilder &DiagBuilder::suggest(llvm::SMRange range, const std::optional<std::string> &best,
                                  std::optional<std::string> replacement) {
  if (best)
    note(DiagID::NoteDidYouMean, range, {*best}).fixit(range, replacement ? *replacement : *best);
  return *this;
}

DiagBuilder::~DiagBuilder() {
  if (!engine)
    return;
  diag.message = formatMessage(formatOf(diag.id), args);
  engine->emit(std::move(diag));
}

DiagBuilder DiagnosticEngine::report(DiagID id, llvm::SMRange range) {
  return DiagBuilder(this, Diagnostic{id, severityOf(id), range, {}, {}, {}, {}});
}

DiagBuilder DiagnosticEngine::report(DiagID id, FileLoc where) {
  Diagnostic d{id, severityOf(id), {}, {}, {}, {}, std::move(where)};
  return DiagBuilder(this, std::move(d));
}

void DiagnosticEngine::releaseHeld(bool emitThem) {
  holding = false;
  std::vector<Diagnostic> kept = std::move(held);
  held.clear();
  if (emitThem)
    for (Diagnostic &d : kept)
      emit(std::move(d));
}

void DiagnosticEngine::emit(Diagnostic d) {
  if (holding) {
    held.push_back(std::move(d));
    return;
  }
  // A diagnostic inside an imported file points back at the import(s).
  if (d.range.Start.isValid() && d.severity != Severity::Note) {
    unsigned buf = sm.FindBufferContainingLoc(d.range.Start);
    for (unsigned depth = 0; buf && depth < 64; ++depth) {
      llvm::SMLoc inc = sm.getBufferInfo(buf).IncludeLoc;
      if (!inc.isValid())
        break;
      d.notes.push_back(Diagnostic{DiagID::NoteImportedHere, Severity::Note, llvm::SMRange(inc, inc),
                                   formatOf(DiagID::NoteImportedHere).str(), {}, {}, {}});
      buf = sm.FindBufferContainingLoc(inc);
    }
  }
  if (d.severity == Severity::Warning) {
    if (suppressWarnings)
      return;
    if (warningsAsErrors)
      d.severity = Severity::Error;
  }
  if (d.severity == Severity::Error) {
    if (errorLimitReached()) {
      if (!limitAnnounced) {
        limitAnnounced = true;
        Diagnostic stop{DiagID::ErrTooManyErrors, Severity::Error, {}, formatOf(DiagID::ErrTooManyErrors).str(),
                        {}, {}, {}};
        consumer.handle(stop, sm);
      }
      return;
    }
    ++errors;
  } else if (d.severity == Severity::Warning) {
    ++warnings;
  }
  consumer.handle(d, sm);
}

void DiagnosticEngine::finish() { consumer.finish(sm); }

void TextDiagnosticConsumer::handle(const Diagnostic &d, const llvm::SourceMgr &sm) {
  auto printOne = [&](const Diagnostic &x) {
    if (!x.range.Start.isValid()) {
      // No place in a buffer: the file (and line:col when known), or the
      // tool's own prefix; no source line is shown.
      if (colors)
        os.changeColor(llvm::raw_ostream::SAVEDCOLOR, true);
      if (x.fileLoc.file.empty())
        os << "llmflow";
      else
        os << x.fileLoc.file;
      if (x.fileLoc.line)
        os << ":" << x.fileLoc.line << ":" << x.fileLoc.column;
      os << ": ";
      if (colors)
        os.changeColor(x.severity == Severity::Error ? llvm::raw_ostream::RED : llvm::raw_ostream::MAGENTA, true);
      os << severityName(x.severity) << ": ";
      if (colors)
        os.resetColor();
      os << x.message << "\n";
      return;
    }
    llvm::SmallVector<llvm::SMRange, 1> ranges;
    if (x.range.End.isValid() && x.range.End.getPointer() > x.range.Start.getPointer())
      ranges.push_back(x.range);
    llvm::SmallVector<llvm::SMFixIt, 1> fixits;
    for (const FixIt &f : x.fixits)
      if (f.range.Start.isValid())
        fixits.push_back(llvm::SMFixIt(f.range, f.text));
    llvm::SMDiagnostic smd = sm.GetMessage(x.range.Start, toKind(x.severity), x.message, ranges, fixits);
    smd.print(nullptr, os, colors);
  };
  printOne(d);
  for (const Diagnostic &n : d.notes)
    printOne(n);
}

namespace {
llvm::json::Object locJSON(llvm::SMRange r, const llvm::SourceMgr &sm, const FileLoc &fallback = {}) {
  llvm::json::Object o;
  if (!r.Start.isValid()) {
    if (!fallback.file.empty()) {
      o["file"] = fallback.file;
      o["line"] = fallback.line;
      o["column"] = fallback.column;
      o["end_line"] = fallback.line;
      o["end_column"] = fallback.column;
    }
    return o;
  }
  unsigned buf = sm.FindBufferContainingLoc(r.Start);
  if (!buf)
    return o;
  auto [line, col] = sm.getLineAndColumn(r.Start, buf);
  o["file"] = sm.getMemoryBuffer(buf)->getBufferIdentifier().str();
  o["line"] = line;
  o["column"] = col;
  if (r.End.isValid() && r.End.getPointer() >= r.Start.getPointer()) {
    auto [el, ec] = sm.getLineAndColumn(r.End, buf);
    o["end_line"] = el;
    o["end_column"] = ec;
  }
  return o;
}

llvm::json::Object diagJSON(const Diagnostic &d, const llvm::SourceMgr &sm) {
  llvm::json::Object o = locJSON(d.range, sm, d.fileLoc);
  o["severity"] = severityName(d.severity).str();
  o["code"] = codeOf(d.id).str();
  o["message"] = d.message;
  if (!d.fixits.empty()) {
    llvm::json::Array fixits;
    for (const FixIt &f : d.fixits) {
      llvm::json::Object fo = locJSON(f.range, sm);
      fo["replacement"] = f.text;
      fixits.push_back(std::move(fo));
    }
    o["fixits"] = std::move(fixits);
  }
  return o;
}
} // namespace

void JSONDiagnosticConsumer::handle(const Diagnostic &d, const llvm::SourceMgr &sm) {
  llvm::json::Object o = diagJSON(d, sm);
  llvm::json::Array notes;
  for (const Diagnostic &n : d.notes)
    notes.push_back(diagJSON(n, sm));
  o["notes"] = std::move(notes);
  std::string s;
  llvm::raw_string_ostream ss(s);
  ss << llvm::json::Value(std::move(o));
  items.push_back(std::move(ss.str()));
}

void JSONDiagnosticConsumer::finish(const llvm::SourceMgr &) {
  os << "[";
  for (size_t i = 0; i < items.size(); ++i)
    os << (i ? ",\n " : "") << items[i];
  os << "]\n";
  items.clear();
}

} // namespace llmflow::support
