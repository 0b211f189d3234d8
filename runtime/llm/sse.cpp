// SSEParser: incremental Server-Sent-Events framing for streamed chat
// completions. Knows nothing about JSON or chat chunks (see completion.h).
#include "llm/llm_client.h"

namespace llmflow::llm {

void SSEParser::feed(llvm::StringRef bytes, llvm::function_ref<void(llvm::StringRef)> onData) {
  if (skipLF && !bytes.empty()) {
    if (bytes.front() == '\n')
      bytes = bytes.drop_front();
    skipLF = false;
  }
  while (!bytes.empty()) {
    size_t end = bytes.find_first_of("\r\n");
    if (end == llvm::StringRef::npos) {
      buffer.append(bytes.data(), bytes.size());
      return;
    }
    llvm::StringRef piece = bytes.take_front(end);
    char terminator = bytes[end];
    bytes = bytes.drop_front(end + 1);
    if (terminator == '\r') {
      if (bytes.empty())
        skipLF = true; // the LF of a CRLF may come with the next feed
      else if (bytes.front() == '\n')
        bytes = bytes.drop_front();
    }
    if (buffer.empty()) {
      line(piece, onData);
    } else {
      buffer.append(piece.data(), piece.size());
      std::string whole = std::move(buffer);
      buffer.clear();
      line(whole, onData);
    }
  }
}

void SSEParser::line(llvm::StringRef text, llvm::function_ref<void(llvm::StringRef)> onData) {
  if (text.empty()) { // blank line: dispatch
    if (hasData)
      onData(data);
    data.clear();
    hasData = false;
    return;
  }
  if (text.front() == ':')
    return; // comment / keep-alive
  auto [field, value] = text.split(':');
  if (value.startswith(" "))
    value = value.drop_front();
  if (field != "data")
    return; // event:, id:, retry: and unknown fields carry nothing we use
  if (hasData)
    data.push_back('\n');
  data.append(value.data(), value.size());
  hasData = true;
}

} // namespace llmflow::llm
