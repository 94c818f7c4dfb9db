// The bridge driver's packet filter: one nftables table per daemon (family ip, plus a bridge-family
// table of the same name for icc=false), named by a configurable prefix so several daemons coexist.
// Nothing outside these two tables is touched. Each change is one nft transaction: applied whole
// or, on error, not at all (the error carries nft's message, errc::system).
//
// Thread-safety: the object is an immutable value; every method is blocking (runs nft) and may be
// called from any thread. Changes that read the table first (add/remove network or ports) must be
// serialized per table by the caller — one owner (the networks actor) per prefix.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "net/nft_command.hpp"
#include "net/nft_rules.hpp"
#include "net/nft_state.hpp"

namespace berth::net {

/// Berth's nftables tables `ip <prefix>` and `bridge <prefix>` in one network namespace.
class nft_table {
 public:
  /// `netns`: the pinned network namespace whose ruleset to edit (empty: the daemon's own).
  explicit nft_table(std::string prefix = "berth", std::string netns = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds{10});

  [[nodiscard]] const std::string& prefix() const { return prefix_; }
  [[nodiscard]] const std::string& netns() const { return runner_.netns; }

  /// Creates the tables, maps, sets and base chains, and rewrites the base chains' rules.
  /// Idempotent; networks and published ports already present are kept.
  [[nodiscard]] caf::error ensure_table() const;

  /// Deletes both tables with everything in them; missing tables are fine.
  [[nodiscard]] caf::error delete_table() const;

  /// Installs (or replaces) a network's forwarding and NAT rules. Replaces whatever the table holds
  /// for the same ID or the same bridge. Creates the tables when missing.
  [[nodiscard]] caf::error add_network(const network_rules& n) const;

  /// Removes a network's rules; an unknown ID is not an error. Its published ports are the
  /// owners' business (remove them with remove_port_mappings).
  [[nodiscard]] caf::error remove_network(std::string_view id) const;

  /// Publishes ports for `owner`: adds them, or updates ones `owner` already published with the
  /// same host address, protocol and port. A host side published by another owner is
  /// errc::conflict ("port is already allocated"), and nothing changes. Enables route_localnet on
  /// each mapping's bridge (so 127.0.0.1:<host_port> works). Creates the tables when missing.
  [[nodiscard]] caf::error add_port_mappings(std::string_view owner,
                                             const std::vector<port_mapping>& mappings) const;

  /// Removes every port `owner` published; other owners' ports are untouched. No ports: no-op.
  [[nodiscard]] caf::error remove_port_mappings(std::string_view owner) const;

  /// Replaces both tables' contents with exactly these networks and ports, in one transaction
  /// (after a daemon restart). Established connections keep their NAT (it lives in conntrack).
  [[nodiscard]] caf::error rebuild(const std::vector<network_rules>& networks,
                                   const std::vector<owned_port_mappings>& ports) const;

  /// The published ports grouped by owner, in the table's order (bridges are not recorded: empty).
  [[nodiscard]] caf::expected<std::vector<owned_port_mappings>> list_port_mappings() const;

  /// What the tables hold: bridges, icc=false subnets, published ports.
  [[nodiscard]] caf::expected<nft_state> read() const;

  /// `nft list table` text of both tables (an absent table lists as nothing), for logs and tests.
  [[nodiscard]] caf::expected<std::string> listing() const;

 private:
  [[nodiscard]] caf::error apply(std::string_view what, const std::string& script) const;
  [[nodiscard]] caf::error enable_route_localnet(const std::vector<std::string>& bridges) const;
  /// "ip" and/or "bridge": which of the two tables exist.
  [[nodiscard]] caf::expected<std::vector<std::string>> existing_families() const;

  std::string prefix_;
  nft_runner runner_;
};

} // namespace berth::net
