// What request handlers may use: the actor system (to reach managers through the directory), the
// daemon's static facts, the configuration in force, and the probes. Handlers own no engine state.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "config/daemon_config.hpp"
#include "runtime/host_info.hpp"
#include "runtime/runtime_catalog.hpp"

namespace berth::metrics {
class daemon_probes;
} // namespace berth::metrics

namespace berth::distribution {
class registry_service;
} // namespace berth::distribution

namespace berth::api {

class api_context {
 public:
  api_context(caf::actor_system& sys, std::shared_ptr<metrics::daemon_probes> probes,
              runtime::host_info host, std::string daemon_id,
              std::shared_ptr<const config::daemon_config> cfg, runtime::runtime_catalog runtimes);

  [[nodiscard]] caf::actor_system& system() const { return system_; }
  [[nodiscard]] metrics::daemon_probes& probes() const { return *probes_; }
  [[nodiscard]] const runtime::host_info& host() const { return host_; }
  [[nodiscard]] const std::string& daemon_id() const { return daemon_id_; }
  [[nodiscard]] const runtime::runtime_catalog& runtimes() const { return runtimes_; }

  /// The configuration in force (replaced on SIGHUP).
  [[nodiscard]] std::shared_ptr<const config::daemon_config> config() const {
    return config_.load();
  }
  void set_config(std::shared_ptr<const config::daemon_config> cfg) {
    config_.store(std::move(cfg));
  }

  /// Registry access (docker login); null when the daemon has none.
  [[nodiscard]] const std::shared_ptr<distribution::registry_service>& registry() const {
    return registry_;
  }
  /// Set once before the listeners open.
  void set_registry(std::shared_ptr<distribution::registry_service> r) { registry_ = std::move(r); }

  /// How long a handler waits for an actor before answering 503.
  [[nodiscard]] std::chrono::milliseconds request_timeout() const { return request_timeout_; }
  void set_request_timeout(std::chrono::milliseconds t) { request_timeout_ = t; }

 private:
  caf::actor_system& system_;
  std::shared_ptr<metrics::daemon_probes> probes_;
  runtime::host_info host_;
  std::string daemon_id_;
  std::atomic<std::shared_ptr<const config::daemon_config>> config_;
  runtime::runtime_catalog runtimes_;
  std::shared_ptr<distribution::registry_service> registry_;
  std::chrono::milliseconds request_timeout_{std::chrono::seconds(60)};
};

} // namespace berth::api
