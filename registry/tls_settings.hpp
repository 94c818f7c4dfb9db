// How https to one registry host is verified, and reading it from a certs.d directory the way
// dockerd reads /etc/docker/certs.d/<host:port>/: `*.crt` are extra CA roots, `<name>.cert` with
// `<name>.key` a client certificate (a certificate without its key, or a key without its
// certificate, is an error, as in dockerd).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace berth::registry {

struct tls_settings {
  /// Verify the server's chain and name. False for insecure registries (TLS without checks).
  bool verify = true;
  /// Use the system's CA roots (plus `ca_files`).
  bool system_roots = true;
  /// PEM files of additional CA roots.
  std::vector<std::string> ca_files;
  /// PEM client certificate and key (both or neither).
  std::string client_cert;
  std::string client_key;

  friend bool operator==(const tls_settings&, const tls_settings&) = default;
};

/// Reads `<certs_dir>/<authority>/` (authority as in the registry's name: "myreg:5000"). A
/// missing directory (or an empty `certs_dir`) gives the defaults.
[[nodiscard]] caf::expected<tls_settings> load_certs_dir(const std::string& certs_dir,
                                                         std::string_view authority);

} // namespace berth::registry
