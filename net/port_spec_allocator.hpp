// Host ports for published container ports, as libnetwork's portallocator hands them out:
// per host address and protocol, where 0.0.0.0 (or ::) conflicts with every address of its
// family; exact ports, ranges and ephemeral ports (from the kernel's ip_local_port_range),
// each range scanned onwards from the last port it gave.
//
// Not thread-safe: one instance, owned by the networks manager (or whoever publishes ports).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "net/ipam_ip_address.hpp"
#include "net/port_spec.hpp"

namespace berth::net {

/// The ephemeral range; dockerd's fallback when the kernel's cannot be read is 49153-65535.
struct port_range {
  uint16_t begin = 49153;
  uint16_t end = 65535;
  bool operator==(const port_range&) const = default;
};

/// Parses /proc/sys/net/ipv4/ip_local_port_range ("32768\t60999\n").
[[nodiscard]] std::optional<port_range> parse_ip_local_port_range(std::string_view text);

/// Reads the kernel's range (a small blocking read), or the fallback.
[[nodiscard]] port_range
read_ip_local_port_range(const std::string& path = "/proc/sys/net/ipv4/ip_local_port_range");

/// libnetwork's PortAllocator.
class port_allocator {
 public:
  explicit port_allocator(port_range ephemeral = {});

  /// Takes one port for `proto` on every address of `host_ips`: `start` = `end` = 0 an
  /// ephemeral one, `start` = `end` exactly that one, else the next free one of the range.
  /// Errors (internal, as dockerd reports them): "Bind for 0.0.0.0:8080 failed: port is already
  /// allocated", "all ports are allocated", "unknown protocol", "invalid port range: 0-5",
  /// "no IP addresses specified", "invalid IP address: x".
  [[nodiscard]] caf::expected<uint16_t> request(const std::vector<std::string>& host_ips,
                                                const std::string& proto, uint16_t start,
                                                uint16_t end);

  /// Gives a port back (unknown addresses and ports are ignored).
  void release(const std::string& host_ip, const std::string& proto, uint16_t port);

  /// Whether `port` is taken on exactly this address.
  [[nodiscard]] bool is_allocated(const std::string& host_ip, const std::string& proto,
                                  uint16_t port) const;

  [[nodiscard]] const port_range& ephemeral() const { return ephemeral_; }

 private:
  struct range_cursor {
    int begin = 0;
    int end = 0;
    int last = 0; ///< the last port given; a new range starts scanning at `begin`
  };
  struct port_map {
    std::set<int> used;
    std::map<std::pair<int, int>, range_cursor> ranges;
  };
  using key = std::pair<ip_address, std::string>; ///< (address, protocol)
  struct reference {
    port_map* map = nullptr;
    ip_address address;
    bool allocate = false;
  };

  port_map& map_for(const ip_address& address, const std::string& proto);
  [[nodiscard]] caf::expected<std::vector<reference>>
  references(const std::vector<std::string>& host_ips, const std::string& proto);
  range_cursor& cursor(port_map& map, int start, int end);

  port_range ephemeral_;
  std::map<key, port_map> maps_;
};

/// Takes a host port for every group (libnetwork's bindHostPorts without the sockets): the
/// mappings in group order, one per host address. On failure, releases what it took.
[[nodiscard]] caf::expected<std::vector<published_port>>
allocate_port_bindings(const std::vector<port_binding_group>& groups, port_allocator& allocator);

/// Releases every mapping's host port.
void release_port_bindings(const std::vector<published_port>& mappings, port_allocator& allocator);

} // namespace berth::net
