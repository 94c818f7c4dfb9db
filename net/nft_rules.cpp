// Validation of the packet-filter requests: everything here ends up in an nft script, so names
// are restricted to characters that need no quoting and cannot break out of a string.
#include "net/nft_rules.hpp"

#include <algorithm>

#include "base/error.hpp"

namespace berth::net {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool only(std::string_view text, std::string_view extra) {
  return std::all_of(text.begin(), text.end(), [&](char c) {
    return is_alnum(c) || extra.find(c) != std::string_view::npos;
  });
}

caf::error invalid(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

caf::error validate_bridge_name(std::string_view bridge) {
  // IFNAMSIZ - 1 characters; '/', ':' and spaces are not allowed by the kernel either.
  if (bridge.empty() || bridge.size() > 15 || !only(bridge, "_.-") || bridge == "." ||
      bridge == "..")
    return invalid("invalid bridge name \"" + std::string{bridge} + "\"");
  return {};
}

} // namespace

const char* to_string(ip_protocol p) {
  return p == ip_protocol::udp ? "udp" : "tcp";
}

caf::error validate_table_prefix(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > 32 || !is_alnum(prefix[0]) ||
      (prefix[0] >= '0' && prefix[0] <= '9') || !only(prefix, "_-"))
    return invalid("invalid nftables table prefix \"" + std::string{prefix} + "\"");
  return {};
}

caf::error validate_rule_owner(std::string_view what, std::string_view id) {
  if (id.empty() || id.size() > 100 || !only(id, "_.:-"))
    return invalid("invalid " + std::string{what} + " \"" + std::string{id} + "\"");
  return {};
}

caf::error validate(const network_rules& n) {
  if (auto err = validate_rule_owner("network id", n.id)) return err;
  if (auto err = validate_bridge_name(n.bridge)) return err;
  if (n.subnet.prefix < 1 || n.subnet.prefix > 32)
    return invalid("invalid subnet " + n.subnet.to_string() + " for network " + n.id);
  return {};
}

caf::error validate(const port_mapping& m) {
  if (m.host_port == 0 || m.container_port == 0)
    return invalid("a published port needs a host port and a container port");
  if (m.container_ip.value == 0) return invalid("a published port needs a container address");
  if (!m.bridge.empty())
    if (auto err = validate_bridge_name(m.bridge)) return err;
  return {};
}

} // namespace berth::net
