// Which registries are reached how: insecure registries (daemon.json `insecure-registries`, CIDRs
// and host[:port] names; 127.0.0.0/8 and ::1/128 always, as in dockerd), Docker Hub's mirrors
// (`registry-mirrors`), the certs.d directory, and the endpoints to try for a registry domain
// in dockerd's order (lookupV2Endpoints): mirrors, then Docker Hub; for an insecure registry
// https without verification, then plain http.
// Thread-safety: values; the functions are pure (no DNS lookups: a host name only matches the
// CIDRs when it is an IP literal or "localhost").
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "registry/http_client.hpp"
#include "registry/url.hpp"

namespace berth::registry {

/// Docker Hub's name in references and its API endpoint.
inline constexpr std::string_view docker_hub_domain = "docker.io";
inline constexpr std::string_view docker_hub_endpoint = "https://registry-1.docker.io";

/// An IPv4 or IPv6 prefix (insecure-registries CIDRs).
struct ip_prefix {
  std::array<uint8_t, 16> bytes{}; ///< the address, IPv4 in the first 4 bytes
  bool v6 = false;
  int bits = 0;

  /// Parses "a.b.c.d/n" or "v6/n"; host bits are cleared.
  [[nodiscard]] static std::optional<ip_prefix> parse(std::string_view text);
  /// True when `address` (an IP literal, IPv6 without brackets) is inside the prefix.
  [[nodiscard]] bool contains(std::string_view address) const;
  friend bool operator==(const ip_prefix&, const ip_prefix&) = default;
};

struct registry_config {
  std::vector<ip_prefix> insecure_cidrs;
  /// Insecure registries named by host or host:port ("myreg:5000").
  std::vector<std::string> insecure_hosts;
  /// Docker Hub mirrors, normalised to end in "/" ("https://mirror.example/").
  std::vector<std::string> mirrors;
  /// The certs.d directory (<config-dir>/certs.d); empty: none.
  std::string certs_dir;
};

/// Builds the configuration from daemon.json's lists, adding dockerd's loopback defaults.
/// Errors (errc::invalid_argument) use dockerd's texts, e.g. "insecure registry ftp://x should
/// not contain '://'", "invalid mirror: unsupported scheme \"ftp\" in \"ftp://m\": must use
/// either 'https://' or 'http://'".
[[nodiscard]] caf::expected<registry_config>
make_registry_config(const std::vector<std::string>& insecure_registries,
                     const std::vector<std::string>& registry_mirrors, std::string certs_dir);

/// Validates and normalises one mirror URL like dockerd's ValidateMirror.
[[nodiscard]] caf::expected<std::string> validate_mirror(std::string_view mirror);

/// dockerd's isSecureIndex: false for a listed insecure host[:port] and for addresses inside an
/// insecure CIDR; Docker Hub is always secure.
[[nodiscard]] bool is_secure(const registry_config& config, std::string_view authority);

/// One base URL to reach a registry through.
struct registry_endpoint {
  url base;               ///< "https://registry-1.docker.io/", a mirror "https://m/prefix/"
  bool mirror = false;    ///< a Docker Hub mirror (pull only; errors fall back to the next)
  bool official = false;  ///< Docker Hub itself
  bool tls_verify = true; ///< false: an insecure registry's https without verification

  /// The URL of `path` below the endpoint's "/v2/", e.g. api("library/busybox/tags/list").
  [[nodiscard]] url api(std::string_view path) const;
};

enum class endpoint_use : uint8_t { pull, push };

/// The endpoints for a registry domain ("docker.io", "127.0.0.1:5000") in the order to try.
[[nodiscard]] caf::expected<std::vector<registry_endpoint>>
lookup_endpoints(const registry_config& config, std::string_view domain, endpoint_use use);

/// The TLS policy the http_client should use: verification unless the host is insecure, plus
/// the host's certs.d files.
[[nodiscard]] tls_policy make_tls_policy(registry_config config);

} // namespace berth::registry
