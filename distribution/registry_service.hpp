// The daemon's access to registries, shared by every pull, push and login: the registry
// configuration and one HTTP client built from daemon.json (`insecure-registries`,
// `registry-mirrors`, `<config-dir>/certs.d`), the daemon-wide transfer bounds
// (`max-concurrent-downloads`, `max-concurrent-uploads`), the retry budget
// (`max-download-attempts`), the proxies (`proxies`, HTTP_PROXY...), the downloads in flight and
// the known blob sources. A SIGHUP reload swaps in a new configuration and client; operations in
// flight keep the snapshot they started with. Files added to or changed in certs.d take effect at
// the next operation, as in dockerd (which reads certs.d for every connection). Thread-safety:
// thread-safe. `current` reads certs.d's directory entries and `shutdown` waits: call them from
// blocking contexts.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "distribution/blob_downloads.hpp"
#include "distribution/blob_sources.hpp"
#include "distribution/transfer_pool.hpp"
#include "registry/credentials.hpp"
#include "registry/http_client.hpp"
#include "registry/proxy_config.hpp"
#include "registry/registry_config.hpp"
#include "registry/repository.hpp"

namespace berth::metrics {
class image_probe;
} // namespace berth::metrics

namespace berth::distribution {

/// The settings the service is built from (daemon.json keys).
struct registry_settings {
  std::vector<std::string> insecure_registries;
  std::vector<std::string> registry_mirrors;
  std::string certs_dir; ///< "<config-dir>/certs.d"
  int max_concurrent_downloads = 3;
  int max_concurrent_uploads = 5;
  int max_download_attempts = 5;
  /// The proxies for registry traffic (daemon.json `proxies` over the environment).
  registry::proxy_settings proxies;
  /// Waits between retries (tests shorten them); the registry client's defaults otherwise.
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{16'000};
};

/// What one operation uses from start to end.
struct registry_snapshot {
  registry::registry_config config;
  std::shared_ptr<registry::http_client> http;
  registry::repository_options repository;
};

class registry_service {
 public:
  /// Validates `settings` (dockerd's messages for bad insecure registries and mirrors).
  [[nodiscard]] static caf::expected<std::shared_ptr<registry_service>>
  create(const registry_settings& settings, std::shared_ptr<metrics::image_probe> probe);

  ~registry_service();
  registry_service(const registry_service&) = delete;
  registry_service& operator=(const registry_service&) = delete;

  /// Applies reloaded settings; on error the current ones stay.
  [[nodiscard]] caf::error reconfigure(const registry_settings& settings);

  /// The configuration and client in force (a new client when certs.d changed).
  [[nodiscard]] std::shared_ptr<const registry_snapshot> current();

  [[nodiscard]] transfer_pool& downloads() { return downloads_; }
  [[nodiscard]] transfer_pool& uploads() { return uploads_; }
  [[nodiscard]] blob_download_table& in_flight() { return in_flight_; }
  [[nodiscard]] blob_sources& sources() { return sources_; }
  /// Null in tests without metrics.
  [[nodiscard]] metrics::image_probe* probe() const { return probe_.get(); }

  /// Requested when the daemon stops: every operation watches it.
  [[nodiscard]] std::stop_token daemon_stop() const { return stop_.get_token(); }

  /// A pull or push in progress, counted from its request to its answer (so that a stopping
  /// daemon can let them report their cancellation before it closes the connections).
  class operation {
   public:
    operation() = default;
    explicit operation(std::shared_ptr<registry_service> service);
    ~operation();
    operation(operation&& other) noexcept : service_(std::move(other.service_)) {}
    operation& operator=(operation&& other) noexcept;
    operation(const operation&) = delete;
    operation& operator=(const operation&) = delete;
    /// Ends it (idempotent).
    void end();

   private:
    std::shared_ptr<registry_service> service_;
  };

  /// Cancels every operation and waits (bounded) until they have answered and the transfer
  /// threads have finished.
  void shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  registry_service(std::shared_ptr<const registry_snapshot> snapshot, const registry_settings& s,
                   std::shared_ptr<metrics::image_probe> probe);

  mutable std::mutex mutex_;
  registry_settings settings_;
  std::string certs_stamp_; ///< what certs.d looked like when snapshot_ was made
  std::shared_ptr<const registry_snapshot> snapshot_;
  std::shared_ptr<metrics::image_probe> probe_;
  transfer_pool downloads_;
  transfer_pool uploads_;
  blob_download_table in_flight_;
  blob_sources sources_;
  std::stop_source stop_;
  std::mutex operations_mutex_;
  std::condition_variable operations_done_;
  size_t operations_ = 0;
};

/// A stop source that is also requested when any of its parents is (a client going away and the
/// daemon stopping both cancel an operation).
class linked_stop {
 public:
  explicit linked_stop(std::initializer_list<std::stop_token> parents) {
    for (const auto& parent : parents)
      callbacks_.push_back(std::make_unique<callback>(parent, [this] { source_.request_stop(); }));
  }
  linked_stop(const linked_stop&) = delete;
  linked_stop& operator=(const linked_stop&) = delete;

  [[nodiscard]] std::stop_token token() const { return source_.get_token(); }
  void request_stop() { source_.request_stop(); }

 private:
  using callback = std::stop_callback<std::function<void()>>;
  std::stop_source source_;
  std::vector<std::unique_ptr<callback>> callbacks_;
};

/// A summary of a certs.d directory (names, sizes and times of its host directories and their
/// files) that changes when any of them does.
[[nodiscard]] std::string certs_dir_stamp(const std::string& certs_dir);

/// The domain a `docker login` server address names, like dockerd's ConvertToHostname: the
/// scheme and any path are dropped; "" and Docker Hub's names give "docker.io".
[[nodiscard]] std::string login_domain(std::string_view server_address);

/// The credentials of `configs` (X-Registry-Config) for the registry `domain` ("docker.io",
/// "127.0.0.1:5000"): the entry whose key names that registry, as dockerd's ResolveAuthConfig
/// matches them (scheme and path ignored; Docker Hub's several names are one). Anonymous when
/// none matches.
[[nodiscard]] registry::registry_credentials
credentials_for_domain(const registry::registry_auth_configs& configs, std::string_view domain);

} // namespace berth::distribution
