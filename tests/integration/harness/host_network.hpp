// What a test daemon's networking looks like from the host: per-test names and subnets chosen so
// that parallel tests never collide (nor touch the host's own networks), and read-only views of
// the links, nftables tables and namespace pins a daemon made under its prefix.
#pragma once

#include <string>
#include <vector>

namespace berth::test {

/// A random network prefix for one test daemon: "t" followed by 5 of [a-z0-9] (Berth's
/// --network-prefix takes 1-6 of [a-z0-9], starting with a letter).
[[nodiscard]] std::string random_network_prefix();

/// The IPv4 destinations of every route on the host, in all tables (the default route is left
/// out: it overlaps everything), as CIDRs; a route to one address gives "a.b.c.d/32".
[[nodiscard]] std::vector<std::string> host_ipv4_routes();

/// A random 10.a.b.c/len (a in 100..249, len in 8..24) that overlaps no host route and none of
/// `avoid` (CIDRs). The network address, e.g. "10.123.45.0/24".
[[nodiscard]] std::string random_free_subnet(int prefix_len,
                                             const std::vector<std::string>& avoid = {});

/// Host links whose name starts with `prefix` (e.g. "<p>0", "<p>-1a2b3c4d", "<p>v0a1b2c3d"),
/// without the "@peer" suffix `ip` shows for veths. Empty when `prefix` is empty.
[[nodiscard]] std::vector<std::string> links_with_prefix(const std::string& prefix);

/// The text of `nft list table ip <prefix>` followed by `nft list table bridge <prefix>`; an
/// absent table contributes nothing, so the result is empty when the daemon made neither.
[[nodiscard]] std::string nft_tables_text(const std::string& prefix);

/// The namespace pins under `<exec_root>/netns` (file names).
[[nodiscard]] std::vector<std::string> netns_pins(const std::string& exec_root);

} // namespace berth::test
