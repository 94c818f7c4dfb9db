// Waiting for containers to exit without a thread per container: for each running container one
// "wait" connection to its shim stays open on the daemon's I/O threads and completes when the
// container exits (or, when the shim is already gone, its exit file is read).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "runtime/shim_client.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace berth::runtime {

class shim_watcher {
 public:
  explicit shim_watcher(boost::asio::io_context& io) : io_(io) {}

  /// Calls `on_exit` once (on an I/O thread: keep it short, e.g. send a message) with the exit
  /// status of the container whose shim uses `state_dir`, or an error when neither the shim nor
  /// its exit file can tell.
  void watch(const std::string& state_dir, std::function<void(caf::expected<shim_exit>)> on_exit);

  /// The same for one exec of the container: "wait-exec <id>", else exec-<id>.json.
  void watch_exec(const std::string& state_dir, const std::string& exec_id,
                  std::function<void(caf::expected<shim_exit>)> on_exit);

 private:
  boost::asio::io_context& io_;
};

} // namespace berth::runtime
