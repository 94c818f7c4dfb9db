// Docker's embedded DNS server for one container on user-defined networks: answers on
// 127.0.0.11:53 (UDP and TCP) inside the container's network namespace, resolves the names of the
// container's networks itself, and forwards everything else to upstream servers (dockerd's
// libnetwork Resolver).
//
// It runs on the daemon's I/O threads (the io_context is passed in) and never blocks: one strand
// per server serializes its handlers, so several I/O threads may run the io_context.
// Thread-safety: start(), stop(), counters() and the destructor may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "base/ipv4.hpp"
#include "net/dns_sockets.hpp"
#include "net/dns_upstream.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace berth::net {

/// The container's view of names: the addresses of `name` (presentation form, no trailing dot,
/// case as asked), or empty when the container's networks do not know it. Called on an I/O
/// thread for every A/AAAA/MX query, so it must be fast and must not block: the daemon backs it
/// with a dns_table (lock-free reads of an immutable snapshot) plus the container's own links.
using dns_lookup = std::function<std::vector<ipv4_address>(std::string_view name)>;

/// The container's view of addresses, for PTR queries: "<container>.<network>", or nullopt to
/// forward the query. Same rules as dns_lookup.
using dns_reverse_lookup = std::function<std::optional<std::string>(ipv4_address address)>;

/// Tunables; the defaults suit a container.
struct dns_server_options {
  /// Servers tried in order for names the container's networks do not know (dockerd uses the
  /// first three nameservers of the host's or the container's resolv.conf). None: SERVFAIL.
  std::vector<dns_upstream> upstreams;
  /// How long one upstream server has to answer before the next one is asked.
  std::chrono::milliseconds upstream_timeout{2000};
  /// Queries being forwarded at once; beyond this clients get REFUSED (dockerd: 1024).
  size_t max_forwards = 1024;
  /// TCP clients served at once; further connections are closed at once.
  size_t max_tcp_connections = 64;
  /// A TCP connection with no complete query (or a stuck reply) for this long is closed.
  std::chrono::milliseconds tcp_idle_timeout{10000};
};

/// What the server did, for metrics. Monotonic counts since start.
struct dns_server_counters {
  uint64_t queries = 0;          ///< well-formed queries received (UDP and TCP)
  uint64_t answered_locally = 0; ///< answered from the container's names
  uint64_t forwarded = 0;        ///< replies relayed from an upstream server
  uint64_t forward_failures = 0; ///< SERVFAIL after every upstream failed (or there were none)
  uint64_t refused = 0;          ///< REFUSED because max_forwards were in flight
  uint64_t malformed = 0;        ///< unparseable messages (FORMERR or dropped)
  uint64_t dropped = 0;          ///< replies not sent (socket full) and TCP clients turned away
};

class dns_server {
 public:
  /// Starts serving on `sockets` (from bind_dns_sockets; the server owns them from now on).
  [[nodiscard]] static caf::expected<std::unique_ptr<dns_server>>
  start(boost::asio::io_context& io, dns_sockets sockets, dns_lookup lookup,
        dns_server_options options = {}, dns_reverse_lookup reverse_lookup = {});

  /// Stops (see stop()); handlers still queued finish harmlessly afterwards.
  ~dns_server();
  dns_server(const dns_server&) = delete;
  dns_server& operator=(const dns_server&) = delete;

  /// Stops serving: when it returns the lookups are never called again and have been released;
  /// the sockets, TCP connections and forwards close on the strand right after (at once when
  /// called on it). Idempotent.
  void stop();

  [[nodiscard]] dns_server_counters counters() const;

  struct impl;

 private:
  explicit dns_server(std::shared_ptr<impl> state);
  std::shared_ptr<impl> impl_;
};

} // namespace berth::net
