// A small, defensive DNS message codec (RFC 1035, EDNS(0) per RFC 6891): parses the queries
// containers send to the embedded DNS server and the replies upstream servers send back, and
// builds the server's own answers.
//
// Trust: every input is untrusted (any process in a container, anything that answers on an
// upstream address). Parsing never reads out of bounds, follows compression pointers only
// backwards (so a pointer loop cannot be expressed), caps names at 255 bytes and messages at
// 65535 bytes, and reports every problem as an error value. Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "base/ipv4.hpp"

namespace berth::net {

/// Largest DNS message (TCP's 16-bit length prefix).
inline constexpr size_t dns_max_message_size = 65535;
/// Largest UDP response to a query without EDNS (RFC 1035 §4.2.1).
inline constexpr size_t dns_classic_udp_size = 512;
/// The UDP payload size this server advertises in its OPT records: the largest query it reads.
/// (Clients reach it over the container's loopback, so large datagrams are never fragmented.)
inline constexpr size_t dns_edns_udp_size = 4096;
/// TTL of the records the embedded server answers itself (dockerd's respTTL).
inline constexpr uint32_t dns_local_ttl = 600;

/// Record types the server looks at (others pass through as numbers).
namespace dns_type {
inline constexpr uint16_t a = 1;
inline constexpr uint16_t ptr = 12;
inline constexpr uint16_t mx = 15;
inline constexpr uint16_t aaaa = 28;
inline constexpr uint16_t opt = 41;
} // namespace dns_type

/// The Internet class.
inline constexpr uint16_t dns_class_in = 1;

/// Response codes; values above 15 travel partly in the OPT record (RFC 6891 §6.1.3).
enum class dns_rcode : uint16_t {
  no_error = 0,
  format_error = 1,
  server_failure = 2,
  name_error = 3, ///< NXDOMAIN
  not_implemented = 4,
  refused = 5,
  bad_version = 16, ///< BADVERS: the query asked for an EDNS version other than 0
};

/// Where a query arrived: decides how large the response may be.
enum class dns_transport : uint8_t { udp, tcp };

/// The fixed 12-byte header.
struct dns_header {
  uint16_t id = 0;
  uint16_t flags = 0;
  uint16_t question_count = 0;
  uint16_t answer_count = 0;
  uint16_t authority_count = 0;
  uint16_t additional_count = 0;

  [[nodiscard]] bool is_response() const { return (flags & 0x8000) != 0; }
  [[nodiscard]] uint8_t opcode() const { return static_cast<uint8_t>((flags >> 11) & 0xf); }
  [[nodiscard]] bool truncated() const { return (flags & 0x0200) != 0; }
  [[nodiscard]] bool recursion_desired() const { return (flags & 0x0100) != 0; }
  /// The 4-bit RCODE of the header (without EDNS's extension).
  [[nodiscard]] uint8_t rcode() const { return static_cast<uint8_t>(flags & 0xf); }
};

/// The one question of a query.
struct dns_question {
  /// Presentation form without the trailing dot, case as sent ("" is the root).
  std::string name;
  /// The name as uncompressed wire labels ending in a zero octet: echoed byte for byte.
  std::string wire_name;
  uint16_t type = 0;
  uint16_t qclass = 0;
};

/// What an OPT pseudo-record in the additional section announced.
struct dns_edns {
  uint16_t udp_size = 0;
  uint8_t version = 0;
  bool dnssec_ok = false;
};

/// A parsed message with exactly one question (queries, and replies to them).
struct dns_message {
  dns_header header;
  dns_question question;
  std::optional<dns_edns> edns;
};

/// Reads the header alone; nullopt when fewer than 12 bytes. Lets the server answer FORMERR to a
/// query whose body is broken.
[[nodiscard]] std::optional<dns_header> parse_dns_header(std::span<const uint8_t> message);

/// Parses a query: QR clear, exactly one question, every record well formed (so the OPT record
/// is found). Errors are errc::invalid_argument naming the problem.
[[nodiscard]] caf::expected<dns_message> parse_dns_query(std::span<const uint8_t> message);

/// Parses a reply's header and question (QR set, one question); the records after the question
/// are not examined since the server relays them unchanged.
[[nodiscard]] caf::expected<dns_message> parse_dns_reply(std::span<const uint8_t> message);

/// The largest response allowed for `query` on `transport`: 65535 over TCP; over UDP 512, or the
/// EDNS size the client announced when larger (as dockerd).
[[nodiscard]] size_t dns_response_limit(const dns_message& query, dns_transport transport);

/// A NOERROR answer with one A record per address (TTL `ttl`), echoing the id and question.
/// Records that do not fit in `max_size` are left out and TC is set. No addresses: NODATA.
[[nodiscard]] std::vector<uint8_t> build_dns_a_response(const dns_message& query,
                                                        std::span<const ipv4_address> addresses,
                                                        size_t max_size,
                                                        uint32_t ttl = dns_local_ttl);

/// A NOERROR answer with one PTR record pointing at `target` (presentation form). A target that
/// is not a valid name gives SERVFAIL.
[[nodiscard]] std::vector<uint8_t> build_dns_ptr_response(const dns_message& query,
                                                          std::string_view target, size_t max_size,
                                                          uint32_t ttl = dns_local_ttl);

/// A response without records: NXDOMAIN, SERVFAIL, REFUSED, NOTIMP, NOERROR (NODATA), BADVERS.
[[nodiscard]] std::vector<uint8_t> build_dns_response(const dns_message& query, dns_rcode rcode);

/// A NOERROR response without records and with TC set: "ask again over TCP".
[[nodiscard]] std::vector<uint8_t> build_dns_truncated_response(const dns_message& query);

/// FORMERR for a query whose header could be read but not its question: header only.
[[nodiscard]] std::vector<uint8_t> build_dns_format_error(const dns_header& query_header);

/// Reads the 16-bit id of a message (which must be at least 2 bytes).
[[nodiscard]] uint16_t dns_message_id(std::span<const uint8_t> message);

/// Overwrites the 16-bit id of a message (which must be at least 2 bytes).
void set_dns_message_id(std::span<uint8_t> message, uint16_t id);

} // namespace berth::net
