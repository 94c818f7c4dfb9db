// The daemon's settings.
#include "config/daemon_config.hpp"

namespace berth::config {

std::string daemon_config::pidfile_path() const {
  return pidfile.empty() ? exec_root + "/berthd.pid" : pidfile;
}

std::string daemon_config::registry_certs_dir() const {
  auto slash = config_file.rfind('/');
  auto dir = slash == std::string::npos ? std::string(".") : config_file.substr(0, slash);
  return (dir.empty() ? std::string("/") : dir + "/") + "certs.d";
}

log::level daemon_config::effective_log_level() const {
  return debug ? log::level::debug : log_level;
}

} // namespace berth::config
