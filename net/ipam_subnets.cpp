// Choosing a network's subnet from the predefined address pools.
#include "net/ipam_subnets.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "base/error.hpp"

namespace berth::net {

namespace {

ipv4_cidr cidr(const char* text) {
  return *ipv4_cidr::parse(text);
}

bool prefix_less(const ipv4_cidr& a, const ipv4_cidr& b) {
  if (a.address != b.address) return a.address < b.address;
  return a.prefix < b.prefix;
}

/// Sorts by base and drops pools overlapping an earlier (hence larger or equal) one, so a pool
/// nested in another is never carved separately (libnetwork's newAddrSpace).
std::vector<predefined_pool> normalize(std::vector<predefined_pool> pools) {
  for (auto& p : pools)
    p.base = p.base.canonical();
  std::stable_sort(pools.begin(), pools.end(),
                   [](const auto& a, const auto& b) { return prefix_less(a.base, b.base); });
  std::vector<predefined_pool> out;
  for (const auto& p : pools) {
    if (out.empty() || !out.back().base.overlaps(p.base)) out.push_back(p);
  }
  return out;
}

const ipv4_cidr* first_overlap(const ipv4_cidr& candidate, const std::vector<ipv4_cidr>& taken) {
  for (const auto& t : taken) {
    if (t.overlaps(candidate)) return &t;
  }
  return nullptr;
}

} // namespace

std::vector<predefined_pool> default_local_address_pools() {
  return {
      {cidr("172.17.0.0/16"), 16},  {cidr("172.18.0.0/16"), 16}, {cidr("172.19.0.0/16"), 16},
      {cidr("172.20.0.0/14"), 16},  {cidr("172.24.0.0/14"), 16}, {cidr("172.28.0.0/14"), 16},
      {cidr("192.168.0.0/16"), 20},
  };
}

caf::expected<std::vector<predefined_pool>>
local_address_pools(const std::vector<config::address_pool>& configured) {
  if (configured.empty()) return default_local_address_pools();
  std::vector<predefined_pool> out;
  for (size_t i = 0; i < configured.size(); ++i) {
    const auto& c = configured[i];
    auto shown = "network at index " + std::to_string(i) + " (&{" + c.base + " " +
                 std::to_string(c.size) + "})";
    auto base = ipv4_cidr::parse(c.base);
    if (!base || c.size <= 0 || c.size > 32)
      return make_error(errc::invalid_argument, "could not construct local address space: " +
                                                    shown + " is not in canonical form");
    if (base->prefix > c.size)
      return make_error(errc::invalid_argument,
                        "could not construct local address space: " + shown +
                            " has a smaller prefix (/" + std::to_string(base->prefix) +
                            ") than the target size of that pool (/" + std::to_string(c.size) +
                            ")");
    out.push_back({base->canonical(), c.size});
  }
  return out;
}

caf::expected<ipv4_cidr> pick_subnet(std::vector<predefined_pool> pools,
                                     const std::vector<ipv4_cidr>& taken) {
  for (const auto& pool : normalize(std::move(pools))) {
    const uint64_t block = uint64_t{1} << (32 - pool.size);
    const uint64_t last = pool.base.broadcast().value;
    uint64_t start = pool.base.network().value;
    while (start + block - 1 <= last) {
      ipv4_cidr candidate{{static_cast<uint32_t>(start)}, pool.size};
      const auto* hit = first_overlap(candidate, taken);
      if (hit == nullptr) return candidate;
      // Skip past the candidate and the prefix in its way; both ends are block-aligned (the
      // prefix either holds the candidate or lies inside it).
      start = uint64_t{std::max(candidate.broadcast().value, hit->broadcast().value)} + 1;
    }
  }
  return make_error(errc::invalid_argument,
                    "all predefined address pools have been fully subnetted");
}

} // namespace berth::net
