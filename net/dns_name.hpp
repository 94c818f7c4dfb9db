// Domain names for the embedded DNS server: wire form (RFC 1035 labels) ↔ presentation form
// ("web.mynet", escapes per RFC 4343), case folding, and reverse-lookup names (in-addr.arpa).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ipv4.hpp"

namespace berth::net {

/// Longest name on the wire, length octets and the final zero included (RFC 1035 §3.1).
inline constexpr size_t dns_max_name_wire_length = 255;
/// Longest label (RFC 1035 §2.3.4).
inline constexpr size_t dns_max_label_length = 63;

/// Renders labels in presentation form, without the trailing dot ("" is the root). '.' and '\'
/// inside a label and bytes outside printable ASCII are escaped ("\.", "\\", "\DDD"), so two
/// different wire names never render the same.
[[nodiscard]] std::string dns_labels_to_text(const std::vector<std::string>& labels);

/// Encodes a presentation-form name ("web.mynet" or "web.mynet.", escapes allowed) as an
/// uncompressed wire name ending in the zero octet. Nullopt when a label is empty or longer than
/// 63 bytes, an escape is malformed, or the whole name exceeds 255 bytes.
[[nodiscard]] std::optional<std::string> dns_text_to_wire(std::string_view text);

/// ASCII lower-casing: DNS names compare case-insensitively (RFC 4343), other bytes are kept.
[[nodiscard]] std::string dns_fold_case(std::string_view name);

/// Case-insensitive equality of two names in the same form.
[[nodiscard]] bool dns_names_equal(std::string_view a, std::string_view b);

/// The address a PTR question asks about: "4.3.2.1.in-addr.arpa" (any case, optional trailing
/// dot) → 1.2.3.4. Nullopt for anything else (partial names, IPv6, bad octets).
[[nodiscard]] std::optional<ipv4_address> dns_parse_reverse_ipv4(std::string_view name);

} // namespace berth::net
