// What every manager is started with: the configuration in force, identity, and the probes.
#pragma once

#include <memory>
#include <string>

#include "config/daemon_config.hpp"

namespace berth::metrics {
class daemon_probes;
} // namespace berth::metrics

namespace berth::actors {

struct daemon_context {
  config::daemon_config config;
  std::string daemon_id;
  std::shared_ptr<metrics::daemon_probes> probes;
};

} // namespace berth::actors
