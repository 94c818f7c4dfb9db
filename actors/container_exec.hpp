// docker exec as the container actor sees it: what an exec runs, how a client starts it, what
// inspect shows, and the daemon-wide index from exec IDs to their containers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "base/spliceable_connection.hpp"

namespace berth::actors {

/// POST /containers/{id}/exec.
struct exec_config {
  std::vector<std::string> cmd;
  std::vector<std::string> env;
  std::string working_dir;
  std::string user;
  bool privileged = false;
  bool tty = false;
  bool attach_stdin = false;
  bool attach_stdout = false;
  bool attach_stderr = false;
  std::string detach_keys; ///< as the client wrote them (e.g. "ctrl-p,ctrl-q"), "" = default
  int rows = 0;            ///< ConsoleSize (0 = leave)
  int cols = 0;
};

/// POST /exec/{id}/start: a hijacked client stream, or none with Detach.
struct exec_start_request {
  std::shared_ptr<spliceable_connection> connection; ///< null with Detach
  std::string detach_keys;                           ///< raw bytes ("" = none)
  int rows = 0;
  int cols = 0;
};

/// GET /exec/{id}/json.
struct exec_info {
  std::string id;
  std::string container_id;
  exec_config config;
  bool running = false;
  std::optional<int> exit_code;
  int pid = 0;
  bool open_stdin = false;
};

/// Which container each exec belongs to, for the /exec/{id} routes. Thread-safe.
class exec_index {
 public:
  void add(const std::string& exec_id, const std::string& container_id) {
    std::lock_guard lock(mutex_);
    owners_[exec_id] = container_id;
  }
  void remove(const std::string& exec_id) {
    std::lock_guard lock(mutex_);
    owners_.erase(exec_id);
  }
  [[nodiscard]] std::optional<std::string> owner(const std::string& exec_id) const {
    std::lock_guard lock(mutex_);
    auto it = owners_.find(exec_id);
    if (it == owners_.end()) return std::nullopt;
    return it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> owners_;
};

} // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::exec_config)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::exec_start_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::exec_info)
