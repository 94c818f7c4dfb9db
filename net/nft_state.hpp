// What Berth's nft tables hold, read back from `nft -j list table ...`: which bridges dispatch to
// which network, which subnets have icc off, and which ports are published by whom. Removals are
// planned from this (nft deletes elements by key, and the keys live only in the kernel).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "base/ipv4.hpp"
#include "net/nft_rules.hpp"

namespace berth::net {

/// One element of a jump map: `bridge` dispatches to the chains of network `id`.
struct nft_jump_entry {
  std::string map;
  std::string bridge;
  std::string id;
};

/// One icc=false subnet of network `id`.
struct nft_icc_entry {
  ipv4_cidr subnet;
  std::string id;
};

/// One published port and its owner (the mapping's bridge is not stored in nft: it is empty).
struct nft_port_entry {
  std::string owner;
  port_mapping mapping;
};

/// The parts of Berth's tables that operations change.
struct nft_state {
  bool ip_table = false;     ///< table ip <prefix> exists
  bool bridge_table = false; ///< table bridge <prefix> exists
  std::vector<nft_jump_entry> jumps;
  std::vector<nft_icc_entry> icc_off;
  std::vector<nft_port_entry> ports;
};

/// Reads the names of tables of `family` from `nft -j list tables` output.
[[nodiscard]] caf::expected<std::vector<std::string>>
parse_nft_table_names(std::string_view json, std::string_view family);

/// Adds what `nft -j list table ip <prefix>` shows to `state` (maps only; rules are Berth's own
/// and rewritten whole). Elements Berth did not write (no comment, other types) are skipped.
[[nodiscard]] caf::error parse_nft_ip_table(std::string_view json, nft_state& state);

/// Adds what `nft -j list table bridge <prefix>` shows to `state`.
[[nodiscard]] caf::error parse_nft_bridge_table(std::string_view json, nft_state& state);

} // namespace berth::net
