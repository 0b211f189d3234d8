// AdmissionQueue: slots and a FIFO of waiters per endpoint.
#include "llm/admission.h"

#include <algorithm>
#include <cassert>

namespace llmflow::llm {

bool AdmissionQueue::tryAcquire() {
  if ((limit != 0 && running >= limit) || !waiting.empty())
    return false;
  ++running;
  return true;
}

void AdmissionQueue::enqueue(uint64_t id) {
  assert(std::find(waiting.begin(), waiting.end(), id) == waiting.end());
  waiting.push_back(id);
}

bool AdmissionQueue::removeQueued(uint64_t id) {
  auto it = std::find(waiting.begin(), waiting.end(), id);
  if (it == waiting.end())
    return false;
  waiting.erase(it);
  return true;
}

std::optional<uint64_t> AdmissionQueue::release() {
  assert(running > 0 && "release without acquire");
  if (!waiting.empty() && (limit == 0 || running <= limit)) {
    uint64_t next = waiting.front();
    waiting.pop_front();
    return next; // the slot changes hands; running stays the same
  }
  --running;
  return std::nullopt;
}

} // namespace llmflow::llm
