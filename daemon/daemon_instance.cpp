// One running berthd.
#include "daemon/daemon_instance.hpp"

#include <atomic>
#include <csignal>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/atoms.hpp"
#include "actors/container_exec.hpp"
#include "actors/containers_manager.hpp"
#include "actors/daemon_context.hpp"
#include "actors/directory.hpp"
#include "actors/events_actor.hpp"
#include "actors/root_supervisor.hpp"
#include "api/api_context.hpp"
#include "api/dispatcher.hpp"
#include "api/http_server.hpp"
#include "api/io_pool.hpp"
#include "api/routes/routes.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/random.hpp"
#include "base/sys.hpp"
#include "base/time.hpp"
#include "berth/build_info.hpp"
#include "daemon/data_root_lock.hpp"
#include "distribution/registry_service.hpp"
#include "metrics/daemon_probes.hpp"
#include "net/dns_table.hpp"
#include "runtime/host_info.hpp"
#include "runtime/runtime_catalog.hpp"
#include "runtime/runtime_probe.hpp"
#include "runtime/shim_watcher.hpp"
#include "storage/content_store.hpp"
#include "storage/layer_store.hpp"
#include "storage/state_store.hpp"

namespace berth::daemon {

namespace {

constexpr log::logger lg{"daemon"};

// The time a graceful stop gives requests in flight before closing their connections.
constexpr auto drain_timeout = std::chrono::milliseconds(1000);

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items)
    out += (out.empty() ? "" : ",") + s;
  return out;
}

caf::expected<std::string> load_daemon_id(storage::state_store& store) {
  auto id = store.get_meta("engine-id");
  if (!id) return id.error();
  if (*id) return **id;
  auto fresh = random_uuid();
  if (auto err = store.set_meta("engine-id", fresh)) return err;
  return fresh;
}

// A runtime is the default only if it really runs a container here (crun 1.8 refuses the hybrid
// cgroup layout that runc accepts). Without the shim binary there is nothing to probe with: then
// crun is trusted only on a unified hierarchy.
bool runtime_works(const config::daemon_config& c, const runtime::host_info& host,
                   const std::string& shim_binary, const std::string& name) {
  auto path = runtime::find_executable(name);
  if (!path) return false;
  if (shim_binary.empty()) return name != "crun" || host.cgroup_version == "2";
  auto parent = c.cgroup_parent.empty() ? std::string("/berth") : c.cgroup_parent;
  auto result =
      runtime::probe_runtime({*path, shim_binary, c.exec_root + "/probe-" + name, parent});
  if (!result.works)
    lg.info("OCI runtime does not work on this host",
            {{"runtime", name}, {"reason", result.reason}});
  return result.works;
}

std::map<std::string, std::string> engine_labels(const runtime::host_info& host,
                                                 const std::string& daemon_id) {
  return {{"architecture", host.architecture},
          {"commit", build_info::git_commit},
          {"daemon_id", daemon_id},
          {"graphdriver", "overlay2"},
          {"kernel", host.kernel_version},
          {"os", host.operating_system},
          {"os_type", "linux"},
          {"os_version", host.os_version},
          {"version", build_info::version}};
}

// berth-shim lives next to berthd (build tree, /usr/local/bin), else on PATH.
std::string find_shim_binary() {
  char self[4096];
  auto n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    std::string dir(self, static_cast<size_t>(n));
    dir = dir.substr(0, dir.rfind('/'));
    if (::access((dir + "/berth-shim").c_str(), X_OK) == 0) return dir + "/berth-shim";
  }
  return runtime::find_executable("berth-shim").value_or("");
}

distribution::registry_settings registry_settings_of(const config::daemon_config& c) {
  distribution::registry_settings s;
  s.insecure_registries = c.insecure_registries;
  s.registry_mirrors = c.registry_mirrors;
  s.certs_dir = c.registry_certs_dir();
  s.max_concurrent_downloads = c.max_concurrent_downloads;
  s.max_concurrent_uploads = c.max_concurrent_uploads;
  s.max_download_attempts = c.max_download_attempts;
  s.proxies = registry::resolve_proxy_settings(c.http_proxy, c.https_proxy, c.no_proxy,
                                               registry::process_environment());
  return s;
}

