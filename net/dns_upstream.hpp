// An upstream DNS server the embedded DNS server forwards queries to.
#pragma once

#include <cstdint>

#include "base/ipv4.hpp"

namespace berth::net {

/// An upstream DNS server (from the host's or the container's resolv.conf, or --dns).
struct dns_upstream {
  ipv4_address address;
  uint16_t port = 53; ///< other ports for tests
};

} // namespace berth::net
