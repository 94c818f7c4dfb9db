// The pieces of URLs several modules read and write: percent-escapes and a "host[:port]"
// authority. Pure functions; the callers (query strings, registry URLs, proxy URLs) add their own
// rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth {

/// Decodes %XX and (when `plus_is_space`) '+'. Nullopt on a malformed escape.
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view text,
                                                        bool plus_is_space = false);

/// A URL authority split as Go's url package splits it.
struct host_port {
  std::string host;        ///< lower case, IPv6 without brackets
  uint16_t port = 0;       ///< 0 when no port was written
  bool empty_port = false; ///< "host:" (a colon with no port after it)
};

/// Splits "host[:port]" or "[v6][:port]". Nullopt when the host is empty, has characters other
/// than letters, digits, '.', '-', '_' (or is no IPv6 address inside brackets), or the port is not
/// 1-65535.
[[nodiscard]] std::optional<host_port> split_host_port(std::string_view authority);

/// `host` as an authority writes it: an IPv6 address (any host with a ':') in brackets.
[[nodiscard]] std::string url_host(std::string_view host);

/// "host:port" or "[v6]:port", as Go's net.JoinHostPort joins them.
[[nodiscard]] std::string join_host_port(std::string_view host, uint16_t port);

} // namespace berth
