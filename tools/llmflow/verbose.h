// `run -v`: the event stream as it happens, for a person: each stage as it
// starts and as it ends (with its time, tokens and output value), failures
// with their reason, branch and loop decisions. An event sink, so it sees
// exactly what the event log records, as it is recorded.
#pragma once

#include "engine/events.h"

#include "llvm/Support/raw_ostream.h"

#include <map>

namespace llmflow::cli {

class VerboseSink : public engine::EventSink {
public:
  explicit VerboseSink(llvm::raw_ostream &os) : os(os) {}
  void record(const engine::Event &e) override;

  /// Outputs longer than this are cut (the event log with --log-content
  /// keeps them whole).
  static constexpr size_t kMaxValue = 2000;

private:
  llvm::raw_ostream &os;
  std::map<std::pair<uint64_t, std::string>, double> started;
};

} // namespace llmflow::cli
