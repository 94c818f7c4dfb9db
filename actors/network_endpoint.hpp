// A container's attachment to a network: what the container asks for (endpoint_request) and what
// the network gave it (endpoint_info). The network actor stores the infos of its endpoints; the
// container stores the infos of its networks (NetworkSettings.Networks).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "base/ipv4.hpp"

namespace berth::actors {

struct endpoint_request {
  std::string container_id;
  std::string container_name;
  std::string network;              ///< name or ID, as the container names it
  std::vector<std::string> aliases; ///< --network-alias
  std::string ipv4;                 ///< --ip ("" = the next free address)
  std::string mac;                  ///< --mac-address ("" = derived from the address)
  std::string netns_path;           ///< the running container's namespace ("" = not running)
  std::string ifname = "eth0";      ///< the interface inside the container
  bool default_route = true;        ///< the first network gives the default route
};

struct endpoint_info {
  std::string network_id;
  std::string network_name;
  std::string endpoint_id;
  std::string host_ifname; ///< the veth end on the bridge ("" when not made)
  std::string ifname;      ///< inside the container
  std::string bridge;
  std::string mac;
  ipv4_cidr address;
  std::optional<ipv4_address> gateway;
  bool embedded_dns = false;          ///< a user-defined network: 127.0.0.11 answers its names
  std::vector<std::string> aliases;   ///< as requested
  std::vector<std::string> dns_names; ///< name, aliases, short ID
  std::string container_name;
};

[[nodiscard]] nlohmann::json to_json(const endpoint_info& e);
[[nodiscard]] caf::expected<endpoint_info> endpoint_from_json(const nlohmann::json& j);

} // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::endpoint_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::endpoint_info)
