// A journal whose writes and commits happen on a writer thread of its own,
// so that the thread that journals (the engine's event loop) never waits for
// SQLite: records are copied into a queue, the writer applies them to the
// wrapped journal in order, and a commit asked for with commitAsync() is
// reported through the durable callback once done. Commits asked for while
// the writer is busy are done as one (group commit). commit() still waits
// (the end of a run). Not for: deciding what is durable when -- the engine
// does (engine_journal.cpp) -- or reading a journal: load() goes straight to
// the wrapped journal and must come before the first write.
#pragma once

#include "journal/journal.h"

namespace llmflow::journal {

std::unique_ptr<Journal> inBackground(std::unique_ptr<Journal> inner);

} // namespace llmflow::journal
