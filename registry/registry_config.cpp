// Insecure registries, mirrors and endpoint lookup.
#include "registry/registry_config.hpp"

#include <algorithm>
#include <arpa/inet.h>

#include "base/ascii.hpp"
#include "base/error.hpp"
#include "base/log.hpp"

namespace berth::registry {

namespace {

constexpr log::logger lg{"registry"};

/// Parses an IP literal into 16 bytes (IPv4 in the first 4).
std::optional<std::pair<std::array<uint8_t, 16>, bool>> parse_address(std::string_view text) {
  std::string s(text);
  std::array<uint8_t, 16> bytes{};
  if (inet_pton(AF_INET, s.c_str(), bytes.data()) == 1) return std::pair{bytes, false};
  if (inet_pton(AF_INET6, s.c_str(), bytes.data()) == 1) return std::pair{bytes, true};
  return std::nullopt;
}

/// The host part of "host", "host:port", "[v6]:port" or a bare IPv6 literal.
std::string_view host_of(std::string_view authority) {
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    return close == std::string_view::npos ? authority : authority.substr(1, close - 1);
  }
  if (std::count(authority.begin(), authority.end(), ':') > 1) return authority;
  return authority.substr(0, authority.find(':'));
}

bool valid_host_port(std::string_view text) {
  auto host = host_of(text);
  if (host.empty()) return false;
  bool ip = parse_address(host).has_value();
  bool name = std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
  });
  if (!ip && !name) return false;
  auto rest = text.substr(text.find(host) + host.size());
  if (rest.starts_with(']')) rest.remove_prefix(1);
  if (rest.empty()) return true;
  if (!rest.starts_with(':') || rest.size() < 2 || rest.size() > 6) return false;
  rest.remove_prefix(1);
  if (!std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  return std::stoi(std::string(rest)) <= 65535;
}

caf::error add_insecure(registry_config& config, std::string entry) {
  if (entry == "index.docker.io") entry = "docker.io";
  if (entry.starts_with('-') || entry.ends_with('-'))
    return make_error(errc::invalid_argument,
                      "invalid index name (" + entry + "). Cannot begin or end with a hyphen");
  if (auto sep = entry.find("://"); sep != std::string::npos) {
    auto scheme = ascii_lower(std::string_view(entry).substr(0, sep));
    if (scheme != "http" && scheme != "https")
      return make_error(errc::invalid_argument,
                        "insecure registry " + entry + " should not contain '://'");
    lg.warn("insecure registry should not contain a scheme; it was removed", {{"registry", entry}});
    entry = entry.substr(sep + 3);
  }
  if (auto prefix = ip_prefix::parse(entry)) {
    if (std::find(config.insecure_cidrs.begin(), config.insecure_cidrs.end(), *prefix) ==
        config.insecure_cidrs.end())
      config.insecure_cidrs.push_back(*prefix);
    return {};
  }
  if (!valid_host_port(entry))
    return make_error(errc::invalid_argument, "insecure registry " + entry +
                                                  " is not valid: invalid host \"" +
                                                  std::string(host_of(entry)) + "\"");
  if (std::find(config.insecure_hosts.begin(), config.insecure_hosts.end(), entry) ==
      config.insecure_hosts.end())
    config.insecure_hosts.push_back(entry);
  return {};
}

} // namespace

