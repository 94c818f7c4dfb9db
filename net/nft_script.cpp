// The nft commands behind each packet-filter change.
#include "net/nft_script.hpp"

namespace berth::net::nft_script {

namespace {

constexpr const char* icc_off_set = "icc_off_subnets";

std::string quoted(std::string_view text) {
  return "\"" + std::string{text} + "\"";
}

// A line "<verb> <what> <family> <prefix> <rest>", e.g. "add rule ip berth forward ...".
std::string command(std::string_view verb, std::string_view what, std::string_view family,
                    const std::string& prefix, std::string_view rest) {
  std::string line;
  line.append(verb).append(" ").append(what).append(" ").append(family).append(" ");
  line.append(prefix).append(" ").append(rest).append("\n");
  return line;
}

std::string ip(std::string_view verb, std::string_view what, const std::string& prefix,
               std::string_view rest) {
  return command(verb, what, "ip", prefix, rest);
}

std::string rule(const std::string& prefix, const std::string& chain, std::string_view body) {
  return ip("add", "rule", prefix, chain + " " + std::string{body});
}

std::string network_subnet(const network_rules& n) {
  return n.subnet.canonical().to_string();
}

// The key of a published port in its map: "[host_ip . ]proto . port".
std::string port_key(const port_mapping& m) {
  std::string key;
  if (m.host_ip.value != 0) key = m.host_ip.to_string() + " . ";
  return key + to_string(m.proto) + " . " + std::to_string(m.host_port);
}

const char* port_map(const port_mapping& m) {
  return m.host_ip.value != 0 ? "publish_addr" : "publish_any";
}

std::string ip_skeleton(const std::string& p) {
  std::string s = ip("add", "table", p, "");
  for (const char* map : jump_maps)
    s += ip("add", "map", p, std::string{map} + " { type ifname : verdict; }");
  s +=
      ip("add", "map", p,
         "publish_addr { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }");
  s += ip("add", "map", p,
          "publish_any { type inet_proto . inet_service : ipv4_addr . inet_service; }");
  s += ip("add", "chain", p,
          "prerouting { type nat hook prerouting priority dstnat; policy accept; }");
  s += ip("add", "chain", p, "output { type nat hook output priority -100; policy accept; }");
  s += ip("add", "chain", p,
          "postrouting { type nat hook postrouting priority srcnat; policy accept; }");
  s +=
      ip("add", "chain", p, "forward { type filter hook forward priority filter; policy accept; }");
  s += ip("add", "chain", p, "publish");
  for (const char* chain : {"prerouting", "output", "postrouting", "forward", "publish"})
    s += ip("flush", "chain", p, chain);
  // Published ports answer on local addresses only, for traffic from outside, from containers
  // (prerouting) and from the host itself, 127.0.0.1 included (output).
  s += rule(p, "prerouting", "fib daddr type local jump publish");
  s += rule(p, "output", "fib daddr type local jump publish");
  s += rule(p, "publish", "dnat ip to ip daddr . meta l4proto . th dport map @publish_addr");
  s += rule(p, "publish", "dnat ip to meta l4proto . th dport map @publish_any");
  s += rule(p, "postrouting", "iifname vmap @postrouting_out");
  s += rule(p, "postrouting", "oifname vmap @postrouting_in");
  s += rule(p, "forward", "oifname vmap @forward_in");
  s += rule(p, "forward", "iifname vmap @forward_out");
  return s;
}

std::string bridge_skeleton(const std::string& p) {
  std::string s = command("add", "table", "bridge", p, "");
  s += command("add", "set", "bridge", p,
               std::string{icc_off_set} + " { type ipv4_addr; flags interval; }");
  s += command("add", "chain", "bridge", p,
               "forward { type filter hook forward priority filter; policy accept; }");
  s += command("flush", "chain", "bridge", p, "forward");
  s += command("add", "rule", "bridge", p,
               "forward ip daddr @" + std::string{icc_off_set} + " drop comment \"icc off\"");
  return s;
}

// Traffic into the bridge from anywhere (oifname == bridge).
std::string forward_in_rules(const std::string& p, const network_rules& n) {
  auto chain = network_chain("forward_in", n.bridge);
  std::string s = rule(p, chain, "ct state established,related accept");
  s += rule(p, chain,
            "iifname " + quoted(n.bridge) +
                (n.icc ? " accept comment \"icc\"" : " drop comment \"icc off\""));
  if (!n.internal) s += rule(p, chain, "ct status dnat accept comment \"published ports\"");
  s += rule(p, chain,
            n.internal ? "drop comment \"internal\""
                       : "drop comment \"unpublished ports and other networks\"");
  return s;
}

// Traffic from the bridge to anywhere else (iifname == bridge, oifname != bridge).
std::string forward_out_rules(const std::string& p, const network_rules& n) {
  auto chain = network_chain("forward_out", n.bridge);
  return rule(p, chain, n.internal ? "drop comment \"internal\"" : "accept");
}

// Source NAT of traffic entering the bridge (oifname == bridge).
std::string postrouting_in_rules(const std::string& p, const network_rules& n) {
  if (n.internal) return {};
  auto chain = network_chain("postrouting_in", n.bridge);
  // The host reaching a published port through 127.0.0.1 (needs route_localnet on the bridge).
  std::string s = rule(p, chain, "ip saddr 127.0.0.0/8 masquerade comment \"from localhost\"");
  // A container reaching a published port on this same bridge through a host address: without
  // br_netfilter the reply would bypass the host and never be un-DNATed.
  s += rule(p, chain,
            "iifname " + quoted(n.bridge) + " ct status dnat masquerade comment \"hairpin\"");
  return s;
}

// Source NAT of traffic leaving the bridge (iifname == bridge).
std::string postrouting_out_rules(const std::string& p, const network_rules& n) {
  if (n.internal || !n.masquerade) return {};
  return rule(p, network_chain("postrouting_out", n.bridge),
              "oifname != " + quoted(n.bridge) + " ip saddr " + network_subnet(n) +
                  " masquerade comment \"ip-masq\"");
}

} // namespace

std::string network_chain(std::string_view jump_map, std::string_view bridge) {
  return std::string{jump_map} + "-" + std::string{bridge};
}

std::string ensure_tables(const std::string& prefix) {
  return ip_skeleton(prefix) + bridge_skeleton(prefix);
}

std::string delete_tables(const std::string& prefix) {
  // "add" first makes the delete valid when the table is missing; both run in one transaction.
  std::string s;
  for (const char* family : {"ip", "bridge"}) {
    s += command("add", "table", family, prefix, "");
    s += command("delete", "table", family, prefix, "");
  }
  return s;
}

std::string add_network(const std::string& prefix, const network_rules& n) {
  std::string s;
  for (const char* map : jump_maps) {
    auto chain = network_chain(map, n.bridge);
    s += ip("add", "chain", prefix, chain);
    s += ip("flush", "chain", prefix, chain);
  }
  s += forward_in_rules(prefix, n);
  s += forward_out_rules(prefix, n);
  s += postrouting_in_rules(prefix, n);
  s += postrouting_out_rules(prefix, n);
  for (const char* map : jump_maps)
    s += ip("add", "element", prefix,
            std::string{map} + " { " + quoted(n.bridge) + " comment " + quoted(n.id) + " : jump " +
                network_chain(map, n.bridge) + " }");
  if (!n.icc)
    s += command("add", "element", "bridge", prefix,
                 std::string{icc_off_set} + " { " + network_subnet(n) + " comment " + quoted(n.id) +
                     " }");
  return s;
}

std::string delete_jump(const std::string& prefix, std::string_view map,
                        const std::string& bridge) {
  return ip("delete", "element", prefix, std::string{map} + " { " + quoted(bridge) + " }");
}

std::string delete_network_chains(const std::string& prefix, const std::string& bridge) {
  std::string s;
  for (const char* map : jump_maps) {
    auto chain = network_chain(map, bridge);
    s += ip("add", "chain", prefix, chain);
    s += ip("flush", "chain", prefix, chain);
    s += ip("delete", "chain", prefix, chain);
  }
  return s;
}

std::string delete_icc_off(const std::string& prefix, const ipv4_cidr& subnet) {
  return command("delete", "element", "bridge", prefix,
                 std::string{icc_off_set} + " { " + subnet.canonical().to_string() + " }");
}

std::string add_port(const std::string& prefix, const std::string& owner, const port_mapping& m) {
  return ip("add", "element", prefix,
            std::string{port_map(m)} + " { " + port_key(m) + " comment " + quoted(owner) + " : " +
                m.container_ip.to_string() + " . " + std::to_string(m.container_port) + " }");
}

std::string delete_port(const std::string& prefix, const port_mapping& m) {
  return ip("delete", "element", prefix, std::string{port_map(m)} + " { " + port_key(m) + " }");
}

} // namespace berth::net::nft_script
