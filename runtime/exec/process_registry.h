// ProcessRegistry: the per-io_context table of running tool processes (an
// Asio service, so there is no global state and one registry per
// io_context). Hands out handles for cancelProcess and, when the io_context
// is destroyed, kills and reaps whatever is still running.
//
// Not for: the life cycle of one process (running_process.h).
#pragma once

#include <boost/asio/execution_context.hpp>

#include <cstdint>
#include <memory>
#include <unordered_map>

namespace llmflow::exec {

class RunningProcess;

class ProcessRegistry : public boost::asio::execution_context::service {
public:
  static inline boost::asio::execution_context::id id;

  explicit ProcessRegistry(boost::asio::execution_context &ctx);
  ~ProcessRegistry() override;

  /// The registry of `ctx`, created on first use. Thread-safe.
  static ProcessRegistry &of(boost::asio::execution_context &ctx);

  // The rest runs on the io_context's thread.
  uint64_t nextHandle() { return next++; }
  void add(uint64_t handle, std::shared_ptr<RunningProcess> process);
  void remove(uint64_t handle);
  std::shared_ptr<RunningProcess> find(uint64_t handle) const;
  size_t size() const { return live.size(); }
  /// Kills and reaps every process; their callbacks never run.
  void abandonAll();

private:
  void shutdown() override;

  uint64_t next = 1;
  std::unordered_map<uint64_t, std::shared_ptr<RunningProcess>> live;
};

} // namespace llmflow::exec
