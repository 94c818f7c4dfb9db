// The names the embedded DNS server answers, per network: container names, aliases and short
// IDs → addresses, and addresses → container names for reverse lookups. The daemon writes it when
// endpoints come and go; every container's DNS server reads it on the I/O threads.
//
// Thread-safety: all members may be called from any thread. Readers never wait for a writer's
// work: a writer builds a new immutable snapshot and swaps it in; a reader only copies a pointer
// under a shared lock, then searches without any lock. Lookups are fast enough for the I/O threads.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/ipv4.hpp"

namespace berth::net {

/// Everything one network contributes to name resolution.
struct dns_network_records {
  /// The network's name: queries may ask for "<name>.<network name>", and PTR answers are
  /// "<container name>.<network name>" as in dockerd.
  std::string network_name;
  /// Names (container name, aliases, short ID; any case) → the addresses that answer for them.
  /// Several containers may share an alias: all their addresses are listed.
  std::unordered_map<std::string, std::vector<ipv4_address>> names;
  /// Address → the container name a PTR query for it answers with.
  std::map<ipv4_address, std::string> reverse;
};

class dns_table {
 public:
  dns_table();

  /// Replaces everything network `network_id` contributes.
  void set_entries(const std::string& network_id, dns_network_records records);

  /// Forgets a network (no error when unknown).
  void remove_network(const std::string& network_id);

  /// The addresses of `name` as seen by a container attached to `network_ids`, in the order of
  /// its endpoints. Like dockerd's Sandbox.ResolveName: case-insensitive, an optional trailing
  /// dot; first "a.b.c" in every network, then "a.b" in a network named "c", then "a" in a
  /// network named "b.c". The first network that knows the name answers. Empty: unknown.
  [[nodiscard]] std::vector<ipv4_address> lookup(std::span<const std::string> network_ids,
                                                 std::string_view name) const;

  /// The PTR answer for `address` ("<container>.<network>") from the first of `network_ids`
  /// that knows it.
  [[nodiscard]] std::optional<std::string> reverse_lookup(std::span<const std::string> network_ids,
                                                          ipv4_address address) const;

 private:
  struct network_entry;
  using snapshot = std::unordered_map<std::string, std::shared_ptr<const network_entry>>;

  [[nodiscard]] std::shared_ptr<const snapshot> current() const;
  void replace(const std::string& network_id, std::shared_ptr<const network_entry> entry);

  mutable std::shared_mutex mutex_; // guards the pointer only
  std::shared_ptr<const snapshot> snapshot_;
  std::mutex writer_mutex_; // one writer builds the next snapshot at a time
};

} // namespace berth::net
