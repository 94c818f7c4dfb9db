// What request handlers may use.
#include "api/api_context.hpp"

namespace berth::api {

api_context::api_context(caf::actor_system& sys, std::shared_ptr<metrics::daemon_probes> probes,
                         runtime::host_info host, std::string daemon_id,
                         std::shared_ptr<const config::daemon_config> cfg,
                         runtime::runtime_catalog runtimes)
    : system_(sys), probes_(std::move(probes)), host_(std::move(host)),
      daemon_id_(std::move(daemon_id)), config_(std::move(cfg)), runtimes_(std::move(runtimes)) {}

} // namespace berth::api
