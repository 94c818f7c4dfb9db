// Berth's nftables tables: each change is planned from the daemon's request and (for removals and
// replacements) from what the table holds, then applied as one nft script.
#include "net/nft_table.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include "base/error.hpp"
#include "net/nft_script.hpp"
#include "net/sysctl.hpp"

namespace berth::net {

namespace {

// "0.0.0.0:8080", as dockerd names a host side in its messages.
std::string host_side(const port_mapping& m) {
  return m.host_ip.to_string() + ":" + std::to_string(m.host_port);
}

std::string describe(const port_mapping& m) {
  return host_side(m) + "/" + to_string(m.proto);
}

// Validates one owner's mappings and drops exact repeats; two different targets for one host
// side are a caller bug.
caf::expected<std::vector<port_mapping>> checked_mappings(std::string_view owner,
                                                          const std::vector<port_mapping>& in) {
  if (auto err = validate_rule_owner("port mapping owner", owner)) return err;
  std::vector<port_mapping> out;
  for (const auto& m : in) {
    if (auto err = validate(m)) return err;
    auto same = std::find_if(out.begin(), out.end(),
                             [&](const port_mapping& o) { return o.same_host_side(m); });
    if (same == out.end())
      out.push_back(m);
    else if (same->container_ip != m.container_ip || same->container_port != m.container_port)
      return make_error(errc::invalid_argument,
                        describe(m) + " is published twice with different targets");
  }
  return out;
}

// dockerd's wording, which clients and scripts match on.
caf::error port_in_use(const port_mapping& m) {
  return make_error(errc::conflict,
                    "Bind for " + host_side(m) + " failed: port is already allocated");
}

std::vector<std::string> bridges_of(const std::vector<port_mapping>& mappings) {
  std::set<std::string> bridges;
  for (const auto& m : mappings)
    if (!m.bridge.empty()) bridges.insert(m.bridge);
  return {bridges.begin(), bridges.end()};
}

// The commands that take network `id`'s (or bridge `bridge`'s) elements and chains out of the
// table, keeping the chains of `keep_bridge` (about to be rewritten in the same script).
std::string removal_of(const std::string& prefix, const nft_state& state,
                       const std::function<bool(const nft_jump_entry&)>& jump_matches,
                       const std::function<bool(const nft_icc_entry&)>& icc_matches,
                       const std::string& keep_bridge) {
  std::string script;
  std::set<std::string> bridges;
  for (const auto& j : state.jumps) {
    if (!jump_matches(j)) continue;
    script += nft_script::delete_jump(prefix, j.map, j.bridge);
    if (j.bridge != keep_bridge) bridges.insert(j.bridge);
  }
  for (const auto& bridge : bridges)
    script += nft_script::delete_network_chains(prefix, bridge);
  for (const auto& icc : state.icc_off)
    if (icc_matches(icc)) script += nft_script::delete_icc_off(prefix, icc.subnet);
  return script;
}

// The skeleton when either table is missing, so any change works on a fresh namespace.
std::string skeleton_if_missing(const std::string& prefix, const nft_state& state) {
  return state.ip_table && state.bridge_table ? std::string{} : nft_script::ensure_tables(prefix);
}

caf::error check_networks(const std::vector<network_rules>& networks) {
  for (size_t i = 0; i < networks.size(); ++i) {
    if (auto err = validate(networks[i])) return err;
    for (size_t j = 0; j < i; ++j)
      if (networks[j].id == networks[i].id || networks[j].bridge == networks[i].bridge)
        return make_error(errc::invalid_argument, "network " + networks[i].id + " (bridge " +
                                                      networks[i].bridge + ") is listed twice");
  }
  return {};
}

} // namespace

nft_table::nft_table(std::string prefix, std::string netns, std::chrono::milliseconds timeout)
    : prefix_(std::move(prefix)), runner_{std::move(netns), timeout} {}

caf::error nft_table::apply(std::string_view what, const std::string& script) const {
  if (script.empty()) return {};
  auto err = apply_nft_script(runner_, script);
  if (err && error_kind(err) == errc::system)
    return make_error(errc::system, std::string{what} + ": " + error_message(err));
  return err;
}

caf::error nft_table::enable_route_localnet(const std::vector<std::string>& bridges) const {
  // 127.0.0.1:<host_port> is DNATed to a container: the packet, still from 127.0.0.1, must be
  // allowed out of the bridge and its replies back in (as dockerd does without userland proxy).
  for (const auto& bridge : bridges)
    if (auto err =
            write_sysctl_in(runner_.netns, "net/ipv4/conf/" + bridge + "/route_localnet", "1"))
      return make_error(error_kind(err).value_or(errc::system),
                        "enable route_localnet on " + bridge + ": " + error_message(err));
  return {};
}

caf::error nft_table::ensure_table() const {
  if (auto err = validate_table_prefix(prefix_)) return err;
  return apply("create nftables table " + prefix_, nft_script::ensure_tables(prefix_));
}

caf::error nft_table::delete_table() const {
  if (auto err = validate_table_prefix(prefix_)) return err;
  return apply("delete nftables table " + prefix_, nft_script::delete_tables(prefix_));
}

caf::error nft_table::add_network(const network_rules& n) const {
  if (auto err = validate_table_prefix(prefix_)) return err;
  if (auto err = validate(n)) return err;
  auto state = read();
  if (!state) return state.error();
  auto subnet = n.subnet.canonical();
  auto script = skeleton_if_missing(prefix_, *state);
  script += removal_of(
      prefix_, *state,
      [&](const nft_jump_entry& j) { return j.id == n.id || j.bridge == n.bridge; },
      [&](const nft_icc_entry& i) { return i.id == n.id || i.subnet.overlaps(subnet); }, n.bridge);
  script += nft_script::add_network(prefix_, n);
  return apply("add network " + n.id + " to nftables", script);
}

caf::error nft_table::remove_network(std::string_view id) const {
  if (auto err = validate_table_prefix(prefix_)) return err;
  if (auto err = validate_rule_owner("network id", id)) return err;
  auto state = read();
  if (!state) return state.error();
  auto script = removal_of(
      prefix_, *state, [&](const nft_jump_entry& j) { return j.id == id; },
      [&](const nft_icc_entry& i) { return i.id == id; }, {});
  return apply("remove network " + std::string{id} + " from nftables", script);
}

caf::error nft_table::add_port_mappings(std::string_view owner,
                                        const std::vector<port_mapping>& mappings) const {
  if (auto err = validate_table_prefix(prefix_)) return err;
  auto wanted = checked_mappings(owner, mappings);
  if (!wanted) return wanted.error();
  auto state = read();
  if (!state) return state.error();
  std::string owner_id{owner};
  std::string changes;
  for (const auto& m : *wanted) {
    auto held = std::find_if(state->ports.begin(), state->ports.end(),
                             [&](const nft_port_entry& e) { return e.mapping.same_host_side(m); });
    if (held != state->ports.end()) {
      if (held->owner != owner) return port_in_use(m);
      if (held->mapping.container_ip == m.container_ip &&
          held->mapping.container_port == m.container_port)
        continue; // already there
      changes += nft_script::delete_port(prefix_, m);
    }
    changes += nft_script::add_port(prefix_, owner_id, m);
  }
  if (auto err = enable_route_localnet(bridges_of(*wanted))) return err;
  if (changes.empty()) return {};
  return apply("publish ports of " + owner_id, skeleton_if_missing(prefix_, *state) + changes);
}

caf::error nft_table::remove_port_mappings(std::string_view owner) const {
  if (auto err = validate_table_prefix(prefix_)) return err;
  if (auto err = validate_rule_owner("port mapping owner", owner)) return err;
  auto state = read();
  if (!state) return state.error();
  std::string script;
  for (const auto& e : state->ports)
    if (e.owner == owner) script += nft_script::delete_port(prefix_, e.mapping);
  return apply("unpublish ports of " + std::string{owner}, script);
}

caf::error nft_table::rebuild(const std::vector<network_rules>& networks,
                              const std::vector<owned_port_mappings>& ports) const {
  if (auto err = validate_table_prefix(prefix_)) return err;
  if (auto err = check_networks(networks)) return err;
  std::vector<std::pair<std::string, port_mapping>> all;
  std::vector<port_mapping> every_mapping;
  for (const auto& owned : ports) {
    auto checked = checked_mappings(owned.owner, owned.mappings);
    if (!checked) return checked.error();
    for (const auto& m : *checked) {
      for (const auto& [owner, other] : all)
        if (other.same_host_side(m)) return port_in_use(m);
      all.emplace_back(owned.owner, m);
      every_mapping.push_back(m);
    }
  }
  if (auto err = enable_route_localnet(bridges_of(every_mapping))) return err;
  auto script = nft_script::delete_tables(prefix_) + nft_script::ensure_tables(prefix_);
  for (const auto& n : networks)
    script += nft_script::add_network(prefix_, n);
  for (const auto& [owner, m] : all)
    script += nft_script::add_port(prefix_, owner, m);
  return apply("rebuild nftables table " + prefix_, script);
}

caf::expected<nft_state> nft_table::read() const {
  auto families = existing_families();
  if (!families) return families.error();
  nft_state state;
  for (const auto& family : *families) {
    auto text = run_nft(runner_, {"-j", "list", "table", family, prefix_});
    if (!text) return text.error();
    auto err =
        family == "ip" ? parse_nft_ip_table(*text, state) : parse_nft_bridge_table(*text, state);
    if (err) return err;
  }
  return state;
}

caf::expected<std::vector<owned_port_mappings>> nft_table::list_port_mappings() const {
  auto state = read();
  if (!state) return state.error();
  std::vector<owned_port_mappings> out;
  for (auto& e : state->ports) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const owned_port_mappings& o) { return o.owner == e.owner; });
    if (it == out.end()) it = out.insert(out.end(), owned_port_mappings{e.owner, {}});
    it->mappings.push_back(std::move(e.mapping));
  }
  return out;
}

caf::expected<std::string> nft_table::listing() const {
  auto families = existing_families();
  if (!families) return families.error();
  std::string text;
  for (const auto& family : *families) {
    auto listed = run_nft(runner_, {"list", "table", family, prefix_});
    if (!listed) return listed.error();
    text += *listed;
  }
  return text;
}

caf::expected<std::vector<std::string>> nft_table::existing_families() const {
  if (auto err = validate_table_prefix(prefix_)) return err;
  // Listing table names first: "list table" of a missing table fails like any other error.
  auto tables = run_nft(runner_, {"-j", "list", "tables"});
  if (!tables) return tables.error();
  std::vector<std::string> families;
  for (const char* family : {"ip", "bridge"}) {
    auto names = parse_nft_table_names(*tables, family);
    if (!names) return names.error();
    if (std::find(names->begin(), names->end(), prefix_) != names->end())
      families.emplace_back(family);
  }
  return families;
}

} // namespace berth::net
