// ProcessRegistry: handle table and io_context shutdown.
#include "exec/process_registry.h"

#include "exec/running_process.h"

namespace llmflow::exec {

ProcessRegistry::ProcessRegistry(boost::asio::execution_context &ctx)
    : boost::asio::execution_context::service(ctx) {}

ProcessRegistry::~ProcessRegistry() = default;

ProcessRegistry &ProcessRegistry::of(boost::asio::execution_context &ctx) {
  return boost::asio::use_service<ProcessRegistry>(ctx);
}

void ProcessRegistry::add(uint64_t handle, std::shared_ptr<RunningProcess> process) {
  live.emplace(handle, std::move(process));
}

void ProcessRegistry::remove(uint64_t handle) { live.erase(handle); }

std::shared_ptr<RunningProcess> ProcessRegistry::find(uint64_t handle) const {
  auto it = live.find(handle);
  return it == live.end() ? nullptr : it->second;
}

void ProcessRegistry::shutdown() {
  // The io_context is going away: nothing will run the callbacks. Leave no
  // process and no zombie behind.
  abandonAll();
}

void ProcessRegistry::abandonAll() {
  auto doomed = std::move(live);
  live.clear();
  for (auto &[handle, process] : doomed)
    process->abandon();
}

} // namespace llmflow::exec
