// Host port allocation after libnetwork's portallocator.
#include "net/port_spec_allocator.hpp"

#include <fstream>
#include <sstream>

#include "base/error.hpp"

namespace berth::net {

namespace {

caf::error failure(std::string message) {
  return make_error(errc::internal, std::move(message));
}

bool known_protocol(const std::string& proto) {
  return proto == "tcp" || proto == "udp" || proto == "sctp";
}

} // namespace

std::optional<port_range> parse_ip_local_port_range(std::string_view text) {
  std::istringstream in{std::string(text)};
  long begin = 0, end = 0;
  if (!(in >> begin >> end) || begin < 1 || end > 65535 || end < begin) return std::nullopt;
  return port_range{static_cast<uint16_t>(begin), static_cast<uint16_t>(end)};
}

port_range read_ip_local_port_range(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return parse_ip_local_port_range(text.str()).value_or(port_range{});
}

port_allocator::port_allocator(port_range ephemeral) : ephemeral_(ephemeral) {}

port_allocator::port_map& port_allocator::map_for(const ip_address& address,
                                                  const std::string& proto) {
  return maps_[{address, proto}];
}

port_allocator::range_cursor& port_allocator::cursor(port_map& map, int start, int end) {
  auto [it, fresh] = map.ranges.try_emplace({start, end});
  if (fresh) it->second = {start, end, end};
  return it->second;
}

caf::expected<std::vector<port_allocator::reference>>
port_allocator::references(const std::vector<std::string>& host_ips, const std::string& proto) {
  std::vector<reference> refs;
  auto add = [&](const ip_address& a, bool allocate) {
    for (auto& r : refs) {
      if (r.address == a) {
        r.allocate = r.allocate || allocate;
        return;
      }
    }
    refs.push_back({&map_for(a, proto), a, allocate});
  };
  bool has_v4 = false, has_v6 = false;
  for (const auto& text : host_ips) {
    auto a = ip_address::parse(text);
    if (!a) return failure("invalid IP address: " + text);
    (a->is_ipv4() ? has_v4 : has_v6) = true;
    add(*a, true);
  }
  // A port on 0.0.0.0 (::) must be free on every address of the family; a port on a specific
  // address must be free on 0.0.0.0 (::) too.
  for (const auto& any : {ip_address::ipv4_any(), ip_address::ipv6_any()}) {
    bool requested = false;
    for (const auto& r : refs)
      requested = requested || (r.allocate && r.address == any);
    if (requested) {
      std::vector<ip_address> same_family;
      for (const auto& [k, m] : maps_) {
        if (k.second == proto && k.first.family == any.family) same_family.push_back(k.first);
      }
      for (const auto& a : same_family)
        add(a, false);
    } else if (any.is_ipv4() ? has_v4 : has_v6) {
      add(any, false);
    }
  }
  return refs;
}

caf::expected<uint16_t> port_allocator::request(const std::vector<std::string>& host_ips,
                                                const std::string& proto, uint16_t start,
                                                uint16_t end) {
  if (!known_protocol(proto)) return failure("unknown protocol");
  if ((start != 0 || end != 0) && (start == 0 || end == 0 || end < start))
    return failure("invalid port range: " + std::to_string(start) + "-" + std::to_string(end));
  if (host_ips.empty()) return failure("no IP addresses specified");
  auto refs = references(host_ips, proto);
  if (!refs) return refs.error();

  if (start > 0 && start == end) {
    for (const auto& r : *refs) {
      if (r.map->used.count(start))
        return failure("Bind for " + r.address.to_string() + ":" + std::to_string(start) +
                       " failed: port is already allocated");
    }
    for (auto& r : *refs) {
      if (r.allocate) r.map->used.insert(start);
    }
    return start;
  }

  int lo = start == 0 ? ephemeral_.begin : start;
  int hi = end == 0 ? ephemeral_.end : end;
  for (auto& r : *refs)
    cursor(*r.map, lo, hi);
  // Scan onwards from the last port the first address's range gave, wrapping around.
  const auto first = cursor(*refs->front().map, lo, hi);
  int port = first.last;
  for (int i = first.begin; i <= first.end; ++i) {
    if (++port > first.end) port = first.begin;
    bool taken = false;
    for (const auto& r : *refs)
      taken = taken || r.map->used.count(port) > 0;
    if (taken) continue;
    for (auto& r : *refs) {
      if (!r.allocate) continue;
      r.map->used.insert(port);
      cursor(*r.map, lo, hi).last = port;
    }
    return static_cast<uint16_t>(port);
  }
  return failure("all ports are allocated");
}

void port_allocator::release(const std::string& host_ip, const std::string& proto, uint16_t port) {
  auto a = ip_address::parse(host_ip);
  if (!a) return;
  if (auto it = maps_.find({*a, proto}); it != maps_.end()) it->second.used.erase(port);
}

bool port_allocator::is_allocated(const std::string& host_ip, const std::string& proto,
                                  uint16_t port) const {
  auto a = ip_address::parse(host_ip);
  if (!a) return false;
  auto it = maps_.find({*a, proto});
  return it != maps_.end() && it->second.used.count(port) > 0;
}

caf::expected<std::vector<published_port>>
allocate_port_bindings(const std::vector<port_binding_group>& groups, port_allocator& allocator) {
  std::vector<published_port> made;
  for (const auto& g : groups) {
    auto port = allocator.request(g.host_ips, g.proto, g.host_port, g.host_port_end);
    if (!port) {
      release_port_bindings(made, allocator);
      return port.error();
    }
    for (const auto& ip : g.host_ips)
      made.push_back({g.proto, ip, *port, g.container_port});
  }
  return made;
}

void release_port_bindings(const std::vector<published_port>& mappings, port_allocator& allocator) {
  for (const auto& m : mappings)
    allocator.release(m.host_ip, m.proto, m.host_port);
}

} // namespace berth::net