std::pair<std::string, std::string> split_host_port(const std::string& addr) {
  auto colon = addr.rfind(':');
  auto host = addr.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return {host.empty() ? "0.0.0.0" : host, addr.substr(colon + 1)};
}

} // namespace

struct daemon_instance::parts {
  config::command_line command_line;
  config::loaded_config loaded;
  std::optional<data_root_lock> lock;
  std::shared_ptr<storage::state_store> store;
  std::shared_ptr<metrics::daemon_probes> probes;
  std::shared_ptr<distribution::registry_service> registry;
  std::unique_ptr<caf::actor_system_config> actor_config;
  std::unique_ptr<caf::actor_system> system;
  caf::actor supervisor;
  std::shared_ptr<api::api_context> api;
  std::unique_ptr<api::io_pool> io;
  std::unique_ptr<api::http_server> api_server;
  std::unique_ptr<api::http_server> metrics_server;
  std::string pidfile;
  std::string daemon_id;
  std::atomic<bool> supervisor_failed{false};
  bool started = false;
  bool stopped = false;
};

daemon_instance::daemon_instance() : parts_(std::make_unique<parts>()) {}

daemon_instance::~daemon_instance() {
  stop();
}

bool daemon_instance::failed() const {
  return parts_->supervisor_failed.load();
}

