// Links by name: exists, delete, list by prefix, counters.
#include "net/link.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "net/netlink.hpp"

namespace berth::net {

caf::expected<bool> link_exists(const std::string& name) {
  auto sock = nl::connect_route_socket();
  if (!sock) return sock.error();
  auto link = nl::get_link(sock->get(), name);
  if (link) return true;
  if (error_kind(link.error()) == errc::not_found) return false;
  return link.error();
}

caf::error delete_link(const std::string& name) {
  if (auto err = nl::check_link_name(name)) return err;
  auto sock = nl::connect_route_socket();
  if (!sock) return sock.error();
  nl::link_ptr link{rtnl_link_alloc()};
  if (!link) return make_error(errc::system, "netlink: cannot allocate a link");
  rtnl_link_set_name(link.get(), name.c_str());
  int rc = rtnl_link_delete(sock->get(), link.get());
  if (rc < 0 && !nl::is_missing(rc)) return nl::error("netlink delete link " + name, rc);
  return {};
}

caf::expected<std::vector<std::string>> links_with_prefix(const std::string& prefix) {
  auto sock = nl::connect_route_socket();
  if (!sock) return sock.error();
  nl_cache* raw = nullptr;
  if (int rc = rtnl_link_alloc_cache(sock->get(), AF_UNSPEC, &raw); rc < 0)
    return nl::error("netlink list links", rc);
  nl::cache_ptr cache{raw};
  std::vector<std::string> names;
  nl::for_each<rtnl_link>(cache.get(), [&](rtnl_link* link) {
    const char* name = rtnl_link_get_name(link);
    if (name && std::string_view{name}.starts_with(prefix)) names.emplace_back(name);
  });
  std::sort(names.begin(), names.end());
  return names;
}

caf::expected<link_statistics> read_link_statistics(const std::string& name) {
  auto sock = nl::connect_route_socket();
  if (!sock) return sock.error();
  auto link = nl::get_link(sock->get(), name);
  if (!link) return link.error();
  auto stat = [&](rtnl_link_stat_id_t id) { return rtnl_link_get_stat(link->get(), id); };
  return link_statistics{
      .rx_bytes = stat(RTNL_LINK_RX_BYTES),
      .rx_packets = stat(RTNL_LINK_RX_PACKETS),
      .rx_errors = stat(RTNL_LINK_RX_ERRORS),
      .rx_dropped = stat(RTNL_LINK_RX_DROPPED),
      .tx_bytes = stat(RTNL_LINK_TX_BYTES),
      .tx_packets = stat(RTNL_LINK_TX_PACKETS),
      .tx_errors = stat(RTNL_LINK_TX_ERRORS),
      .tx_dropped = stat(RTNL_LINK_TX_DROPPED),
  };
}

} // namespace berth::net
