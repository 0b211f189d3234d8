// The event log's format: every event kind and every field the writer can
// produce is documented in docs/events.md, and lines read back as written.
#include "engine/events.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace llmflow::engine;

namespace {
std::string eventsDoc() {
  std::ifstream in(LLMFLOW_SOURCE_DIR "/docs/events.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Event everyField() {
  Event e;
  e.type = EventType::TaskFailed;
  e.t = 1.5;
  e.job = 3;
  e.app = "a";
  e.node = "a/x";
  e.instance = "a/x#2";
  e.executor = "llm";
  e.endpoint = "local";
  e.tokensIn = 10;
  e.tokensOut = 20;
  e.attempts = 2;
  e.structure = "iterations";
  e.size = 4;
  e.error = "boom";
  e.result = llvm::json::Value(1);
  e.extra = llvm::json::Object{};
  return e;
}
} // namespace

TEST_CASE("events.md documents every event kind and field") {
  std::string doc = eventsDoc();
  REQUIRE_FALSE(doc.empty());
  for (int k = int(EventType::RunStarted); k <= int(EventType::Expanded); ++k) {
    std::string name = toString(EventType(k)).str();
    CAPTURE(name);
    CHECK(name != "?");
    CHECK(doc.find("`" + name + "`") != std::string::npos);
  }
  llvm::json::Value v = toJSON(everyField());
  for (const auto &kv : *v.getAsObject()) {
    CAPTURE(kv.first.str());
    CHECK(doc.find("`" + kv.first.str() + "`") != std::string::npos);
  }
}

TEST_CASE("an event line reads back as written") {
  Event e = everyField();
  auto back = eventFromJSON(*llvm::json::parse(eventLine(e)));
  REQUIRE(bool(back));
  CHECK(toString(back->type).str() == toString(e.type).str());
  CHECK(back->instance == e.instance);
  CHECK(back->attempts == 2);
  CHECK(back->error == "boom");
  CHECK(*back->tokensOut == 20);
}
