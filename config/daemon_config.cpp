// The daemon's settings.
#include "config/daemon_config.hpp"

namespace berth::config {

std::string daemon_config::pidfile_path() const {
  return pidfile.empty() ? exec_root + "/berthd.pid" : pidfile;
}

log::level daemon_config::effective_log_level() const {
  return debug ? log::level::debug : log_level;
}

} // namespace berth::config
