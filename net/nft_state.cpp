// Reading Berth's nft tables back from nft's JSON listing.
#include "net/nft_state.hpp"

#include <charconv>
#include <optional>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "net/nft_script.hpp"

namespace berth::net {

namespace {

using json = nlohmann::json;

// The objects of a listing: {"nftables": [{"metainfo": ...}, {"table": ...}, {"map": ...}, ...]}.
caf::expected<json> listing_objects(std::string_view text) {
  auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("nftables") ||
      !doc["nftables"].is_array())
    return make_error(errc::system,
                      "nft printed an unexpected listing: " + std::string{text.substr(0, 200)});
  return doc["nftables"];
}

// An element key as written ({"elem": {"val": ..., "comment": ...}} or the bare value).
struct element_key {
  const json* value = nullptr;
  std::string comment;
};

element_key key_of(const json& key) {
  if (key.is_object() && key.contains("elem") && key["elem"].is_object()) {
    const auto& e = key["elem"];
    element_key k{e.contains("val") ? &e["val"] : nullptr, {}};
    if (e.contains("comment") && e["comment"].is_string())
      k.comment = e["comment"].get<std::string>();
    return k;
  }
  return {&key, {}};
}

std::optional<ipv4_address> address_of(const json& v) {
  if (!v.is_string()) return std::nullopt;
  return ipv4_address::parse(v.get<std::string>());
}

std::optional<uint16_t> port_of(const json& v) {
  if (v.is_number_unsigned() && v.get<uint64_t>() <= 65535) return v.get<uint16_t>();
  if (v.is_string()) {
    auto s = v.get<std::string>();
    uint16_t port = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
    if (ec == std::errc{} && p == s.data() + s.size()) return port;
  }
  return std::nullopt;
}

std::optional<ip_protocol> protocol_of(const json& v) {
  if (v == "tcp" || v == 6) return ip_protocol::tcp;
  if (v == "udp" || v == 17) return ip_protocol::udp;
  return std::nullopt;
}

// {"concat": [...]} of `n` parts, else nullptr.
const json* concat_of(const json* v, size_t n) {
  if (!v || !v->is_object() || !v->contains("concat")) return nullptr;
  const auto& parts = (*v)["concat"];
  return parts.is_array() && parts.size() == n ? &parts : nullptr;
}

// Fills the host side of `m` from a publish map key; false when it is not one of ours.
bool read_port_key(const json* key, bool with_address, port_mapping& m) {
  const json* parts = concat_of(key, with_address ? 3 : 2);
  if (!parts) return false;
  size_t i = 0;
  if (with_address) {
    auto addr = address_of((*parts)[i++]);
    if (!addr) return false;
    m.host_ip = *addr;
  }
  auto proto = protocol_of((*parts)[i++]);
  auto port = port_of((*parts)[i]);
  if (!proto || !port) return false;
  m.proto = *proto;
  m.host_port = *port;
  return true;
}

bool read_port_target(const json& value, port_mapping& m) {
  const json* parts = concat_of(&value, 2);
  if (!parts) return false;
  auto addr = address_of((*parts)[0]);
  auto port = port_of((*parts)[1]);
  if (!addr || !port) return false;
  m.container_ip = *addr;
  m.container_port = *port;
  return true;
}

void read_publish_map(const json& elems, bool with_address, nft_state& state) {
  for (const auto& pair : elems) {
    if (!pair.is_array() || pair.size() != 2) continue;
    auto key = key_of(pair[0]);
    nft_port_entry entry{key.comment, {}};
    if (key.comment.empty() || !read_port_key(key.value, with_address, entry.mapping) ||
        !read_port_target(pair[1], entry.mapping))
      continue;
    state.ports.push_back(std::move(entry));
  }
}

void read_jump_map(const std::string& map, const json& elems, nft_state& state) {
  for (const auto& pair : elems) {
    if (!pair.is_array() || pair.size() != 2) continue;
    auto key = key_of(pair[0]);
    if (key.comment.empty() || !key.value || !key.value->is_string()) continue;
    state.jumps.push_back({map, key.value->get<std::string>(), key.comment});
  }
}

std::optional<ipv4_cidr> subnet_of(const json* v) {
  if (!v) return std::nullopt;
  if (v->is_object() && v->contains("prefix")) {
    const auto& p = (*v)["prefix"];
    auto addr = p.contains("addr") ? address_of(p["addr"]) : std::nullopt;
    if (!addr || !p.contains("len") || !p["len"].is_number_unsigned()) return std::nullopt;
    auto len = p["len"].get<int>();
    if (len > 32) return std::nullopt;
    return ipv4_cidr{*addr, len};
  }
  if (auto addr = address_of(*v)) return ipv4_cidr{*addr, 32};
  return std::nullopt;
}

bool is_jump_map(std::string_view name) {
  for (const char* map : nft_script::jump_maps)
    if (name == map) return true;
  return false;
}

// Calls fn(name, map-or-set object) for each map or set in a listing.
template <class Fn>
caf::error for_each_collection(std::string_view text, const char* kind, Fn fn) {
  auto objects = listing_objects(text);
  if (!objects) return objects.error();
  for (const auto& object : *objects) {
    if (!object.is_object() || !object.contains(kind)) continue;
    const auto& c = object[kind];
    if (!c.contains("name") || !c["name"].is_string()) continue;
    static const json no_elements = json::array();
    fn(c["name"].get<std::string>(),
       c.contains("elem") && c["elem"].is_array() ? c["elem"] : no_elements);
  }
  return {};
}

} // namespace

caf::expected<std::vector<std::string>> parse_nft_table_names(std::string_view text,
                                                              std::string_view family) {
  auto objects = listing_objects(text);
  if (!objects) return objects.error();
  std::vector<std::string> names;
  for (const auto& object : *objects) {
    if (!object.is_object() || !object.contains("table")) continue;
    const auto& t = object["table"];
    if (t.value("family", "") == family && t.contains("name") && t["name"].is_string())
      names.push_back(t["name"].get<std::string>());
  }
  return names;
}

caf::error parse_nft_ip_table(std::string_view text, nft_state& state) {
  state.ip_table = true;
  return for_each_collection(text, "map", [&](const std::string& name, const json& elems) {
    if (name == "publish_addr" || name == "publish_any")
      read_publish_map(elems, name == "publish_addr", state);
    else if (is_jump_map(name))
      read_jump_map(name, elems, state);
  });
}

caf::error parse_nft_bridge_table(std::string_view text, nft_state& state) {
  state.bridge_table = true;
  return for_each_collection(text, "set", [&](const std::string& name, const json& elems) {
    if (name != "icc_off_subnets") return;
    for (const auto& elem : elems) {
      auto key = key_of(elem);
      auto subnet = subnet_of(key.value);
      if (!key.comment.empty() && subnet) state.icc_off.push_back({*subnet, key.comment});
    }
  });
}

} // namespace berth::net
