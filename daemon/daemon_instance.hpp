// One running berthd: the lock on its data root, the state store, the actor system with its
// supervisor, the I/O threads and the HTTP listeners. Built by start(), torn down by stop().
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "config/command_line.hpp"
#include "config/loader.hpp"

namespace berth::daemon {

class daemon_instance {
 public:
  /// Takes the data-root lock, opens the state, starts the actors and the listeners.
  [[nodiscard]] static caf::expected<std::unique_ptr<daemon_instance>>
  start(config::command_line cl, config::loaded_config cfg);

  ~daemon_instance();
  daemon_instance(const daemon_instance&) = delete;
  daemon_instance& operator=(const daemon_instance&) = delete;

  /// SIGHUP: re-reads daemon.json and applies the reloadable keys; logs what changed.
  void reload();

  /// SIGTERM/SIGINT: stops accepting, drains requests in flight, stops the actors, removes the
  /// pid file and releases the lock.
  void stop();

  /// True when the supervisor gave up (a manager keeps failing): the daemon must exit.
  [[nodiscard]] bool failed() const;

 private:
  daemon_instance();
  struct parts;
  std::unique_ptr<parts> parts_;
};

} // namespace berth::daemon
