#include "sched/ready_index.h"

namespace llmflow::sched {

namespace {
bool hasSlot(const JobView &v, Slot k) {
  for (const ReadyTask &t : v.ready)
    if (t.slot == k)
      return true;
  return false;
}
} // namespace

void ReadyIndex::unlink(const JobView &v) {
  for (unsigned k = 0; k < kSlotKinds; ++k)
    bySlot[k].erase({v.arrival, v.id});
}

void ReadyIndex::set(JobView view) {
  auto it = views.find(view.id);
  if (it != views.end()) {
    unlink(it->second);
    if (view.ready.empty()) {
      views.erase(it);
      return;
    }
    it->second = std::move(view);
  } else {
    if (view.ready.empty())
      return;
    it = views.try_emplace(view.id, std::move(view)).first;
  }
  const JobView &v = it->second;
  for (unsigned k = 0; k < kSlotKinds; ++k)
    if (hasSlot(v, Slot(k)))
      bySlot[k].insert({v.arrival, v.id});
}

void ReadyIndex::erase(JobId id) {
  auto it = views.find(id);
  if (it == views.end())
    return;
  unlink(it->second);
  views.erase(it);
}

const JobView *ReadyIndex::find(JobId id) const {
  auto it = views.find(id);
  return it == views.end() ? nullptr : &it->second;
}

bool ReadyIndex::anyPlaceable(const unsigned free[kSlotKinds]) const {
  for (unsigned k = 0; k < kSlotKinds; ++k)
    if (free[k] && !bySlot[k].empty())
      return true;
  return false;
}

} // namespace llmflow::sched
