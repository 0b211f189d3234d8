// SSEParser: events split across arbitrary byte boundaries, keep-alive
// comments, CR/LF/CRLF line ends, multi-line data, ignored fields.
#include "llm/llm_client.h"

#include <doctest/doctest.h>

#include <random>

using llmflow::llm::SSEParser;

namespace {

std::vector<std::string> feedAll(SSEParser &p, const std::vector<std::string> &pieces) {
  std::vector<std::string> out;
  for (const std::string &piece : pieces)
    p.feed(piece, [&](llvm::StringRef d) { out.push_back(d.str()); });
  return out;
}

const std::string kStream = ": ping\n\n"
                            "data: {\"a\":1}\n\n"
                            ": keep-alive\r\n\r\n"
                            "event: message\r\nid: 7\r\ndata: {\"b\":2}\r\n\r\n"
                            "data:{\"c\":3}\r\r"
                            "data: line1\ndata: line2\n\n"
                            "retry: 100\n\n"
                            "data: [DONE]\n\n";
const std::vector<std::string> kEvents = {"{\"a\":1}", "{\"b\":2}", "{\"c\":3}", "line1\nline2",
                                          "[DONE]"};

} // namespace

TEST_CASE("sse: whole stream in one feed") {
  SSEParser p;
  CHECK(feedAll(p, {kStream}) == kEvents);
  CHECK(p.pendingBytes() == 0);
}

TEST_CASE("sse: every split point of the stream gives the same events") {
  for (size_t cut = 0; cut <= kStream.size(); ++cut) {
    SSEParser p;
    CAPTURE(cut);
    CHECK(feedAll(p, {kStream.substr(0, cut), kStream.substr(cut)}) == kEvents);
  }
}

TEST_CASE("sse: byte-at-a-time and random chunkings") {
  {
    SSEParser p;
    std::vector<std::string> bytes;
    for (char c : kStream)
      bytes.push_back(std::string(1, c));
    CHECK(feedAll(p, bytes) == kEvents);
  }
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> pieces;
    size_t at = 0;
    while (at < kStream.size()) {
      size_t n = std::uniform_int_distribution<size_t>(0, 9)(rng);
      pieces.push_back(kStream.substr(at, n));
      at += n;
    }
    SSEParser p;
    CAPTURE(round);
    CHECK(feedAll(p, pieces) == kEvents);
  }
}

TEST_CASE("sse: an event is dispatched only at its blank line") {
  SSEParser p;
  CHECK(feedAll(p, {"data: x\n"}).empty());
  CHECK(p.pendingBytes() > 0);
  CHECK(feedAll(p, {"\n"}) == std::vector<std::string>{"x"});
}

TEST_CASE("sse: comments only and blank lines give nothing") {
  SSEParser p;
  CHECK(feedAll(p, {": a\n\n:b\r\n\r\n\n\n"}).empty());
}

TEST_CASE("sse: CR at the end of one feed and LF at the start of the next is one line end") {
  SSEParser p;
  // If the LF were taken for a second (blank) line, "data: a" would be
  // dispatched before "data: b" joined it.
  CHECK(feedAll(p, {"data: a\r", "\ndata: b\r\n", "\r\n"}) == std::vector<std::string>{"a\nb"});
}

TEST_CASE("sse: empty data field and field without colon") {
  SSEParser p;
  CHECK(feedAll(p, {"data\n\ndata:\n\n"}) == std::vector<std::string>{"", ""});
}