std::optional<ip_prefix> ip_prefix::parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = parse_address(text.substr(0, slash));
  if (!address) return std::nullopt;
  auto bits_text = text.substr(slash + 1);
  if (bits_text.empty() || bits_text.size() > 3 ||
      !std::all_of(bits_text.begin(), bits_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  int bits = std::stoi(std::string(bits_text));
  if (bits > (address->second ? 128 : 32)) return std::nullopt;
  ip_prefix out{address->first, address->second, bits};
  for (int i = bits; i < 128; ++i)
    out.bytes[i / 8] &= static_cast<uint8_t>(~(0x80 >> (i % 8)));
  return out;
}

bool ip_prefix::contains(std::string_view address) const {
  auto parsed = parse_address(address);
  if (!parsed || parsed->second != v6) return false;
  for (int i = 0; i < bits; ++i) {
    uint8_t mask = static_cast<uint8_t>(0x80 >> (i % 8));
    if ((parsed->first[i / 8] & mask) != (bytes[i / 8] & mask)) return false;
  }
  return true;
}

caf::expected<std::string> validate_mirror(std::string_view mirror) {
  auto quoted = [](std::string_view s) { return "\"" + std::string(s) + "\""; };
  auto sep = mirror.find("://");
  if (sep == std::string_view::npos || sep == 0)
    return make_error(errc::invalid_argument, "invalid mirror: no scheme specified for " +
                                                  quoted(mirror) +
                                                  ": must use either 'https://' or 'http://'");
  auto scheme = mirror.substr(0, sep);
  if (scheme != "http" && scheme != "https")
    return make_error(errc::invalid_argument, "invalid mirror: unsupported scheme " +
                                                  quoted(scheme) + " in " + quoted(mirror) +
                                                  ": must use either 'https://' or 'http://'");
  if (mirror.find_first_of("?#") != std::string_view::npos)
    return make_error(errc::invalid_argument,
                      "invalid mirror: query or fragment at end of the URI " + quoted(mirror));
  auto authority = mirror.substr(sep + 3);
  authority = authority.substr(0, authority.find('/'));
  if (authority.find('@') != std::string_view::npos)
    return make_error(errc::invalid_argument,
                      "invalid mirror: username/password not allowed in URI " +
                          quoted(std::string(scheme) + "://xxxxx@" +
                                 std::string(authority.substr(authority.find('@') + 1))));
  if (!url::parse(mirror))
    return make_error(errc::invalid_argument,
                      "invalid mirror: " + quoted(mirror) + " is not a valid URI");
  std::string out(mirror);
  while (out.ends_with('/'))
    out.pop_back();
  return out + "/";
}

caf::expected<registry_config>
make_registry_config(const std::vector<std::string>& insecure_registries,
                     const std::vector<std::string>& registry_mirrors, std::string certs_dir) {
  registry_config config;
  config.certs_dir = std::move(certs_dir);
  for (const auto& m : registry_mirrors) {
    auto normalised = validate_mirror(m);
    if (!normalised) return std::move(normalised.error());
    if (std::find(config.mirrors.begin(), config.mirrors.end(), *normalised) ==
        config.mirrors.end())
      config.mirrors.push_back(std::move(*normalised));
  }
  auto entries = insecure_registries;
  entries.emplace_back("::1/128");
  entries.emplace_back("127.0.0.0/8");
  for (auto& entry : entries)
    if (auto err = add_insecure(config, entry)) return err;
  // Docker Hub stays secure even when listed (dockerd overwrites its index config).
  std::erase(config.insecure_hosts, std::string(docker_hub_domain));
  return config;
}

bool is_secure(const registry_config& config, std::string_view authority) {
  if (authority == docker_hub_domain) return true;
  if (std::find(config.insecure_hosts.begin(), config.insecure_hosts.end(), authority) !=
      config.insecure_hosts.end())
    return false;
  auto host = host_of(authority);
  std::vector<std::string_view> addresses;
  if (host == "localhost")
    addresses = {"127.0.0.1", "::1"};
  else
    addresses = {host};
  for (auto address : addresses)
    for (const auto& prefix : config.insecure_cidrs)
      if (prefix.contains(address)) return false;
  return true;
}

url registry_endpoint::api(std::string_view path) const {
  url out = base;
  out.target = out.target.substr(0, out.target.find('?'));
  if (!out.target.ends_with('/')) out.target += '/';
  out.target += "v2/";
  out.target += path;
  return out;
}

caf::expected<std::vector<registry_endpoint>>
lookup_endpoints(const registry_config& config, std::string_view domain, endpoint_use use) {
  std::vector<registry_endpoint> out;
  if (domain == docker_hub_domain || domain == "index.docker.io") {
    if (use == endpoint_use::pull) {
      for (const auto& mirror : config.mirrors) {
        auto base = url::parse(mirror);
        if (!base) return make_error(errc::invalid_argument, "invalid mirror " + mirror);
        out.push_back({*base, true, false, is_secure(config, base->authority())});
      }
    }
    out.push_back({*url::parse(std::string(docker_hub_endpoint) + "/"), false, true, true});
    return out;
  }
  auto https = url::parse("https://" + std::string(domain) + "/");
  if (!https)
    return make_error(errc::invalid_argument, "invalid registry host " + std::string(domain));
  bool secure = is_secure(config, domain);
  out.push_back({*https, false, false, secure});
  if (!secure)
    out.push_back({*url::parse("http://" + std::string(domain) + "/"), false, false, false});
  return out;
}

tls_policy make_tls_policy(registry_config config) {
  return [config = std::move(config)](const url& target) -> caf::expected<tls_settings> {
    auto authority = target.authority();
    auto settings = load_certs_dir(config.certs_dir, authority);
    if (!settings) return settings;
    settings->verify = is_secure(config, authority);
    return settings;
  };
}

} // namespace berth::registry