caf::expected<std::unique_ptr<daemon_instance>> daemon_instance::start(config::command_line cl,
                                                                       config::loaded_config cfg) {
  std::unique_ptr<daemon_instance> self{new daemon_instance()};
  auto& p = *self->parts_;
  p.command_line = std::move(cl);
  p.loaded = std::move(cfg);
  const auto& c = p.loaded.config;

  for (const auto* dir : {&c.data_root, &c.exec_root}) {
    if (auto err = sys::make_dirs(*dir, 0711)) return err;
    ::chmod(dir->c_str(), 0711);
  }
  auto lock = data_root_lock::acquire(c.data_root);
  if (!lock) return lock.error();
  p.lock.emplace(std::move(*lock));

  auto store = storage::state_store::open(c.data_root + "/berthd.db");
  if (!store) return store.error();
  p.store = std::move(*store);
  auto daemon_id = load_daemon_id(*p.store);
  if (!daemon_id) return daemon_id.error();
  p.daemon_id = *daemon_id;

  auto host = runtime::probe_host(c.data_root);
  auto shim_binary = find_shim_binary();
  auto catalog = runtime::make_runtime_catalog(
      c, [&](const std::string& name) { return runtime_works(c, host, shim_binary, name); });
  if (!c.default_runtime.empty() && !catalog.runtimes.count(c.default_runtime))
    return make_error(errc::invalid_argument,
                      "default runtime \"" + c.default_runtime + "\" is not a known runtime");

  p.probes = std::make_shared<metrics::daemon_probes>();
  p.probes->engine()->set_info(engine_labels(host, p.daemon_id), host.ncpu,
                               static_cast<double>(host.mem_total));

  auto registry =
      distribution::registry_service::create(registry_settings_of(c), p.probes->images());
  if (!registry) return registry.error();
  p.registry = std::move(*registry);

  p.actor_config = std::make_unique<caf::actor_system_config>();
  p.actor_config->set("scheduler.max-threads", std::max(2, host.ncpu));
  p.actor_config->set("logger.verbosity", caf::atom("quiet"));
  p.system = std::make_unique<caf::actor_system>(*p.actor_config);

  auto content = storage::content_store::open(c.data_root + "/content");
  if (!content) return content.error();
  auto layers = storage::layer_store::open(c.data_root + "/overlay2");
  if (!layers) return layers.error();

  // The I/O threads come first: the shim watcher of the actors runs on them.
  p.io = std::make_unique<api::io_pool>(std::max(1, std::min(host.ncpu, 4)));
  p.io->start();

  auto ctx = std::make_shared<actors::daemon_context>();
  ctx->config = c;
  ctx->daemon_id = p.daemon_id;
  ctx->probes = p.probes;
  ctx->content = std::move(*content);
  ctx->layers = std::move(*layers);
  ctx->host = host;
  ctx->runtimes = catalog;
  ctx->shim_binary = shim_binary;
  ctx->watcher = std::make_shared<runtime::shim_watcher>(p.io->context());
  ctx->io = &p.io->context();
  ctx->dns = std::make_shared<net::dns_table>();
  ctx->execs = std::make_shared<actors::exec_index>();
  ctx->registry = p.registry;
  if (ctx->shim_binary.empty())
    lg.warn("berth-shim not found next to berthd or on PATH: containers cannot start");
  p.supervisor = actors::spawn_root_supervisor(*p.system, ctx, p.store);
  p.system->spawn([&p](caf::event_based_actor* watcher) {
    watcher->monitor(p.supervisor);
    watcher->set_down_handler([&p](const caf::down_msg& msg) {
      if (msg.reason && msg.reason != caf::exit_reason::user_shutdown) {
        lg.error("the root supervisor stopped", {{"reason", caf::to_string(msg.reason)}});
        p.supervisor_failed.store(true);
        ::kill(::getpid(), SIGTERM);
      }
    });
  });

  // As dockerd, the API opens once the containers are back: restored, reattached, restarted.
  {
    caf::scoped_actor waiter{*p.system};
    auto began = monotonic_nanos();
    waiter->request(p.supervisor, std::chrono::minutes(10), caf::get_atom_v, actors::ready_atom_v)
        .receive([] {},
                 [](caf::error& err) {
                   lg.warn("restoring containers did not finish", {{"error", error_message(err)}});
                 });
    lg.info("containers restored",
            {{"duration_ms", static_cast<double>(monotonic_nanos() - began) / 1e6}});
  }

  p.api = std::make_shared<api::api_context>(*p.system, p.probes, host, p.daemon_id,
                                             std::make_shared<config::daemon_config>(c), catalog);
  p.api->set_registry(p.registry);
  auto docker_dispatch = std::make_shared<api::dispatcher>(api::make_docker_router(), p.api, true);
  p.api_server = std::make_unique<api::http_server>(*p.io, docker_dispatch, api::server_limits{},
                                                    &p.probes->http());
  api::tls_files tls{c.tls_ca_cert, c.tls_cert, c.tls_key};
  for (const auto& host_uri : c.hosts)
    if (auto err = p.api_server->listen_host(host_uri, c.group, c.tls_verify ? &tls : nullptr))
      return err;
  if (!c.metrics_addr.empty()) {
    auto metrics_dispatch =
        std::make_shared<api::dispatcher>(api::make_metrics_router(), p.api, false);
    p.metrics_server =
        std::make_unique<api::http_server>(*p.io, metrics_dispatch, api::server_limits{}, nullptr);
    auto [mhost, mport] = split_host_port(c.metrics_addr);
    if (auto err = p.metrics_server->listen_tcp(mhost, mport, nullptr)) return err;
  }

  p.pidfile = c.pidfile_path();
  if (auto err = sys::write_file_atomic(p.pidfile, std::to_string(::getpid()) + "\n")) return err;
  p.started = true;
  lg.info("berthd started", {{"version", build_info::version},
                             {"commit", build_info::git_commit},
                             {"pid", static_cast<long>(::getpid())},
                             {"data-root", c.data_root},
                             {"exec-root", c.exec_root},
                             {"default-runtime", catalog.default_runtime},
                             {"cgroup-version", host.cgroup_version}});
  return self;
}

