// What every manager is started with: the configuration in force, identity, and the probes.
#pragma once

#include <memory>
#include <string>

#include "config/daemon_config.hpp"
#include "runtime/host_info.hpp"
#include "runtime/runtime_catalog.hpp"

namespace berth::metrics {
class daemon_probes;
} // namespace berth::metrics

namespace berth::storage {
class content_store;
class layer_store;
} // namespace berth::storage

namespace berth::runtime {
class shim_watcher;
} // namespace berth::runtime

namespace berth::net {
class dns_table;
} // namespace berth::net

namespace berth::distribution {
class registry_service;
} // namespace berth::distribution

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace berth::actors {

class exec_index;

struct daemon_context {
  config::daemon_config config;
  std::string daemon_id;
  std::shared_ptr<metrics::daemon_probes> probes;
  std::shared_ptr<storage::content_store> content; ///< blobs under <data-root>/content
  std::shared_ptr<storage::layer_store> layers;    ///< unpacked layers under <data-root>/overlay2
  runtime::host_info host;                         ///< kernel, CPUs, cgroup layout
  runtime::runtime_catalog runtimes;               ///< OCI runtimes and the default
  std::string shim_binary;                         ///< path of berth-shim
  std::shared_ptr<runtime::shim_watcher> watcher;  ///< exit notifications on the I/O threads
  boost::asio::io_context* io = nullptr;           ///< the I/O threads (embedded DNS servers)
  std::shared_ptr<net::dns_table> dns;             ///< names the embedded DNS servers answer
  std::shared_ptr<exec_index> execs;               ///< exec ID → container ID (docker exec)
  std::shared_ptr<distribution::registry_service> registry; ///< pulls, pushes, logins
};

} // namespace berth::actors
