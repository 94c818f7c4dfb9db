// The daemon's registry access.
#include "distribution/registry_service.hpp"

#include <filesystem>

#include "base/log.hpp"
#include "berth/build_info.hpp"
#include "metrics/image_probe.hpp"

namespace berth::distribution {

namespace {

constexpr log::logger lg{"distribution"};

caf::expected<std::shared_ptr<const registry_snapshot>> make_snapshot(const registry_settings& s) {
  auto config =
      registry::make_registry_config(s.insecure_registries, s.registry_mirrors, s.certs_dir);
  if (!config) return std::move(config.error());
  auto proxy = registry::proxy_config::make(s.proxies);
  if (!proxy) return std::move(proxy.error());
  auto snap = std::make_shared<registry_snapshot>();
  snap->config = std::move(*config);
  registry::http_client_options options;
  options.user_agent = std::string("berth/") + build_info::version;
  options.proxy = std::make_shared<const registry::proxy_config>(std::move(*proxy));
  snap->http =
      std::make_shared<registry::http_client>(options, registry::make_tls_policy(snap->config));
  snap->repository.retry.max_attempts = std::max(1, s.max_download_attempts);
  snap->repository.retry.initial_backoff = s.initial_backoff;
  snap->repository.retry.max_backoff = s.max_backoff;
  return std::shared_ptr<const registry_snapshot>(std::move(snap));
}

size_t positive(int n) {
  return static_cast<size_t>(std::max(1, n));
}

// Publishes a pool's counts as the berth_registry_transfers gauges of `direction`.
transfer_pool::observer transfer_gauges(const std::shared_ptr<metrics::image_probe>& probe,
                                        std::string direction) {
  if (!probe) return {};
  return [probe, direction = std::move(direction)](size_t running, size_t queued) {
    probe->set_transfers(direction, running, queued);
  };
}

} // namespace

registry_service::registry_service(std::shared_ptr<const registry_snapshot> snapshot,
                                   const registry_settings& s,
                                   std::shared_ptr<metrics::image_probe> probe)
    : settings_(s), certs_stamp_(certs_dir_stamp(s.certs_dir)), snapshot_(std::move(snapshot)),
      probe_(std::move(probe)),
      downloads_(positive(s.max_concurrent_downloads), transfer_gauges(probe_, "download")),
      uploads_(positive(s.max_concurrent_uploads), transfer_gauges(probe_, "upload")) {}

caf::expected<std::shared_ptr<registry_service>>
registry_service::create(const registry_settings& settings,
                         std::shared_ptr<metrics::image_probe> probe) {
  auto snap = make_snapshot(settings);
  if (!snap) return std::move(snap.error());
  return std::shared_ptr<registry_service>(
      new registry_service(std::move(*snap), settings, std::move(probe)));
}

registry_service::~registry_service() {
  // No waiting: the last reference may be dropped on a transfer thread.
  stop_.request_stop();
}

caf::error registry_service::reconfigure(const registry_settings& settings) {
  auto stamp = certs_dir_stamp(settings.certs_dir);
  auto snap = make_snapshot(settings);
  if (!snap) return std::move(snap.error());
  {
    std::lock_guard guard{mutex_};
    settings_ = settings;
    certs_stamp_ = std::move(stamp);
    snapshot_ = std::move(*snap);
  }
  downloads_.set_limit(positive(settings.max_concurrent_downloads));
  uploads_.set_limit(positive(settings.max_concurrent_uploads));
  return {};
}

std::shared_ptr<const registry_snapshot> registry_service::current() {
  std::lock_guard guard{mutex_};
  auto stamp = certs_dir_stamp(settings_.certs_dir);
  if (stamp != certs_stamp_) {
    // A fresh client: the old one cached each host's TLS settings.
    if (auto snap = make_snapshot(settings_)) {
      lg.info("certs.d changed: registry TLS settings reloaded", {{"dir", settings_.certs_dir}});
      snapshot_ = std::move(*snap);
      certs_stamp_ = std::move(stamp);
    }
  }
  return snapshot_;
}

registry_service::operation::operation(std::shared_ptr<registry_service> service)
    : service_(std::move(service)) {
  std::lock_guard guard{service_->operations_mutex_};
  ++service_->operations_;
}

registry_service::operation::~operation() {
  end();
}

registry_service::operation& registry_service::operation::operator=(operation&& other) noexcept {
  if (this != &other) {
    end();
    service_ = std::move(other.service_);
  }
  return *this;
}

void registry_service::operation::end() {
  if (!service_) return;
  {
    std::lock_guard guard{service_->operations_mutex_};
    --service_->operations_;
  }
  service_->operations_done_.notify_all();
  service_.reset();
}

void registry_service::shutdown(std::chrono::milliseconds timeout) {
  stop_.request_stop();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  {
    std::unique_lock lock{operations_mutex_};
    if (!operations_done_.wait_until(lock, deadline, [this] { return operations_ == 0; }))
      lg.warn("pulls or pushes still running at shutdown",
              {{"operations", static_cast<long>(operations_)}});
  }
  for (auto* pool : {&downloads_, &uploads_}) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!pool->wait_idle(std::max(left, std::chrono::milliseconds(0))))
      lg.warn("registry transfers still running at shutdown",
              {{"running", static_cast<long>(pool->running())}});
  }
}

std::string certs_dir_stamp(const std::string& certs_dir) {
  namespace fs = std::filesystem;
  if (certs_dir.empty()) return {};
  std::string stamp;
  auto add = [&stamp](const fs::directory_entry& e) {
    std::error_code ec;
    auto time = e.last_write_time(ec).time_since_epoch().count();
    auto size = e.is_regular_file(ec) ? e.file_size(ec) : 0;
    stamp += e.path().filename().string() + ":" + std::to_string(size) + ":" +
             std::to_string(time) + ";";
  };
  std::error_code ec;
  // Bounded: a certs.d with more entries than this is only partly watched.
  constexpr size_t max_entries = 1024;
  size_t seen = 0;
  for (fs::directory_iterator host{certs_dir, ec}, end; !ec && host != end; host.increment(ec)) {
    if (++seen > max_entries) break;
    add(*host);
    std::error_code inner;
    if (!host->is_directory(inner)) continue;
    for (fs::directory_iterator file{host->path(), inner}; !inner && file != end;
         file.increment(inner)) {
      if (++seen > max_entries) break;
      add(*file);
    }
  }
  return stamp;
}

std::string login_domain(std::string_view server_address) {
  auto s = server_address;
  for (std::string_view scheme : {"http://", "https://"})
    if (s.starts_with(scheme)) s.remove_prefix(scheme.size());
  s = s.substr(0, s.find('/'));
  if (s.empty() || s == "docker.io" || s == "index.docker.io" || s == "registry-1.docker.io")
    return std::string(registry::docker_hub_domain);
  return std::string(s);
}

registry::registry_credentials
credentials_for_domain(const registry::registry_auth_configs& configs, std::string_view domain) {
  for (const auto& [key, credentials] : configs)
    if (key == domain) return credentials;
  for (const auto& [key, credentials] : configs)
    if (login_domain(key) == domain) return credentials;
  return {};
}

} // namespace berth::distribution