void daemon_instance::reload() {
  auto& p = *parts_;
  auto outcome = config::reload_config(p.loaded, p.command_line);
  if (!outcome) {
    lg.error("configuration reload failed, keeping the current settings",
             {{"error", error_message(outcome.error())}});
    return;
  }
  p.loaded = std::move(outcome->next);
  const auto& c = p.loaded.config;
  log::set_level(c.effective_log_level());
  p.api->set_config(std::make_shared<config::daemon_config>(c));
  if (auto err = p.registry->reconfigure(registry_settings_of(c)))
    lg.error("registry settings not applied", {{"error", error_message(err)}});
  if (!outcome->ignored.empty())
    lg.warn("changed settings need a restart to apply", {{"keys", join(outcome->ignored)}});
  lg.info("configuration reloaded", {{"changed", join(outcome->applied)},
                                     {"log-level", log::to_string(c.effective_log_level())},
                                     {"labels", join(c.labels)}});
  // dockerd reports a reload as a daemon event carrying the reloadable settings.
  actors::event ev;
  ev.type = "daemon";
  ev.action = "reload";
  ev.actor_id = p.daemon_id;
  ev.attributes = {{"name", p.api->host().hostname},
                   {"debug", c.debug ? "true" : "false"},
                   {"labels", "[" + join(c.labels) + "]"},
                   {"live-restore", c.live_restore ? "true" : "false"},
                   {"max-concurrent-downloads", std::to_string(c.max_concurrent_downloads)},
                   {"max-concurrent-uploads", std::to_string(c.max_concurrent_uploads)},
                   {"shutdown-timeout", std::to_string(c.shutdown_timeout)}};
  if (auto events =
          actors::directory::lookup<actors::events_actor>(*p.system, actors::directory::events))
    caf::anon_send(events, caf::publish_atom_v, std::move(ev));
}

void daemon_instance::stop() {
  auto& p = *parts_;
  if (p.stopped) return;
  p.stopped = true;
  auto started = monotonic_nanos();
  if (p.started) lg.info("shutting down");
  // 1. No new connections. Pulls and pushes in flight are cancelled and may tell their clients
  // (an error in their stream: a stream that just ends reads as success to the docker CLI).
  for (auto* server : {p.api_server.get(), p.metrics_server.get()})
    if (server) server->stop_accepting();
  if (p.registry) p.registry->shutdown();
  // 2. Idle connections closed; streams ended; answers in flight may finish.
  for (auto* server : {p.api_server.get(), p.metrics_server.get()})
    if (server) server->close_connections();
  auto deadline = std::chrono::steady_clock::now() + drain_timeout;
  auto open_connections = [&p] {
    size_t n = 0;
    for (auto* server : {p.api_server.get(), p.metrics_server.get()})
      if (server) n += server->connection_count();
    return n;
  };
  while (open_connections() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  // 3. Without live restore, containers stop with the daemon (dockerd's behaviour).
  if (p.system && p.started && !p.loaded.config.live_restore) {
    if (auto containers = actors::directory::lookup<actors::containers_manager_actor>(
            *p.system, actors::directory::containers)) {
      caf::scoped_actor self{*p.system};
      self->request(containers, std::chrono::seconds(p.loaded.config.shutdown_timeout + 10),
                    actors::shutdown_atom_v, true)
          .receive([] {},
                   [](caf::error& err) {
                     lg.warn("containers did not all stop", {{"error", error_message(err)}});
                   });
    }
  }
  // 4. Actors stop in reverse start order; the state store flushes as it goes.
  if (p.system && p.supervisor) {
    caf::scoped_actor self{*p.system};
    self->monitor(p.supervisor);
    self->send(p.supervisor, actors::stop_atom_v);
    self->receive([](const caf::down_msg&) {}, caf::after(std::chrono::seconds(5)) >>
                                                   [] { lg.warn("actors did not stop in time"); });
  }
  // 5. I/O threads, then the actor system (which waits for every actor).
  p.api_server.reset();
  p.metrics_server.reset();
  if (p.io) p.io->stop();
  p.api.reset();
  p.system.reset();
  p.store.reset();
  if (!p.pidfile.empty()) ::unlink(p.pidfile.c_str());
  p.lock.reset();
  if (p.started)
    lg.info("berthd stopped",
            {{"duration_ms", static_cast<double>(monotonic_nanos() - started) / 1e6}});
}

} // namespace berth::daemon
