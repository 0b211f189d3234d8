// Per-endpoint admission control: at most maxInFlight requests run on an
// endpoint at once (vLLM queues without limit and never answers 429, so the
// client must cap itself); the rest wait in FIFO order.
//
// A plain data structure: it hands out slots and names the next waiter; the
// client starts attempts. Not for: retry timing (backoff.h).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

namespace llmflow::llm {

class AdmissionQueue {
public:
  explicit AdmissionQueue(unsigned maxInFlight) : limit(maxInFlight) {}

  /// Takes a slot if one is free (and nobody waits ahead).
  bool tryAcquire();
  /// Waits for a slot; `id` must not be queued already.
  void enqueue(uint64_t id);
  /// Leaves the queue; false if `id` was not queued.
  bool removeQueued(uint64_t id);
  /// Gives a slot back. If someone waits, the slot passes straight to them and
  /// their id is returned: the caller must start them.
  std::optional<uint64_t> release();

  unsigned inFlight() const { return running; }
  unsigned queued() const { return static_cast<unsigned>(waiting.size()); }
  unsigned maxInFlight() const { return limit; }

private:
  unsigned limit; // 0 = unlimited
  unsigned running = 0;
  std::deque<uint64_t> waiting;
};

} // namespace llmflow::llm
