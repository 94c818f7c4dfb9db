// The exclusive lock on a data root: one berthd per data root. The lock file holds the owner's pid
// so the refusal can name it.
#pragma once

#include <string>

#include <caf/expected.hpp>

#include "base/fd.hpp"

namespace berth::daemon {

class data_root_lock {
 public:
  /// Takes the lock on `<data_root>/berthd.lock`, or fails naming the pid that holds it.
  [[nodiscard]] static caf::expected<data_root_lock> acquire(const std::string& data_root);

  data_root_lock(data_root_lock&&) noexcept = default;
  data_root_lock& operator=(data_root_lock&&) noexcept = default;

 private:
  explicit data_root_lock(unique_fd fd) : fd_(std::move(fd)) {}
  unique_fd fd_; ///< closing it releases the lock
};

} // namespace berth::daemon
