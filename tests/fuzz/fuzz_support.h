// What the fuzz targets share: the example programs compiled once per
// process (the types, tools, planners and apps that external input is
// checked against), a scratch file for readers that take a path, what is
// done with a network once read, and a cursor that splits the fuzzer's bytes into choices and a payload.
#pragma once

#include "ir/ir.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace llmflow::bn {
struct Network;
}

namespace llmflow::fuzz {

struct Example {
  std::string name;
  std::string dir;
  ir::Module module;
  const ir::App *app = nullptr;
};

/// examples/*/app.llmflow compiled with the real driver and stdlib, once.
/// A program that no longer compiles aborts: the fuzz target would be
/// testing nothing.
const std::vector<Example> &examples();

/// Writes `data` to a scratch file of this process (same name every call,
/// ending in `suffix`) and returns its path.
std::string scratchFile(llvm::StringRef data, llvm::StringRef suffix);

/// Every node of a graph and of the template bodies nested in it.
void forEachNode(const ir::Graph &g, llvm::function_ref<void(const ir::Node &)> visit);

/// What every consumer of a verified network does with it: write it in
/// each format, read it back, and (when it is small) compile it and query.
void exerciseNetwork(const bn::Network &n);

/// Leading bytes as small choices, the rest as the payload.
class Input {
public:
  Input(const uint8_t *data, size_t size) : text(reinterpret_cast<const char *>(data), size) {}
  /// A number in [0, n) from the next byte (0 when the input is used up).
  size_t choose(size_t n) {
    if (text.empty() || n == 0)
      return 0;
    size_t c = uint8_t(text.front()) % n;
    text = text.drop_front();
    return c;
  }
  llvm::StringRef rest() const { return text; }

private:
  llvm::StringRef text;
};

} // namespace llmflow::fuzz
