// Unix socket paths longer than sockaddr_un allows (108 bytes): a deep exec root and a 64-hex
// container ID easily exceed it. The socket stays reachable through an O_PATH descriptor of its
// directory, addressed as /proc/self/fd/<n>/<name>, for as long as this object lives.
#pragma once

#include <string>

#include <caf/expected.hpp>

#include "base/fd.hpp"

namespace berth {

class socket_path {
 public:
  /// Usable path for `dir`/`name`: the path itself when it fits, else the /proc/self/fd form
  /// (which fails only when `dir` cannot be opened).
  [[nodiscard]] static caf::expected<socket_path> make(const std::string& dir,
                                                       const std::string& name);

  /// The path to hand to connect(): valid while this object lives.
  [[nodiscard]] const std::string& address() const { return address_; }

 private:
  unique_fd dir_;
  std::string address_;
};

} // namespace berth
